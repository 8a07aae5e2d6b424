package dbtest

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Template is a database that is costly to fill (the demo, say), built at
// most once per test process and backend, and copied for every test that
// asks for it: a file copy on SQLite, CREATE DATABASE … TEMPLATE on
// PostgreSQL. Each test gets its own copy, so tests may write to it and run
// in parallel.
type Template struct {
	name  string
	build func(ctx context.Context, dsn string) error

	sqlite, postgres built
	copying          sync.Mutex
}

// built is one backend's template: built once, or the error of trying.
type built struct {
	once sync.Once
	src  string // the SQLite file, or the PostgreSQL database's name
	err  error
}

// NewTemplate returns a template named name (for messages) whose database
// build fills, given the DSN of a fresh, empty one. build must close every
// connection it opened before it returns: a PostgreSQL database in use
// cannot be copied, and an SQLite file must be whole on disk.
func NewTemplate(name string, build func(ctx context.Context, dsn string) error) *Template {
	return &Template{name: name, build: build}
}

// Each runs fn as the subtests "sqlite" and "postgres", each with the DSN of
// a fresh copy of the template on that backend (see Each for the skipping
// of the postgres half).
func (tp *Template) Each(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run(SQLite, func(t *testing.T) { fn(t, tp.DSN(t, SQLite)) })
	t.Run(Postgres, func(t *testing.T) { fn(t, tp.DSN(t, Postgres)) })
}

// DSN returns the DSN of a fresh copy of the template on backend (SQLite or
// Postgres), removed when t ends.
func (tp *Template) DSN(t testing.TB, backend string) string {
	t.Helper()
	switch backend {
	case SQLite:
		return tp.sqliteCopy(t)
	case Postgres:
		return tp.postgresCopy(t)
	}
	t.Fatalf("dbtest: no backend %q", backend)
	return ""
}

func (tp *Template) sqliteCopy(t testing.TB) string {
	t.Helper()
	b := &tp.sqlite
	b.once.Do(func() {
		dir, err := os.MkdirTemp("", "sunlight-template-")
		if err != nil {
			b.err = err
			return
		}
		atExit(func() { os.RemoveAll(dir) })
		b.src = filepath.Join(dir, "template.db")
		b.err = tp.run("file:" + b.src)
	})
	if b.err != nil {
		t.Fatalf("dbtest: building the %s template on SQLite: %v", tp.name, b.err)
	}
	dst := filepath.Join(t.TempDir(), "test.db")
	if err := copyFile(dst, b.src); err != nil {
		t.Fatalf("dbtest: copying the %s template: %v", tp.name, err)
	}
	return "file:" + dst
}

func (tp *Template) postgresCopy(t testing.TB) string {
	t.Helper()
	admin, options := postgresAdmin(t)
	b := &tp.postgres
	b.once.Do(func() {
		dsn, name, err := newDatabase(admin, "sunlight_tpl_", "template0", options)
		if err != nil {
			b.err = err
			return
		}
		atExit(func() { dropDatabase(admin, name) })
		b.src, b.err = name, tp.run(dsn)
	})
	if b.err != nil {
		t.Fatalf("dbtest: building the %s template on PostgreSQL: %v", tp.name, b.err)
	}
	// Copies are made one at a time: a database being copied must have no
	// other session, and CREATE DATABASE itself holds one on it.
	tp.copying.Lock()
	defer tp.copying.Unlock()
	dsn, err := createDatabase(t, admin, b.src, options)
	if err != nil {
		t.Fatalf("dbtest: copying the %s template: %v", tp.name, err)
	}
	return dsn
}

func (tp *Template) run(dsn string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := tp.build(ctx, dsn); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	return nil
}

// copyFile copies the file src to dst.
func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// exits are what Main does after the tests, before the server stops:
// removing the templates.
var exits struct {
	sync.Mutex
	fns []func()
}

func atExit(fn func()) {
	exits.Lock()
	defer exits.Unlock()
	exits.fns = append(exits.fns, fn)
}

func runExits() {
	exits.Lock()
	defer exits.Unlock()
	for _, fn := range exits.fns {
		fn()
	}
	exits.fns = nil
}
