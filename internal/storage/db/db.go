// Package db opens Sunlight's database — embedded SQLite by default,
// PostgreSQL for production — and hands out the ent client with the
// platform's write rules installed, so every caller, from GraphQL to the
// CLI and the scheduler, writes through the same rules. The rules are listed
// in package rules (internal/access/rules), which registers them here.
package db

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"

	"sunlight/ent"
	"sunlight/ent/migrate"
	_ "sunlight/ent/runtime" // the schemas' defaults, validators and privacy policies
	"sunlight/internal/storage/dataversion"
)

// DefaultDSN is the embedded database used when none is configured.
const DefaultDSN = "file:sunlight.db"

// DB is an open database.
type DB struct {
	Client  *ent.Client
	SQL     *sql.DB
	Dialect string // dialect.SQLite or dialect.Postgres

	rules *Rules
}

// Rules are what the domain puts on every database Open hands out.
type Rules struct {
	// Install puts the write rules (ent hooks) on a client.
	Install func(*ent.Client)
	// AfterMigrate brings derived data up to date once the schema is.
	AfterMigrate func(context.Context, *ent.Client) error
}

var registered struct {
	sync.Mutex
	rules *Rules
}

// Register makes r the rules of every database opened after it; package
// rules calls it when it is linked in. A second call panics: two lists of
// rules would be one too many.
func Register(r Rules) {
	registered.Lock()
	defer registered.Unlock()
	if registered.rules != nil {
		panic("db: rules registered twice")
	}
	registered.rules = &r
}

func theRules() (*Rules, error) {
	registered.Lock()
	defer registered.Unlock()
	if registered.rules == nil {
		return nil, fmt.Errorf(`db: no write rules registered; import _ "sunlight/internal/access/rules"`)
	}
	return registered.rules, nil
}

// Option configures Open.
type Option func(*options)

type options struct {
	maxConns int
	wrap     func(dialect.Driver) dialect.Driver
}

// WithMaxConns caps the connection pool.
func WithMaxConns(n int) Option { return func(o *options) { o.maxConns = n } }

// WithDriver has the client talk to the database through wrap(driver):
// tests count statements so (package dbtest).
func WithDriver(wrap func(dialect.Driver) dialect.Driver) Option {
	return func(o *options) { o.wrap = wrap }
}

// Open opens dsn: a postgres:// (or postgresql://) URL selects PostgreSQL
// through pgx; anything else is an SQLite file ("file:sunlight.db" or a
// plain path). It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string, opts ...Option) (*DB, error) {
	o := options{}
	for _, opt := range opts {
		opt(&o)
	}
	rules, err := theRules()
	if err != nil {
		return nil, err
	}
	if dsn == "" {
		dsn = DefaultDSN
	}
	d := &DB{}
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
	var drv dialect.Driver = entsql.OpenDB(d.Dialect, d.SQL)
	if o.wrap != nil {
		drv = o.wrap(drv)
	}
	// Every write raises the data version, whatever path it takes: the
	// response cache of every server on this database trusts it.
	drv = dataversion.Track(drv)
	d.Client = ent.NewClient(ent.Driver(drv))
	d.Client.Use(utcTimes)
	rules.Install(d.Client)
	d.rules = rules
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
	return d.afterMigrate(ctx)
}

// afterMigrate brings the domain's derived data up to date (Rules).
func (d *DB) afterMigrate(ctx context.Context) error {
	if d.rules.AfterMigrate == nil {
		return nil
	}
	return d.rules.AfterMigrate(ctx, d.Client)
}

// Close closes the client and the pool.
func (d *DB) Close() error {
	return d.Client.Close()
}
