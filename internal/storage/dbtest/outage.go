package dbtest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync/atomic"
	"testing"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"sunlight/internal/storage/db"
)

// Outage switches a database opened with OpenWithOutage off and on: while
// it is down every statement, transaction and commit fails as with a broken
// connection (driver.ErrBadConn, which package dberr calls Down), as when
// the server stops, without stopping a server the other tests share.
type Outage struct{ down atomic.Bool }

// Down makes every statement fail from now on.
func (o *Outage) Down() { o.down.Store(true) }

// Up makes the database answer again.
func (o *Outage) Up() { o.down.Store(false) }

func (o *Outage) check() error {
	if o.down.Load() {
		return fmt.Errorf("the database is down (test outage): %w", driver.ErrBadConn)
	}
	return nil
}

// OpenWithOutage is Open with an Outage switch on the database.
func OpenWithOutage(t testing.TB, dsn string) (*db.DB, *Outage) {
	t.Helper()
	o := &Outage{}
	d := open(t, dsn, db.WithDriver(func(drv dialect.Driver) dialect.Driver {
		return &outageDriver{Driver: drv, o: o}
	}))
	return d, o
}

type outageDriver struct {
	dialect.Driver
	o *Outage
}

func (d *outageDriver) Exec(ctx context.Context, q string, args, v any) error {
	if err := d.o.check(); err != nil {
		return err
	}
	return d.Driver.Exec(ctx, q, args, v)
}

func (d *outageDriver) Query(ctx context.Context, q string, args, v any) error {
	if err := d.o.check(); err != nil {
		return err
	}
	return d.Driver.Query(ctx, q, args, v)
}

func (d *outageDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	if err := d.o.check(); err != nil {
		return nil, err
	}
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &outageTx{Tx: tx, o: d.o}, nil
}

// BeginTx keeps ent's transaction options (isolation, read-only) working.
func (d *outageDriver) BeginTx(ctx context.Context, opts *entsql.TxOptions) (dialect.Tx, error) {
	if err := d.o.check(); err != nil {
		return nil, err
	}
	tx, err := d.Driver.(interface {
		BeginTx(context.Context, *entsql.TxOptions) (dialect.Tx, error)
	}).BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &outageTx{Tx: tx, o: d.o}, nil
}

func (d *outageDriver) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if err := d.o.check(); err != nil {
		return nil, err
	}
	return d.Driver.(*entsql.Driver).QueryContext(ctx, q, args...)
}

func (d *outageDriver) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if err := d.o.check(); err != nil {
		return nil, err
	}
	return d.Driver.(*entsql.Driver).ExecContext(ctx, q, args...)
}

type outageTx struct {
	dialect.Tx
	o *Outage
}

func (t *outageTx) Exec(ctx context.Context, q string, args, v any) error {
	if err := t.o.check(); err != nil {
		return err
	}
	return t.Tx.Exec(ctx, q, args, v)
}

func (t *outageTx) Query(ctx context.Context, q string, args, v any) error {
	if err := t.o.check(); err != nil {
		return err
	}
	return t.Tx.Query(ctx, q, args, v)
}

// Commit during an outage rolls the transaction back underneath, as a
// server that went away does.
func (t *outageTx) Commit() error {
	if err := t.o.check(); err != nil {
		_ = t.Tx.Rollback()
		return err
	}
	return t.Tx.Commit()
}

func (t *outageTx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if err := t.o.check(); err != nil {
		return nil, err
	}
	return t.Tx.(interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	}).QueryContext(ctx, q, args...)
}

func (t *outageTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if err := t.o.check(); err != nil {
		return nil, err
	}
	return t.Tx.(interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}).ExecContext(ctx, q, args...)
}
