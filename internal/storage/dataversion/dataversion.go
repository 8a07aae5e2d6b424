// Package dataversion keeps the database's data version: one number that
// every committed write raises. Track wraps the ent driver so that a write
// transaction raises it as its last statement before COMMIT (atomically
// with the write), and a write outside a transaction raises it right after
// the write has committed. Read returns it.
//
// What it is for: a process that computed an answer at version v and reads
// v again knows that no process — this one or another server on the same
// PostgreSQL — has committed a write since, so the answer still holds.
// The GraphQL response cache (package respcache) rests on that.
//
// Why the ordering makes that exact: a reader reads the version before it
// reads the data. If it read v and a write then committed v+1, its answer
// is filed under v and never served once anyone has seen v+1. If it read
// v+1, the write had committed before, so every later statement of the
// reader sees it. The one row is a hot spot only between a writer's last
// statement and its COMMIT, and it is always the last lock a transaction
// takes, so it cannot join a deadlock.
package dataversion

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
)

const (
	// raise works on PostgreSQL and SQLite (3.24+) alike.
	raise = `INSERT INTO data_versions (id, value) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET value = data_versions.value + 1`
	read  = `SELECT value FROM data_versions WHERE id = 1`
)

// Querier is what Read needs: a *sql.DB, or an ent client's driver.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Read returns the current data version: 0 before the first write.
func Read(ctx context.Context, q Querier) (int64, error) {
	rows, err := q.QueryContext(ctx, read)
	if err != nil {
		return 0, fmt.Errorf("read data version: %w", err)
	}
	defer rows.Close()
	var v int64
	if rows.Next() {
		if err := rows.Scan(&v); err != nil {
			return 0, fmt.Errorf("read data version: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("read data version: %w", err)
	}
	return v, nil
}

// Execer is what Raise needs: a *sql.Tx, *sql.Conn or *sql.DB.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Raise raises the version, for the writers that go below the ent driver
// (the bulk loader's COPY): call it in the writing transaction, last.
func Raise(ctx context.Context, e Execer) error {
	if _, err := e.ExecContext(ctx, raise); err != nil {
		return fmt.Errorf("raise the data version: %w", err)
	}
	return nil
}

// Track returns drv with every write raising the data version.
func Track(drv dialect.Driver) dialect.Driver { return &driver{Driver: drv} }

// Writes says whether a statement may change data: INSERT, UPDATE, DELETE,
// REPLACE, a WITH that holds one of them, and schema changes. SELECT … FOR
// UPDATE locks but writes nothing. When in doubt it says yes: a needless
// raise only costs the cache its entries.
func Writes(query string) bool {
	word, rest := firstWord(query)
	switch word {
	case "SELECT", "PRAGMA", "EXPLAIN", "SHOW", "VALUES", "BEGIN", "COMMIT", "ROLLBACK",
		"SAVEPOINT", "RELEASE", "SET", "LISTEN", "UNLISTEN", "ANALYZE", "VACUUM":
		return false
	case "WITH":
		up := strings.ToUpper(rest)
		for _, w := range []string{"INSERT", "UPDATE", "DELETE"} {
			if containsWord(up, w) {
				return true
			}
		}
		return false
	}
	return true
}

// firstWord returns the statement's first keyword in upper case, past
// white space, comments and opening parentheses, and what follows it.
func firstWord(q string) (string, string) {
	for {
		q = strings.TrimLeft(q, " \t\r\n(;")
		switch {
		case strings.HasPrefix(q, "--"):
			i := strings.IndexByte(q, '\n')
			if i < 0 {
				return "", ""
			}
			q = q[i+1:]
		case strings.HasPrefix(q, "/*"):
			i := strings.Index(q[2:], "*/")
			if i < 0 {
				return "", ""
			}
			q = q[2+i+2:]
		default:
			i := 0
			for i < len(q) && isLetter(q[i]) {
				i++
			}
			return strings.ToUpper(q[:i]), q[i:]
		}
	}
}

func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		j += i
		before := j == 0 || !isLetter(s[j-1])
		after := j+len(w) == len(s) || !isLetter(s[j+len(w)])
		if before && after {
			return true
		}
		i = j + 1
	}
}

