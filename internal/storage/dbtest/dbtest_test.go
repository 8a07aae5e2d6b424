package dbtest

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

func TestMain(m *testing.M) { Main(m) }

func openPG(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Ping(); err != nil {
		t.Fatalf("connecting to %s: %v", dsn, err)
	}
	return db
}

// checkIsolated asserts that two calls of PostgresURL give two different,
// empty databases, and that a table made in one is not in the other.
func checkIsolated(t *testing.T) {
	a, b := PostgresURL(t), PostgresURL(t)
	if a == b {
		t.Fatalf("two calls gave the same database %s", a)
	}
	dbA, dbB := openPG(t, a), openPG(t, b)
	var nameA, nameB string
	dbA.QueryRow("SELECT current_database()").Scan(&nameA)
	dbB.QueryRow("SELECT current_database()").Scan(&nameB)
	if nameA == nameB || !strings.HasPrefix(nameA, "sunlight_t_") {
		t.Fatalf("databases %q and %q", nameA, nameB)
	}
	if _, err := dbA.Exec("CREATE TABLE invoice (id bigint PRIMARY KEY, memo text)"); err != nil {
		t.Fatal(err)
	}
	if _, err := dbA.Exec("INSERT INTO invoice VALUES (1, '人民币')"); err != nil {
		t.Fatal(err)
	}
	var memo string
	if err := dbA.QueryRow("SELECT memo FROM invoice WHERE id = 1").Scan(&memo); err != nil || memo != "人民币" {
		t.Fatalf("read back %q, %v", memo, err)
	}
	var n int
	if err := dbB.QueryRow("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("second database has %d tables, want 0", n)
	}
	// The same table name is free in the other database.
	if _, err := dbB.Exec("CREATE TABLE invoice (id bigint PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
}

// TestThrowawayServer is the path of a developer's machine and CI: nothing
// configured, a server started from the installed binaries.
func TestThrowawayServer(t *testing.T) {
	t.Setenv(EnvPostgres, "")
	checkIsolated(t)
	c, err := localCluster()
	if err != nil {
		t.Fatal(err)
	}
	if c.port == 5432 {
		t.Errorf("throwaway server on the standard port")
	}
	fi, err := os.Stat(filepath.Join(c.dir, "data", "PG_VERSION"))
	if err != nil || fi.Size() == 0 {
		t.Errorf("no cluster in %s: %v", c.dir, err)
	}
}

// TestEnvServer takes the SUNLIGHT_TEST_POSTGRES path. The server it names
// is the throwaway one, so that the test depends on nothing but installed
// binaries; when the variable is set already, that server is tested.
func TestEnvServer(t *testing.T) {
	if os.Getenv(EnvPostgres) == "" {
		c, err := localCluster()
		if err == errNoBinaries {
			unavailable(t)
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Setenv(EnvPostgres, c.adminURL())
	}
	var name string
	t.Run("isolated", func(t *testing.T) {
		checkIsolated(t)
		a := PostgresURL(t)
		openPG(t, a).QueryRow("SELECT current_database()").Scan(&name)
		// A connection left open must not stop the drop at cleanup.
		db, err := sql.Open("pgx", a)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Ping(); err != nil {
			t.Fatal(err)
		}
	})
	// The subtest's databases are gone with it.
	admin := openPG(t, os.Getenv(EnvPostgres))
	var n int
	if err := admin.QueryRow("SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if name == "" || n != 0 {
		t.Fatalf("database %q left behind after its test (%d)", name, n)
	}
}

func TestSQLiteDSN(t *testing.T) {
	a, b := SQLiteDSN(t), SQLiteDSN(t)
	if a == b || !strings.HasPrefix(a, "file:/") || !strings.HasSuffix(a, ".db") {
		t.Fatalf("SQLiteDSN gave %q and %q", a, b)
	}
	if fi, err := os.Stat(filepath.Dir(strings.TrimPrefix(a, "file:"))); err != nil || !fi.IsDir() {
		t.Fatalf("folder of %s: %v", a, err)
	}
}

func TestEach(t *testing.T) {
	var sqlite, postgres atomic.Int32
	Each(t, func(t *testing.T, dsn string) {
		switch {
		case strings.HasSuffix(t.Name(), "/"+SQLite) && strings.HasPrefix(dsn, "file:"):
			sqlite.Add(1)
		case strings.HasSuffix(t.Name(), "/"+Postgres) && strings.HasPrefix(dsn, "postgres://"):
			openPG(t, dsn).PingContext(context.Background())
			postgres.Add(1)
		default:
			t.Errorf("subtest %s got %q", t.Name(), dsn)
		}
	})
	if sqlite.Load() != 1 {
		t.Errorf("sqlite ran %d times", sqlite.Load())
	}
	if p := postgres.Load(); p > 1 {
		t.Errorf("postgres ran %d times", p)
	}
}

// TestParallel makes databases from parallel tests, as a real suite does.
func TestParallel(t *testing.T) {
	for i := range 8 {
		t.Run("", func(t *testing.T) {
			t.Parallel()
			db := openPG(t, PostgresURL(t))
			if _, err := db.Exec("CREATE TABLE t (n int)"); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec("INSERT INTO t VALUES ($1)", i); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := db.QueryRow("SELECT sum(n) FROM t").Scan(&n); err != nil || n != i {
				t.Fatalf("sum %d, %v; want %d", n, err, i)
			}
		})
	}
}

// TestNoPostgres runs this test binary again on a machine without
// PostgreSQL as far as dbtest can tell, to see the PostgreSQL half skipped,
// or failed when it is required.
func TestNoPostgres(t *testing.T) {
	if os.Getenv("DBTEST_NO_POSTGRES") == "1" {
		// The child: no binaries anywhere.
		debianBinaries = filepath.Join(t.TempDir(), "*")
		Each(t, func(t *testing.T, dsn string) {
			t.Log("ran on " + dsn[:strings.Index(dsn, ":")])
		})
		return
	}
	for _, require := range []string{"", "1"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestNoPostgres$", "-test.v")
		cmd.Env = append(os.Environ(), "DBTEST_NO_POSTGRES=1", "PATH="+t.TempDir(),
			EnvPostgres+"=", EnvRequirePostgres+"="+require)
		out, err := cmd.CombinedOutput()
		s := string(out)
		if !strings.Contains(s, "ran on file") || strings.Contains(s, "ran on postgres") {
			t.Errorf("require=%q: sqlite half did not run alone:\n%s", require, s)
		}
		if require == "" && (err != nil || !strings.Contains(s, "--- SKIP: TestNoPostgres/postgres") ||
			!strings.Contains(s, skipMessage)) {
			t.Errorf("not required: want the postgres half skipped, got %v:\n%s", err, s)
		}
		if require == "1" && (err == nil || !strings.Contains(s, "--- FAIL: TestNoPostgres/postgres") ||
			!strings.Contains(s, "PostgreSQL is required")) {
			t.Errorf("required: want the postgres half failed, got %v:\n%s", err, s)
		}
	}
}

// TestTemplate: the template is built once per backend, and every copy
// starts from what it built, unchanged by what other copies wrote.
func TestTemplate(t *testing.T) {
	var builds atomic.Int32
	tp := NewTemplate("invoices", func(ctx context.Context, dsn string) error {
		builds.Add(1)
		db, err := openAny(dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, "CREATE TABLE invoice (id bigint PRIMARY KEY, memo text)"); err != nil {
			return err
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO invoice VALUES (1, '人民币')"); err != nil {
			return err
		}
		return db.Close()
	})
	for _, backend := range []string{SQLite, Postgres} {
		t.Run(backend, func(t *testing.T) {
			builds.Store(0)
			for i := range 3 {
				db, err := openAny(tp.DSN(t, backend))
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				var n int
				if err := db.QueryRow("SELECT count(*) FROM invoice").Scan(&n); err != nil || n != 1 {
					t.Fatalf("copy %d holds %d invoices (%v), want the template's 1", i, n, err)
				}
				if _, err := db.Exec("INSERT INTO invoice VALUES (2, 'written by a copy')"); err != nil {
					t.Fatal(err)
				}
			}
			if n := builds.Load(); n != 1 {
				t.Fatalf("template built %d times, want once", n)
			}
		})
	}
}

// openAny opens dsn with the driver its scheme calls for.
func openAny(dsn string) (*sql.DB, error) {
	if strings.HasPrefix(dsn, "file:") {
		return sql.Open("sqlite", dsn)
	}
	return sql.Open("pgx", dsn)
}
