package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	atlas "ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"

	entmigrate "sunlight/ent/migrate"
	"sunlight/ent/migrate/migrations"
)

// RevisionsTable records which migration files a PostgreSQL database has
// applied (Atlas's revision history).
const RevisionsTable = "atlas_schema_revisions"

// VersionedOptions tune MigrateVersioned.
type VersionedOptions struct {
	// Baseline adopts a database created before versioned migrations (by
	// ent's auto-migration) as being at this version: the files up to it
	// are recorded as applied without running them.
	Baseline string
	// Dir replaces the embedded migration folder (tests).
	Dir atlas.Dir
}

// MigrateVersioned applies the pending versioned migration files to a
// PostgreSQL database, each file in its own transaction, under an advisory
// lock so that two instances starting together do not both migrate. It
// returns the versions applied.
func (d *DB) MigrateVersioned(ctx context.Context, o VersionedOptions) ([]string, error) {
	if d.Dialect != dialect.Postgres {
		return nil, fmt.Errorf("versioned migrations are for PostgreSQL; %s uses Migrate", d.Dialect)
	}
	dir, err := o.dir()
	if err != nil {
		return nil, err
	}
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(hashtext('sunlight-migrate'))`); err != nil {
		return nil, fmt.Errorf("lock for migrating: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtext('sunlight-migrate'))`)
	if _, err := conn.ExecContext(ctx, createRevisions); err != nil {
		return nil, fmt.Errorf("create %s: %w", RevisionsTable, err)
	}
	var current string
	if err := conn.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&current); err != nil {
		return nil, err
	}
	var applied []string
	baseline := o.Baseline
	for {
		done, version, err := applyNext(ctx, conn, dir, current, baseline)
		if err != nil {
			return applied, err
		}
		if done {
			return applied, nil
		}
		baseline = ""
		applied = append(applied, version)
	}
}

// applyNext applies the next pending file in one transaction.
func applyNext(ctx context.Context, conn *sql.Conn, dir atlas.Dir, current, baseline string) (done bool, version string, err error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return false, "", err
	}
	defer tx.Rollback()
	drv, err := postgres.Open(tx)
	if err != nil {
		return false, "", err
	}
	opts := []atlas.ExecutorOption{atlas.WithOperatorVersion("sunlight"), atlas.WithLogger(nopLogger{})}
	if baseline != "" {
		opts = append(opts, atlas.WithBaselineVersion(baseline))
	}
	ex, err := atlas.NewExecutor(drv, dir, &revisions{q: tx, schema: current}, opts...)
	if err != nil {
		return false, "", err
	}
	pending, err := ex.Pending(ctx)
	if errors.Is(err, atlas.ErrNoPendingFiles) {
		return true, "", tx.Commit()
	}
	if err != nil {
		var nc *atlas.NotCleanError
		if errors.As(err, &nc) {
			return false, "", fmt.Errorf("%w\nthe database has tables but no migration history (it was made by an older build's auto-migration): adopt it with `sunlight migrate --baseline VERSION`, VERSION being the first file of ent/migrate/migrations", err)
		}
		return false, "", err
	}
	if err := ex.Execute(ctx, pending[0]); err != nil {
		return false, "", fmt.Errorf("migration %s: %w", pending[0].Name(), err)
	}
	return false, pending[0].Version(), tx.Commit()
}

// PendingMigrations lists the versions of the migration files a
// PostgreSQL database has not applied yet (none on SQLite, which
// auto-migrates).
func (d *DB) PendingMigrations(ctx context.Context) ([]string, error) {
	if d.Dialect != dialect.Postgres {
		return nil, nil
	}
	dir, err := migrations.Dir()
	if err != nil {
		return nil, err
	}
	var exists bool
	if err := d.SQL.QueryRowContext(ctx, `SELECT to_regclass($1) IS NOT NULL`, RevisionsTable).Scan(&exists); err != nil {
		return nil, err
	}
	files, err := dir.Files()
	if err != nil {
		return nil, err
	}
	done := map[string]bool{}
	if exists {
		rows, err := d.SQL.QueryContext(ctx, `SELECT version FROM `+RevisionsTable+` WHERE applied = total`)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				return nil, err
			}
			done[v] = true
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	var pending []string
	for _, f := range files {
		if !done[f.Version()] {
			pending = append(pending, f.Version())
		}
	}
	return pending, nil
}

// SchemaDiff returns the SQL that would bring the database to the schema
// this build's ent expects; empty means current. It changes nothing.
func (d *DB) SchemaDiff(ctx context.Context) ([]string, error) {
	dir := &atlas.MemDir{}
	m, err := schema.NewMigrate(entsql.OpenDB(d.Dialect, d.SQL), append(migrations.Options(),
		schema.WithDir(dir),
		schema.WithMigrationMode(schema.ModeInspect),
		schema.WithDialect(d.Dialect),
		schema.WithFormatter(atlas.DefaultFormatter),
	)...)
	if err != nil {
		return nil, err
	}
	err = m.NamedDiff(ctx, "drift", entmigrate.Tables...)
	if errors.Is(err, atlas.ErrNoPlan) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("compare the %s schema with ent's: %w", d.Dialect, err)
	}
	files, err := dir.Files()
	if err != nil {
		return nil, err
	}
	var stmts []string
	for _, f := range files {
		for _, line := range strings.Split(string(f.Bytes()), "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "--") {
				stmts = append(stmts, line)
			}
		}
	}
	return stmts, nil
}

