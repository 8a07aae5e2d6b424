package migrations_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sunlight/ent/community"
	"sunlight/ent/migrate/migrations"
	"sunlight/internal/demo"
	"sunlight/internal/ledger"
	"sunlight/internal/storage/db"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/money"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func versions(t *testing.T) []string {
	t.Helper()
	dir, err := migrations.Dir()
	if err != nil {
		t.Fatal(err)
	}
	files, err := dir.Files()
	if err != nil {
		t.Fatal(err)
	}
	var vs []string
	for _, f := range files {
		vs = append(vs, f.Version())
	}
	return vs
}

// The files must say everything the ent schema says. With
// SUNLIGHT_UPDATE_MIGRATIONS=NAME the test writes the missing file.
func TestFilesMatchSchema(t *testing.T) {
	ctx := context.Background()
	dev := dbtest.PostgresURL(t)
	if name := os.Getenv("SUNLIGHT_UPDATE_MIGRATIONS"); name != "" {
		wrote, err := migrations.Generate(ctx, dev, ".", name)
		if err != nil {
			t.Fatal(err)
		}
		if wrote {
			t.Logf("wrote a new migration %q into ent/migrate/migrations: review it, commit it with atlas.sum, and run the tests again without SUNLIGHT_UPDATE_MIGRATIONS", name)
		} else {
			t.Log("the migration files are current; nothing written")
		}
		return
	}
	// Replay a copy of the folder and see whether ent would add anything.
	tmp := t.TempDir()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") || e.Name() == "atlas.sum" {
			b, err := os.ReadFile(e.Name())
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(tmp, e.Name()), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	wrote, err := migrations.Generate(ctx, dev, tmp, "pending")
	if err != nil {
		t.Fatalf("%v\n(a hand-edited file breaks atlas.sum: regenerate instead: %s)", err, migrations.Regenerate)
	}
	if wrote {
		var missing []string
		news, _ := filepath.Glob(filepath.Join(tmp, "*_pending.sql"))
		for _, f := range news {
			b, _ := os.ReadFile(f)
			missing = append(missing, string(b))
		}
		t.Fatalf("the PostgreSQL migration files lag the ent schema. Run\n\n\tSUNLIGHT_UPDATE_MIGRATIONS=NAME go test ./ent/migrate/migrations\n\n"+
			"(NAME says what changed, e.g. add_accounts), review the new file in ent/migrate/migrations and commit it with atlas.sum.\nWhat is missing:\n%s",
			strings.Join(missing, "\n"))
	}
}

