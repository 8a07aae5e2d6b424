package dbtest

import (
	"context"
	"database/sql"
	"sync/atomic"
	"testing"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"sunlight/internal/storage/db"
)

// Counter counts the SQL statements a database sends, inside transactions
// too; tests use it to catch N+1 queries.
type Counter struct{ n atomic.Int64 }

// Statements returns how many statements were sent so far.
func (c *Counter) Statements() int64 { return c.n.Load() }

// OpenCounting is Open with the database's statements counted.
func OpenCounting(t testing.TB, dsn string) (*db.DB, *Counter) {
	t.Helper()
	c := &Counter{}
	d := open(t, dsn, db.WithDriver(func(drv dialect.Driver) dialect.Driver {
		return &countingDriver{Driver: drv, n: &c.n}
	}))
	return d, c
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
