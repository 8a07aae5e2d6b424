// Package db opens Sunlight's database — embedded SQLite by default,
// PostgreSQL for production — and hands out the ent client with the
// platform's rules (hooks) installed, so every caller, from GraphQL to the
// CLI and the scheduler, writes through the same rules.
package db

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"

	"sunlight/ent"
	"sunlight/ent/migrate"
	_ "sunlight/ent/runtime" // the schemas' defaults, validators and privacy policies
	"sunlight/internal/ledger"
)

// DefaultDSN is the embedded database used when none is configured.
const DefaultDSN = "file:sunlight.db"

// DB is an open database.
type DB struct {
	Client  *ent.Client
	SQL     *sql.DB
	Dialect string // dialect.SQLite or dialect.Postgres

	statements atomic.Int64
}

// Option configures Open.
type Option func(*options)

type options struct {
	maxConns int
}

// WithMaxConns caps the connection pool.
func WithMaxConns(n int) Option { return func(o *options) { o.maxConns = n } }

// Open opens dsn: a postgres:// (or postgresql://) URL selects PostgreSQL
// through pgx; anything else is an SQLite file ("file:sunlight.db" or a
// plain path). It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string, opts ...Option) (*DB, error) {
	o := options{}
	for _, opt := range opts {
		opt(&o)
	}
	if dsn == "" {
		dsn = DefaultDSN
	}
	d := &DB{}
	var err error
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		d.Dialect = dialect.Postgres
		d.SQL, err = sql.Open("pgx", postgresDSN(dsn))
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		n := o.maxConns
		if n == 0 {
			// Enough to keep PostgreSQL's cores busy while others wait on
			// the network; more only adds contention.
			n = 4 * runtime.GOMAXPROCS(0)
		}
		d.SQL.SetMaxOpenConns(n)
		d.SQL.SetMaxIdleConns(n)
		d.SQL.SetConnMaxIdleTime(5 * time.Minute)
	default:
		d.Dialect = dialect.SQLite
		d.SQL, err = sql.Open("sqlite", sqliteDSN(dsn))
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		n := o.maxConns
		if n == 0 {
			n = 2 * runtime.GOMAXPROCS(0)
			if n < 4 {
				n = 4
			}
		}
		d.SQL.SetMaxOpenConns(n)
		d.SQL.SetMaxIdleConns(n)
	}
	if err := d.SQL.PingContext(ctx); err != nil {
		d.SQL.Close()
		return nil, fmt.Errorf("connect to %s database: %w", d.Dialect, err)
	}
	drv := &countingDriver{Driver: entsql.OpenDB(d.Dialect, d.SQL), n: &d.statements}
	d.Client = ent.NewClient(ent.Driver(drv))
	installHooks(d.Client)
	return d, nil
}

// sqliteDSN adds the connection settings every SQLite connection needs:
// foreign keys enforced, WAL so readers never block the writer, a busy
// timeout so concurrent writers wait instead of failing with "database is
// locked", and write transactions that take the lock up front (IMMEDIATE),
// so two read-then-write transactions cannot deadlock on upgrade.
func sqliteDSN(dsn string) string {
	if !strings.HasPrefix(dsn, "file:") {
		dsn = "file:" + dsn
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate&_time_format=sqlite"
}

// postgresDSN pins the session time zone to UTC: civil dates are stored as
// midnight UTC and must not shift by the server's zone when cast to date.
func postgresDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	if q.Get("timezone") == "" {
		q.Set("timezone", "UTC")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Migrate creates or upgrades the schema to what this build expects.
func (d *DB) Migrate(ctx context.Context) error {
	if err := d.Client.Schema.Create(ctx, migrate.WithDropIndex(true)); err != nil {
		return fmt.Errorf("migrate %s schema: %w", d.Dialect, err)
	}
	return d.catchUpTotals(ctx)
}

// catchUpTotals sums the closed months of a database that closed them
// before month sums existed (package ledger); a no-op query otherwise.
func (d *DB) catchUpTotals(ctx context.Context) error {
	n, err := ledger.CatchUpTotals(ctx, d.Client)
	if err != nil {
		return err
	}
	if n > 0 {
		slog.InfoContext(ctx, "month sums caught up", "communities", n)
	}
	return nil
}

// Statements returns how many SQL statements this DB has sent so far; tests
// use it to catch N+1 queries.
func (d *DB) Statements() int64 { return d.statements.Load() }

// Close closes the client and the pool.
func (d *DB) Close() error {
	return d.Client.Close()
}

// countingDriver counts every statement sent, inside transactions too.
type countingDriver struct {
	dialect.Driver
	n *atomic.Int64
}

func (c *countingDriver) Exec(ctx context.Context, q string, args, v any) error {
	c.n.Add(1)
	return c.Driver.Exec(ctx, q, args, v)
}

func (c *countingDriver) Query(ctx context.Context, q string, args, v any) error {
	c.n.Add(1)
	return c.Driver.Query(ctx, q, args, v)
}

func (c *countingDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := c.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &countingTx{Tx: tx, n: c.n}, nil
}

// BeginTx keeps ent's transaction options (isolation, read-only) working.
func (c *countingDriver) BeginTx(ctx context.Context, opts *entsql.TxOptions) (dialect.Tx, error) {
	tx, err := c.Driver.(interface {
		BeginTx(context.Context, *entsql.TxOptions) (dialect.Tx, error)
	}).BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &countingTx{Tx: tx, n: c.n}, nil
}

type countingTx struct {
	dialect.Tx
	n *atomic.Int64
}

func (c *countingTx) Exec(ctx context.Context, q string, args, v any) error {
	c.n.Add(1)
	return c.Tx.Exec(ctx, q, args, v)
}

func (c *countingTx) Query(ctx context.Context, q string, args, v any) error {
	c.n.Add(1)
	return c.Tx.Query(ctx, q, args, v)
}

// QueryContext and ExecContext let ent's raw-SQL helpers (client.QueryContext)
// run through the counter too.
func (c *countingDriver) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	c.n.Add(1)
	return c.Driver.(*entsql.Driver).QueryContext(ctx, q, args...)
}

func (c *countingDriver) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	c.n.Add(1)
	return c.Driver.(*entsql.Driver).ExecContext(ctx, q, args...)
}

func (c *countingTx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	c.n.Add(1)
	return c.Tx.(interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	}).QueryContext(ctx, q, args...)
}

func (c *countingTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	c.n.Add(1)
	return c.Tx.(interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}).ExecContext(ctx, q, args...)
}
