// Package demotest hands tests a database holding the demo data, cheaply:
// the demo is loaded once per test process and backend into a template
// (package dbtest), and each test gets its own copy of it, so tests may
// write to it. It is a test helper: import it only from _test.go files, and
// let the package's TestMain hand over to dbtest.Main, which removes the
// templates.
package demotest

import (
	"context"
	"fmt"
	"testing"

	"sunlight/internal/demo"
	"sunlight/internal/storage/db"
	"sunlight/internal/storage/dbtest"
)

var template = dbtest.NewTemplate("demo", func(ctx context.Context, dsn string) error {
	d, err := db.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Migrate(ctx); err != nil {
		return err
	}
	if err := demo.Load(ctx, d.Client); err != nil {
		return fmt.Errorf("load demo: %w", err)
	}
	return d.Close()
})

// Each runs fn as the subtests "sqlite" and "postgres", each with the DSN
// of a fresh, migrated database holding the demo data.
func Each(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	template.Each(t, fn)
}

// DSN returns the DSN of a fresh, migrated database holding the demo data
// on backend (dbtest.SQLite or dbtest.Postgres).
func DSN(t testing.TB, backend string) string {
	t.Helper()
	return template.DSN(t, backend)
}

// Open opens a fresh database holding the demo data on backend for the
// test; it is closed when the test ends.
func Open(t testing.TB, backend string) *db.DB {
	t.Helper()
	return dbtest.Open(t, DSN(t, backend))
}
