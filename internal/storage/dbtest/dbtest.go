// Package dbtest gives Sunlight's tests fresh, empty databases on both
// backends the platform supports, SQLite and PostgreSQL, so that one test
// suite proves the code on both. It is a test helper: import it only from
// _test.go files.
//
// A test that should run on both backends wraps its body in Each:
//
//	func TestSomething(t *testing.T) {
//		dbtest.Each(t, func(t *testing.T, dsn string) {
//			client := openWith(t, dsn) // "file:..." or "postgres://..."
//			...
//		})
//	}
//
// and the package's TestMain hands over to Main, which stops the throwaway
// PostgreSQL server (if one was started) once the tests are done:
//
//	func TestMain(m *testing.M) { dbtest.Main(m) }
//
// Where the PostgreSQL server comes from is described at PostgresURL.
package dbtest

import (
	"os"
	"path/filepath"
	"testing"
)

// Subtest names used by Each, one per backend.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// SQLiteDSN returns the DSN of a new SQLite database file in t.TempDir(), in
// the plain "file:/path/test.db" form. Connection options (foreign keys,
// journal mode, busy timeout) are the db package's business, so they are
// left off here and the test exercises the options production uses.
func SQLiteDSN(t testing.TB) string {
	t.Helper()
	return "file:" + filepath.Join(t.TempDir(), "test.db")
}

// Each runs fn twice, as the subtests "sqlite" and "postgres", each with the
// DSN of a fresh database of that kind. The postgres subtest is skipped (or
// fails, under SUNLIGHT_REQUIRE_POSTGRES=1) when no PostgreSQL server can be
// had; see PostgresURL.
func Each(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run(SQLite, func(t *testing.T) {
		fn(t, SQLiteDSN(t))
	})
	t.Run(Postgres, func(t *testing.T) {
		fn(t, PostgresURL(t))
	})
}

// Main is for a package's TestMain: it runs the tests, then stops the
// throwaway PostgreSQL server this process started (if any) and removes its
// files, and exits with the tests' status. Without it the server still dies
// with the test process (see PostgresURL), but its files stay in the
// temporary folder until the next test process that starts a server sweeps
// them away.
func Main(m *testing.M) {
	code := m.Run()
	shutdown()
	os.Exit(code)
}