// A database made from the files alone is what ent expects, and applying
// them again does nothing.
func TestFilesCreateTheSchemaEntExpects(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, dbtest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	pending, err := d.PendingMigrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pending, versions(t)) {
		t.Fatalf("pending on an empty database = %v, want every file %v", pending, versions(t))
	}
	applied, err := d.MigrateVersioned(ctx, db.VersionedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(applied, versions(t)) {
		t.Fatalf("applied %v, want %v", applied, versions(t))
	}
	drift, err := d.SchemaDiff(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(drift) > 0 {
		t.Fatalf("the schema made from the files differs from ent's (run %s):\n%s", migrations.Regenerate, strings.Join(drift, "\n"))
	}
	if again, err := d.MigrateVersioned(ctx, db.VersionedOptions{}); err != nil || len(again) > 0 {
		t.Fatalf("second run applied %v, %v; want nothing", again, err)
	}
	if pending, err := d.PendingMigrations(ctx); err != nil || len(pending) > 0 {
		t.Fatalf("pending after migrating = %v, %v", pending, err)
	}
	// The platform works on it: the demo loads and its totals add up.
	if err := demo.Load(ctx, d.Client); err != nil {
		t.Fatal(err)
	}
	c := d.Client.Community.Query().Where(community.Code(demo.Code)).OnlyX(ctx)
	tot, err := ledger.TotalsFor(ctx, d.Client, c.ID, calendar.Month(2026, 10))
	if err != nil {
		t.Fatal(err)
	}
	if tot.Expense != 6438800 {
		t.Fatalf("October 2026 expense %s after migrating by files, want 64388.00", tot.Expense)
	}
}

// checkOldBooks checks the older build's books after the upgrade: its
// closed months summed into month sums, and the ledger's totals the same
// as the vouchers say.
func checkOldBooks(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	c := d.Client.Community.Query().Where(community.Code("oldbooks")).OnlyX(ctx)
	if c.TotalsThrough == nil || *c.TotalsThrough != "2026-09" {
		t.Fatalf("totals_through = %v after the upgrade, want 2026-09", c.TotalsThrough)
	}
	if n := d.Client.MonthSum.Query().CountX(ctx); n != 3 {
		t.Fatalf("%d month sums after the upgrade, want 3 (two categories of August and September's)", n)
	}
	for _, tc := range []struct {
		p       calendar.Period
		income  money.Fen
		expense money.Fen
	}{
		{calendar.Month(2026, 8), 500000, 200050},
		{calendar.Month(2026, 9), 0, 11600},
		{calendar.Month(2026, 10), 0, 30000},
		{calendar.Year(2026), 500000, 241650},
	} {
		tot, err := ledger.TotalsFor(ctx, d.Client, c.ID, tc.p)
		if err != nil {
			t.Fatal(err)
		}
		if tot.Income != tc.income || tot.Expense != tc.expense {
			t.Errorf("%s: income %s expense %s, want %s and %s", tc.p, tot.Income, tot.Expense, tc.income, tc.expense)
		}
	}
}

// An upgrade from the previous migration set keeps the data: apply all but
// the last file, write rows, apply the last. With a single file the
// previous "set" is the auto-migrated schema of the builds before versioned
// migrations, adopted with a baseline (sunlight migrate --baseline).
func TestUpgradeKeepsData(t *testing.T) {
	ctx := context.Background()
	vs := versions(t)
	d, err := db.Open(ctx, dbtest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if len(vs) >= 2 {
		prev, err := migrations.DirUpTo(len(vs) - 1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.MigrateVersioned(ctx, db.VersionedOptions{Dir: prev}); err != nil {
			t.Fatalf("apply all but the last file: %v", err)
		}
		// Rows as the previous build wrote them (plain SQL: its ent is gone).
		if _, err := d.SQL.ExecContext(ctx, `INSERT INTO communities (name, code) VALUES ('升级测试社区', 'upgrade')`); err != nil {
			t.Fatal(err)
		}
		applied, err := d.MigrateVersioned(ctx, db.VersionedOptions{})
		if err != nil {
			t.Fatalf("apply the last file: %v", err)
		}
		if !slices.Equal(applied, vs[len(vs)-1:]) {
			t.Fatalf("applied %v, want only the last file %s", applied, vs[len(vs)-1])
		}
		if n := d.Client.Community.Query().Where(community.Code("upgrade")).CountX(ctx); n != 1 {
			t.Fatalf("%d communities 'upgrade' after the upgrade, want 1", n)
		}
	} else {
		t.Logf("one migration file: upgrading an auto-migrated database by baseline %s", vs[0])
	}
	// Baseline: a database that an older build made by auto-migration
	// (simulated: the first file's schema without the record of applying
	// it), with data, adopted at the first file, then brought up to date.
	old, err := db.Open(ctx, dbtest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	first, err := migrations.DirUpTo(1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.MigrateVersioned(ctx, db.VersionedOptions{Dir: first}); err != nil {
		t.Fatal(err)
	}
	if _, err := old.SQL.ExecContext(ctx, "DROP TABLE "+db.RevisionsTable); err != nil {
		t.Fatal(err)
	}
	// The older build's books, written as it wrote them (plain SQL): two
	// closed months and an open one. Closed months had no month sums
	// then; the upgrade must sum them (ledger.CatchUpTotals).
	oldBooks := []string{
		`INSERT INTO communities (name, code, closed_through) VALUES ('旧账社区', 'oldbooks', '2026-09')`,
		`INSERT INTO vouchers (number, occurred_on, period, direction, category, amount, summary, status, community_id)
		 SELECT v.number, v.occurred_on::date, v.period, v.direction, v.category, v.amount, '旧账', 'POSTED', c.id
		 FROM communities c, (VALUES
		   ('O-1', '2026-08-03', '2026-08', 'EXPENSE', '办公经费', 120000),
		   ('O-2', '2026-08-20', '2026-08', 'EXPENSE', '办公经费', 80050),
		   ('O-3', '2026-08-21', '2026-08', 'INCOME', '租金收入', 500000),
		   ('O-4', '2026-09-09', '2026-09', 'EXPENSE', '办公用品', 11600),
		   ('O-5', '2026-10-10', '2026-10', 'EXPENSE', '办公经费', 30000)
		 ) AS v(number, occurred_on, period, direction, category, amount)
		 WHERE c.code = 'oldbooks'`,
	}
	for _, q := range oldBooks {
		if _, err := old.SQL.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	vouchers := old.Client.Voucher.Query().CountX(ctx)
	if _, err := old.MigrateVersioned(ctx, db.VersionedOptions{}); err == nil || !strings.Contains(err.Error(), "--baseline") {
		t.Fatalf("migrating an auto-migrated database without a baseline = %v, want advice to use --baseline", err)
	}
	if _, err := old.MigrateProduction(ctx, db.VersionedOptions{Baseline: vs[0]}); err != nil {
		t.Fatal(err)
	}
	if n := old.Client.Voucher.Query().CountX(ctx); n != vouchers {
		t.Fatalf("%d vouchers after the upgrade, want %d", n, vouchers)
	}
	checkOldBooks(t, old)
	if pending, err := old.PendingMigrations(ctx); err != nil || len(pending) > 0 {
		t.Fatalf("pending after the baseline = %v, %v", pending, err)
	}
}
