// Package dberr classifies the errors of the database drivers by their typed
// codes (PostgreSQL SQLSTATE, SQLite result codes), never by message text:
// the GraphQL presenter, the HTTP edge and the report jobs' retries decide
// from the same answer.
package dberr

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"sunlight/internal/vocab/fail"
)

// Class is what a database error means to the caller.
type Class int

// The classes of Classify.
const (
	// Other: not a database error this package knows; a bug until shown
	// otherwise.
	Other Class = iota
	// Unique: a duplicate of a unique key.
	Unique
	// Reference: a foreign key names nothing (or a row still referenced).
	Reference
	// Rule: another constraint or a value the database refuses.
	Rule
	// Text: text with a character the database cannot hold (U+0000 on
	// PostgreSQL), in a value written or in a filter.
	Text
	// Busy: a lock, a serialization failure or a deadlock; the same
	// statement may succeed if retried.
	Busy
	// Down: the database cannot be reached, is shutting down, or has no
	// connection to give.
	Down
)

// Classify tells what err means, from the drivers' typed codes.
func Classify(err error) Class {
	if err == nil {
		return Other
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return sqlstate(pg.Code)
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		return sqliteCode(lite.Code())
	}
	var connect *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.As(err, &connect):
		return Down // including a connection that timed out: nobody answered
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled), pgconn.Timeout(err):
		// A statement stopped by its caller's deadline: whether it asked
		// too much or the database stalled is the caller's to find out.
		return Other
	case errors.As(err, &netErr),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone), errors.Is(err, errDBClosed):
		return Down
	}
	return Other
}

// sqlstate classes: https://www.postgresql.org/docs/current/errcodes-appendix.html
func sqlstate(code string) Class {
	switch {
	case code == "23505":
		return Unique
	case code == "23503":
		return Reference
	case code == "22021", code == "22P05":
		return Text // character not in repertoire (a NUL), untranslatable character
	case strings.HasPrefix(code, "23"), strings.HasPrefix(code, "22"):
		return Rule // integrity constraint violation, data exception
	case code == "40001", code == "40P01", code == "55P03":
		return Busy // serialization failure, deadlock, lock not available
	case strings.HasPrefix(code, "08"), // connection exception
		strings.HasPrefix(code, "53"),                     // insufficient resources (too many connections, disk full)
		code == "57P01", code == "57P02", code == "57P03": // admin/crash shutdown, cannot connect now
		return Down
	}
	return Other
}

// sqliteCode reads an extended result code: the low byte is the primary code.
func sqliteCode(code int) Class {
	switch code {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return Unique
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return Reference
	}
	switch code & 0xff {
	case sqlite3.SQLITE_CONSTRAINT, sqlite3.SQLITE_MISMATCH, sqlite3.SQLITE_TOOBIG, sqlite3.SQLITE_RANGE:
		return Rule
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return Busy
	case sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY,
		sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOMEM:
		return Down
	}
	return Other
}

// errDBClosed is database/sql's error for a *sql.DB already closed, which
// the package does not export: taken once from a closed pool, compared by
// identity.
var errDBClosed = func() error {
	db := sql.OpenDB(nopConnector{})
	db.Close()
	return db.PingContext(context.Background())
}()

type nopConnector struct{}

func (nopConnector) Connect(context.Context) (driver.Conn, error) { return nil, driver.ErrBadConn }
func (nopConnector) Driver() driver.Driver                        { return nil }

// Code is the API's code for a database error: CONFLICT, BAD_USER_INPUT,
// UNAVAILABLE, or "" when err is none of them.
func Code(err error) fail.Code {
	switch Classify(err) {
	case Unique:
		return fail.Conflict
	case Reference, Rule, Text:
		return fail.BadInput
	case Down, Busy:
		return fail.Unavailable
	}
	return ""
}

// Transient reports whether a retry of the same work may succeed: the
// database was down or busy, or the work ran out of time. Everything else
// (a rule of the data, a caller's error, a bug) fails the same way again.
func Transient(err error) bool {
	switch Classify(err) {
	case Down, Busy:
		return true
	case Other:
		return errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err)
	}
	return false
}