func isLetter(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_' || b >= '0' && b <= '9'
}

// driver raises the version after each write made outside a transaction
// and hands out transactions that raise it before they commit.
type driver struct {
	dialect.Driver
}

// raiseAfter raises the version once a write outside a transaction has
// committed. An error here means the write is saved but other servers may
// go on serving what they cached before it: the caller is told.
func (d *driver) raiseAfter(ctx context.Context, err error) error {
	if err != nil {
		return err
	}
	if err := d.Driver.Exec(context.WithoutCancel(ctx), raise, []any{}, nil); err != nil {
		return fmt.Errorf("the write is saved, but raising the data version failed: %w", err)
	}
	return nil
}

func (d *driver) Exec(ctx context.Context, q string, args, v any) error {
	err := d.Driver.Exec(ctx, q, args, v)
	if Writes(q) {
		return d.raiseAfter(ctx, err)
	}
	return err
}

func (d *driver) Query(ctx context.Context, q string, args, v any) error {
	if err := d.Driver.Query(ctx, q, args, v); err != nil || !Writes(q) {
		return err
	}
	// INSERT … RETURNING: the statement has committed only once its rows
	// are read and closed, so raise then.
	rows, ok := v.(*entsql.Rows)
	if !ok {
		return d.raiseAfter(ctx, nil)
	}
	rows.ColumnScanner = raisingRows{ColumnScanner: rows.ColumnScanner, raise: func() error { return d.raiseAfter(ctx, nil) }}
	return nil
}

type raisingRows struct {
	entsql.ColumnScanner
	raise func() error
}

func (r raisingRows) Close() error {
	err := r.ColumnScanner.Close()
	return errors.Join(err, r.raise())
}

func (d *driver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &writeTx{Tx: tx}, nil
}

// BeginTx keeps ent's transaction options (isolation, read-only) working.
func (d *driver) BeginTx(ctx context.Context, opts *entsql.TxOptions) (dialect.Tx, error) {
	b, ok := d.Driver.(interface {
		BeginTx(context.Context, *entsql.TxOptions) (dialect.Tx, error)
	})
	if !ok {
		return d.Tx(ctx)
	}
	tx, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &writeTx{Tx: tx}, nil
}

// QueryContext and ExecContext keep ent's raw-SQL helpers
// (client.QueryContext) working through the wrapper.
func (d *driver) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	rows, err := d.Driver.(Querier).QueryContext(ctx, q, args...)
	if err == nil && Writes(q) {
		// A raw write outside a transaction: none exists today; raise at
		// once rather than never.
		err = d.raiseAfter(ctx, nil)
	}
	return rows, err
}

func (d *driver) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	res, err := d.Driver.(Execer).ExecContext(ctx, q, args...)
	if Writes(q) {
		err = d.raiseAfter(ctx, err)
	}
	return res, err
}

// writeTx remembers whether it wrote, and if so raises the version as its
// last statement, so the raise commits with the write or not at all.
type writeTx struct {
	dialect.Tx
	wrote atomic.Bool
}

func (t *writeTx) note(q string) {
	if !t.wrote.Load() && Writes(q) {
		t.wrote.Store(true)
	}
}

func (t *writeTx) Exec(ctx context.Context, q string, args, v any) error {
	t.note(q)
	return t.Tx.Exec(ctx, q, args, v)
}

func (t *writeTx) Query(ctx context.Context, q string, args, v any) error {
	t.note(q)
	return t.Tx.Query(ctx, q, args, v)
}

func (t *writeTx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	t.note(q)
	return t.Tx.(Querier).QueryContext(ctx, q, args...)
}

func (t *writeTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	t.note(q)
	return t.Tx.(Execer).ExecContext(ctx, q, args...)
}

func (t *writeTx) Commit() error {
	if t.wrote.Load() {
		if err := t.Tx.Exec(context.Background(), raise, []any{}, nil); err != nil {
			return errors.Join(fmt.Errorf("raise the data version: %w", err), t.Tx.Rollback())
		}
	}
	return t.Tx.Commit()
}
