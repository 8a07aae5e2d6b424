// Package migrations holds the versioned migrations of Sunlight's
// PostgreSQL schema, in Atlas's format (one NNN_name.sql file per change and
// atlas.sum, the checksum of the folder), embedded in the binary.
// `sunlight migrate` applies them on PostgreSQL; SQLite keeps ent's
// auto-migration.
//
// The files are written from the ent schema, never by hand: after changing
// ent/schema, run
//
//	SUNLIGHT_UPDATE_MIGRATIONS=NAME go test ./ent/migrate/migrations
//
// (it replays the folder on a throwaway PostgreSQL and writes the
// difference as a new file), or `go run ./ent/migrate/gen --name NAME
// --dev-url postgres://…` against an empty scratch database of your own.
// The tests of this package fail while the files lag the schema.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"

	atlas "ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"

	entmigrate "sunlight/ent/migrate"
)

//go:embed *.sql atlas.sum
var files embed.FS

// Regenerate is the command that brings the files up to the schema.
const Regenerate = "SUNLIGHT_UPDATE_MIGRATIONS=NAME go test ./ent/migrate/migrations (or go run ./ent/migrate/gen --name NAME --dev-url postgres://…)"

// Dir returns the embedded migration folder.
func Dir() (*atlas.MemDir, error) { return dirOf(files) }

// DirUpTo returns the embedded folder with only its first n files, as an
// older build would have had it (for upgrade tests).
func DirUpTo(n int) (*atlas.MemDir, error) {
	all, err := Dir()
	if err != nil {
		return nil, err
	}
	fs, err := all.Files()
	if err != nil {
		return nil, err
	}
	if n > len(fs) {
		return nil, fmt.Errorf("the folder has %d files, not %d", len(fs), n)
	}
	d := &atlas.MemDir{}
	for _, f := range fs[:n] {
		if err := d.WriteFile(f.Name(), f.Bytes()); err != nil {
			return nil, err
		}
	}
	sum, err := d.Checksum()
	if err != nil {
		return nil, err
	}
	return d, atlas.WriteSumFile(d, sum)
}

func dirOf(fsys fs.FS) (*atlas.MemDir, error) {
	d := &atlas.MemDir{}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		if err := d.WriteFile(e.Name(), b); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// Options are the schema-diff options the files are written with; the
// drift check uses the same, so both agree on what "current" means.
func Options() []schema.MigrateOption {
	return []schema.MigrateOption{
		schema.WithDropIndex(true),
		schema.WithDropColumn(true),
		schema.WithErrNoPlan(true),
	}
}

// Generate replays the folder at path on devURL (an empty PostgreSQL
// database) and writes the difference to the ent schema as a new file
// named name. It reports whether a file was written (false: the folder was
// current).
func Generate(ctx context.Context, devURL, path, name string) (bool, error) {
	if err := os.MkdirAll(path, 0o755); err != nil {
		return false, err
	}
	dir, err := atlas.NewLocalDir(path)
	if err != nil {
		return false, err
	}
	db, err := sql.Open("pgx", devURL)
	if err != nil {
		return false, err
	}
	defer db.Close()
	m, err := schema.NewMigrate(entsql.OpenDB(dialect.Postgres, db), append(Options(),
		schema.WithDir(dir),
		schema.WithMigrationMode(schema.ModeReplay),
		schema.WithDialect(dialect.Postgres),
		schema.WithFormatter(atlas.DefaultFormatter),
	)...)
	if err != nil {
		return false, err
	}
	switch err := m.NamedDiff(ctx, name, entmigrate.Tables...); {
	case errors.Is(err, atlas.ErrNoPlan):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("diff the migration files with the ent schema: %w", err)
	}
	return true, nil
}
