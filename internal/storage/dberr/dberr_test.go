package dberr_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"sunlight/internal/storage/dberr"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/fail"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type classCase struct {
	name      string
	err       error
	class     dberr.Class
	code      fail.Code
	transient bool
}

// TestClassifyByCode: the errors both drivers really return, told apart by
// their codes (SQLSTATE, SQLite result codes), each with the API's code and
// whether a retry may mend it.
func TestClassifyByCode(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		d := dbtest.Open(t, dsn)
		for _, stmt := range []string{
			`CREATE TABLE classify_p (id INTEGER PRIMARY KEY)`,
			`CREATE TABLE classify_c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES classify_p (id), n INTEGER CHECK (n > 0))`,
			`INSERT INTO classify_p (id) VALUES (1)`,
			`INSERT INTO classify_c (id, p, n) VALUES (1, 1, 1)`,
		} {
			if _, err := d.SQL.ExecContext(ctx, stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
		exec := func(stmt string) error {
			_, err := d.SQL.ExecContext(ctx, stmt)
			if err == nil {
				t.Fatalf("%s succeeded", stmt)
			}
			return fmt.Errorf("wrapped: %w", err)
		}
		tests := []classCase{
			{"a duplicate key", exec(`INSERT INTO classify_c (id, p, n) VALUES (1, 1, 1)`), dberr.Unique, fail.Conflict, false},
			{"a reference to nothing", exec(`INSERT INTO classify_c (id, p, n) VALUES (2, 99, 1)`), dberr.Reference, fail.BadInput, false},
			{"a check", exec(`INSERT INTO classify_c (id, p, n) VALUES (3, 1, -1)`), dberr.Rule, fail.BadInput, false},
			{"a syntax error is a bug", exec(`SELEC 1`), dberr.Other, "", false},
			{"not a database error", errors.New("something else"), dberr.Other, "", false},
		}
		if dsn[:4] == "post" {
			_, nul := d.SQL.ExecContext(ctx, `SELECT $1::text`, "a\x00b")
			tests = append(tests, classCase{"a NUL in text", nul, dberr.Text, fail.BadInput, false})
		}
		d.Close()
		_, closed := d.SQL.ExecContext(ctx, `SELECT 1`)
		tests = append(tests, classCase{"a closed pool", closed, dberr.Down, fail.Unavailable, true})
		if dsn[:4] == "post" {
			down, _ := sql.Open("pgx", "postgres://u@127.0.0.1:1/x?connect_timeout=1")
			defer down.Close()
			tests = append(tests, classCase{"a server that does not answer", down.PingContext(ctx), dberr.Down, fail.Unavailable, true})
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if got := dberr.Classify(tt.err); got != tt.class {
					t.Fatalf("Classify(%v) = %d, want %d", tt.err, got, tt.class)
				}
				if got := dberr.Code(tt.err); got != tt.code {
					t.Fatalf("Code = %q, want %q", got, tt.code)
				}
				if got := dberr.Transient(tt.err); got != tt.transient {
					t.Fatalf("Transient = %v, want %v", got, tt.transient)
				}
			})
		}
	})
}
