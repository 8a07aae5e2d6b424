// Package backup takes online backups of Sunlight's SQLite database with
// VACUUM INTO: a consistent copy of the last committed state, made while
// the server keeps reading and writing. PostgreSQL is backed up with its
// own tools (pg_dump), which this package points to.
package backup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"entgo.io/ent/dialect"

	"sunlight/internal/storage/db"
)

// ErrPostgres says to use pg_dump.
var ErrPostgres = errors.New("sunlight backup is for the embedded SQLite database; back up PostgreSQL with its own tools, e.g.\n" +
	"  pg_dump --format=custom --file=sunlight.dump \"$SUNLIGHT_DB\"\n" +
	"and restore with\n" +
	"  pg_restore --clean --if-exists --dbname=\"$SUNLIGHT_DB\" sunlight.dump")

// SQLite writes a consistent copy of d to out, which must not exist. The
// copy is a complete database file (no -wal or -shm beside it needed).
func SQLite(ctx context.Context, d *db.DB, out string) error {
	if d.Dialect != dialect.SQLite {
		return ErrPostgres
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err == nil {
		return fmt.Errorf("%s exists: a backup never overwrites a file", out)
	}
	if _, err := d.SQL.ExecContext(ctx, `VACUUM INTO ?`, abs); err != nil {
		return fmt.Errorf("backup to %s: %w", out, err)
	}
	return nil
}

// Check runs SQLite's integrity and foreign-key checks on d.
func Check(ctx context.Context, d *db.DB) error {
	if d.Dialect != dialect.SQLite {
		return nil
	}
	var res string
	if err := d.SQL.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("integrity check: %s", res)
	}
	rows, err := d.SQL.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		return errors.New("foreign key check: rows point at missing rows")
	}
	return rows.Err()
}