// MigrateProduction brings the schema up to date the way each database is
// maintained: versioned files on PostgreSQL, then a check that they left
// nothing for ent to add; auto-migration on SQLite.
func (d *DB) MigrateProduction(ctx context.Context, o VersionedOptions) ([]string, error) {
	if d.Dialect != dialect.Postgres {
		return nil, d.Migrate(ctx)
	}
	applied, err := d.MigrateVersioned(ctx, o)
	if err != nil {
		return applied, err
	}
	drift, err := d.SchemaDiff(ctx)
	if err != nil {
		return applied, err
	}
	if len(drift) > 0 {
		return applied, fmt.Errorf("the migration files lag the ent schema of this build (regenerate them: %s); missing:\n  %s", migrations.Regenerate, strings.Join(drift, "\n  "))
	}
	return applied, d.afterMigrate(ctx)
}

func (o VersionedOptions) dir() (atlas.Dir, error) {
	if o.Dir != nil {
		return o.Dir, nil
	}
	return migrations.Dir()
}

const createRevisions = `CREATE TABLE IF NOT EXISTS ` + RevisionsTable + ` (
	version text PRIMARY KEY,
	description text NOT NULL,
	type bigint NOT NULL DEFAULT 2,
	applied bigint NOT NULL DEFAULT 0,
	total bigint NOT NULL DEFAULT 0,
	executed_at timestamptz NOT NULL,
	execution_time bigint NOT NULL,
	error text NOT NULL DEFAULT '',
	error_stmt text NOT NULL DEFAULT '',
	hash text NOT NULL DEFAULT '',
	partial_hashes text NOT NULL DEFAULT '[]',
	operator_version text NOT NULL DEFAULT ''
)`

// revisions stores Atlas's revision history in RevisionsTable.
type revisions struct {
	schema string // the schema the table is in (PostgreSQL's current_schema)
	q      interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	}
}

func (r *revisions) Ident() *atlas.TableIdent {
	return &atlas.TableIdent{Name: RevisionsTable, Schema: r.schema}
}

const revisionColumns = `version, description, type, applied, total, executed_at, execution_time, error, error_stmt, hash, partial_hashes, operator_version`

func (r *revisions) ReadRevisions(ctx context.Context) ([]*atlas.Revision, error) {
	return r.read(ctx, `SELECT `+revisionColumns+` FROM `+RevisionsTable+` ORDER BY version`)
}

func (r *revisions) ReadRevision(ctx context.Context, v string) (*atlas.Revision, error) {
	revs, err := r.read(ctx, `SELECT `+revisionColumns+` FROM `+RevisionsTable+` WHERE version = $1`, v)
	if err != nil {
		return nil, err
	}
	if len(revs) == 0 {
		return nil, atlas.ErrRevisionNotExist
	}
	return revs[0], nil
}

func (r *revisions) read(ctx context.Context, q string, args ...any) ([]*atlas.Revision, error) {
	rows, err := r.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var revs []*atlas.Revision
	for rows.Next() {
		var (
			rev     atlas.Revision
			typ     int64
			took    int64
			partial string
		)
		if err := rows.Scan(&rev.Version, &rev.Description, &typ, &rev.Applied, &rev.Total, &rev.ExecutedAt, &took,
			&rev.Error, &rev.ErrorStmt, &rev.Hash, &partial, &rev.OperatorVersion); err != nil {
			return nil, err
		}
		rev.Type = atlas.RevisionType(typ)
		rev.ExecutionTime = time.Duration(took)
		if err := json.Unmarshal([]byte(partial), &rev.PartialHashes); err != nil {
			return nil, err
		}
		revs = append(revs, &rev)
	}
	return revs, rows.Err()
}

func (r *revisions) WriteRevision(ctx context.Context, rev *atlas.Revision) error {
	partial, err := json.Marshal(rev.PartialHashes)
	if err != nil {
		return err
	}
	if rev.PartialHashes == nil {
		partial = []byte("[]")
	}
	_, err = r.q.ExecContext(ctx, `INSERT INTO `+RevisionsTable+` (`+revisionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (version) DO UPDATE SET description = EXCLUDED.description, type = EXCLUDED.type,
			applied = EXCLUDED.applied, total = EXCLUDED.total, executed_at = EXCLUDED.executed_at,
			execution_time = EXCLUDED.execution_time, error = EXCLUDED.error, error_stmt = EXCLUDED.error_stmt,
			hash = EXCLUDED.hash, partial_hashes = EXCLUDED.partial_hashes, operator_version = EXCLUDED.operator_version`,
		rev.Version, rev.Description, int64(rev.Type), rev.Applied, rev.Total, rev.ExecutedAt, int64(rev.ExecutionTime),
		rev.Error, rev.ErrorStmt, rev.Hash, string(partial), rev.OperatorVersion)
	return err
}

func (r *revisions) DeleteRevision(ctx context.Context, v string) error {
	_, err := r.q.ExecContext(ctx, `DELETE FROM `+RevisionsTable+` WHERE version = $1`, v)
	return err
}

type nopLogger struct{}

func (nopLogger) Log(atlas.LogEntry) {}
