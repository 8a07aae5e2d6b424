package dbtest

import (
	"context"
	"testing"

	_ "sunlight/internal/access/rules" // the write rules every database opens with
	"sunlight/internal/storage/db"
)

// Open opens and migrates a database at dsn for the test and closes it at
// the end of the test.
func Open(t testing.TB, dsn string) *db.DB {
	t.Helper()
	return open(t, dsn)
}

func open(t testing.TB, dsn string, opts ...db.Option) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, dsn, opts...)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return d
}
