package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	// The pgx database/sql driver, "pgx": the one Sunlight itself uses.
	_ "github.com/jackc/pgx/v5/stdlib"
)

// Environment variables read by PostgresURL.
const (
	// EnvPostgres names a PostgreSQL server to create test databases on, as
	// a URL whose user may CREATE DATABASE, e.g.
	// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable. The
	// database in the URL is only used to connect; tests never touch it.
	EnvPostgres = "SUNLIGHT_TEST_POSTGRES"
	// EnvRequirePostgres, set to 1, turns "no PostgreSQL here" from a skip
	// into a failure. CI sets it so that the PostgreSQL half of the suite
	// can never silently stop running.
	EnvRequirePostgres = "SUNLIGHT_REQUIRE_POSTGRES"
)

const skipMessage = "PostgreSQL half skipped: set SUNLIGHT_TEST_POSTGRES or install PostgreSQL (apt-get install postgresql)"

// PostgresURL returns the URL of a new, empty PostgreSQL database that is
// dropped when t ends. The server it lives on is, in order:
//
//  1. the one named by SUNLIGHT_TEST_POSTGRES, if that is set;
//  2. otherwise a throwaway server of this test process, started on first use
//     from the PostgreSQL binaries installed on the machine (the newest of
//     /usr/lib/postgresql/*/bin, else initdb, pg_ctl and postgres on PATH):
//     a new cluster in a temporary folder (in memory, /dev/shm, where there
//     is room), trust authentication, listening on 127.0.0.1 on a free
//     port, with durability switched off for speed. It starts in about a
//     second, and a database then takes some 20 ms to create.
//     When the process runs as root, as CI does, the server runs as the
//     "postgres" OS user, because PostgreSQL refuses to run as root.
//
// It never uses a server that merely happens to listen on 5432: tests must
// not depend on the machine they run on beyond installed binaries.
//
// With neither, the test is skipped, or fails if SUNLIGHT_REQUIRE_POSTGRES=1.
//
// One server is shared by the whole test process and each call creates its
// own database from template0, so tests are isolated from one another and
// may run in parallel. The throwaway server is stopped by Main; should the
// process die without reaching it (killed, or a test timeout), the server
// gets SIGQUIT from the kernel when its parent goes (an immediate shutdown),
// and its folder is removed by the next test process that starts a server.
// A server whose folder is deleted under it shuts itself down within about a
// minute, as PostgreSQL checks its lock file.
func PostgresURL(t testing.TB) string {
	t.Helper()
	admin, options := postgresAdmin(t)
	dsn, err := createDatabase(t, admin, "template0", options)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	return dsn
}

// postgresAdmin returns the admin URL of the server PostgresURL uses and
// the options its CREATE DATABASE takes, skipping (or failing) t when there
// is none.
func postgresAdmin(t testing.TB) (admin, options string) {
	t.Helper()
	if env := os.Getenv(EnvPostgres); env != "" {
		return env, ""
	}
	c, err := localCluster()
	if err == errNoBinaries {
		unavailable(t)
		return "", ""
	}
	if err != nil {
		t.Fatalf("dbtest: starting a throwaway PostgreSQL server: %v", err)
	}
	return c.adminURL(), c.createOptions
}

// unavailable skips t, or fails it when PostgreSQL is required.
func unavailable(t testing.TB) {
	t.Helper()
	if os.Getenv(EnvRequirePostgres) == "1" {
		t.Fatal("PostgreSQL is required (" + EnvRequirePostgres + "=1) but there is none: set " +
			EnvPostgres + " or install PostgreSQL (apt-get install postgresql)")
	}
	t.Skip(skipMessage)
}

// admins holds one small connection pool per server, used only to create
// and drop databases; opening one per test would cost a connection setup.
var admins struct {
	sync.Mutex
	pools map[string]*sql.DB
}

func adminDB(adminURL string) (*sql.DB, error) {
	admins.Lock()
	defer admins.Unlock()
	if db, ok := admins.pools[adminURL]; ok {
		return db, nil
	}
	db, err := sql.Open("pgx", adminURL)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	// An idle admin connection must not outlive the tests' use of it by
	// much: on a shared server it is a slot taken from everybody else.
	db.SetConnMaxIdleTime(30 * time.Second)
	if admins.pools == nil {
		admins.pools = map[string]*sql.DB{}
	}
	admins.pools[adminURL] = db
	return db, nil
}

func closeAdmins() {
	admins.Lock()
	defer admins.Unlock()
	for k, db := range admins.pools {
		db.Close()
		delete(admins.pools, k)
	}
}

// createDatabase creates a database with a random name on the server of
// adminURL as a copy of template, with the further CREATE DATABASE options
// given, registers its drop with t.Cleanup and returns its URL.
func createDatabase(t testing.TB, adminURL, template, options string) (string, error) {
	dsn, name, err := newDatabase(adminURL, "sunlight_t_", template, options)
	if err != nil {
		return "", err
	}
	t.Cleanup(func() {
		if err := dropDatabase(adminURL, name); err != nil {
			t.Errorf("dbtest: dropping test database %s: %v", name, err)
		}
	})
	return dsn, nil
}

// newDatabase creates a database named prefix and a random suffix on the
// server of adminURL as a copy of template and returns its URL and name.
func newDatabase(adminURL, prefix, template, options string) (dsn, name string, err error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		// Not %v of the URL: it may hold a password.
		return "", "", fmt.Errorf("%s is not a URL", EnvPostgres)
	}
	db, err := adminDB(adminURL)
	if err != nil {
		return "", "", err
	}
	var b [8]byte
	rand.Read(b[:])
	// Lower case, so it needs no quoting to be the same name everywhere.
	name = prefix + hex.EncodeToString(b[:])

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// template0 rather than template1 for an empty database: it takes no
	// connections, so parallel creations never collide on "source database
	// is being accessed", and nothing added to template1 on a shared server
	// leaks into the tests. A Template's database is closed before it is
	// copied, for the same reason.
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE "+template+" ENCODING 'UTF8'"+options); err != nil {
		return "", "", fmt.Errorf("creating test database on %s: %w", u.Redacted(), err)
	}
	u.Path = "/" + name
	u.RawPath = ""
	return u.String(), name, nil
}

func dropDatabase(adminURL, name string) error {
	db, err := adminDB(adminURL)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Connections the test forgot to close would block the drop. WITH
	// (FORCE) would end them too but only exists from PostgreSQL 13 on, and
	// the server of SUNLIGHT_TEST_POSTGRES may be older.
	if _, err := db.ExecContext(ctx,
		"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
		name); err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name)
	return err
}
