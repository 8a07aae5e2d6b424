package dataversion_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"sunlight/ent"
	"sunlight/internal/storage/dataversion"
	"sunlight/internal/storage/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestWrites(t *testing.T) {
	tests := []struct {
		query string
		want  bool
	}{
		{"SELECT * FROM vouchers", false},
		{"  select 1", false},
		{"SELECT id FROM vouchers WHERE id = $1 FOR UPDATE", false},
		{"(SELECT 1) UNION (SELECT 2)", false},
		{"-- a comment\nSELECT 1", false},
		{"/* a comment */ SELECT 1", false},
		{"WITH t AS (SELECT 1) SELECT * FROM t", false},
		{"WITH updated_rows AS (SELECT 1) SELECT * FROM updated_rows", false},
		{"PRAGMA foreign_keys", false},
		{"BEGIN", false},
		{"INSERT INTO vouchers (no) VALUES ($1)", true},
		{"insert into vouchers default values returning id", true},
		{"UPDATE vouchers SET status = $1", true},
		{"DELETE FROM vouchers", true},
		{"WITH t AS (DELETE FROM x RETURNING id) SELECT * FROM t", true},
		{"WITH t AS (SELECT 1) INSERT INTO x SELECT * FROM t", true},
		{"CREATE TABLE x (id int)", true},
		{"ALTER TABLE x ADD COLUMN y int", true},
		{"-- only a comment", true},
		{"", true},
		{"/* unterminated", true},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			if got := dataversion.Writes(tt.query); got != tt.want {
				t.Fatalf("Writes(%q) = %v, want %v", tt.query, got, tt.want)
			}
		})
	}
}

// FuzzWrites: the classifier never panics, and comments or white space in
// front of a statement never change its answer.
func FuzzWrites(f *testing.F) {
	for _, q := range []string{"SELECT 1", "INSERT INTO x VALUES (1)", "WITH a AS (UPDATE x SET y=1) SELECT 1", "/**/", "--\n", "(("} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		got := dataversion.Writes(q)
		for _, prefix := range []string{"  ", "-- note\n", "/* note */", "\n\t"} {
			if dataversion.Writes(prefix+q) != got {
				t.Fatalf("Writes(%q) = %v but Writes(%q) differs", q, got, prefix+q)
			}
		}
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(q)), "INSERT ") && !got {
			t.Fatalf("Writes(%q) = false for an INSERT", q)
		}
	})
}

func TestTrack(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		d := dbtest.Open(t, dsn)
		version := func() int64 {
			t.Helper()
			v, err := dataversion.Read(ctx, d.SQL)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		n := 0
		create := func(c *ent.Client) error {
			n++
			_, err := c.Community.Create().SetName(fmt.Sprintf("测试%d社区", n)).SetCode(fmt.Sprintf("c%d", n)).Save(ctx)
			return err
		}
		steps := []struct {
			name  string
			do    func() error
			raise int64
			// outside a transaction each statement raises: the record and
			// its audit event are two
			orMore bool
		}{
			{"a read raises nothing", func() error { _, err := d.Client.Community.Query().Count(ctx); return err }, 0, false},
			{"a write outside a transaction raises", func() error { return create(d.Client) }, 1, true},
			{"a transaction of two writes raises once, at commit", func() error {
				return withTx(ctx, d.Client, func(tx *ent.Tx) error {
					if err := create(tx.Client()); err != nil {
						return err
					}
					return create(tx.Client())
				})
			}, 1, false},
			{"a transaction rolled back raises nothing", func() error {
				err := withTx(ctx, d.Client, func(tx *ent.Tx) error {
					if err := create(tx.Client()); err != nil {
						return err
					}
					return errors.New("changed my mind")
				})
				if err == nil {
					return errors.New("the transaction committed")
				}
				return nil
			}, 0, false},
			{"a read-only transaction raises nothing", func() error {
				return withTx(ctx, d.Client, func(tx *ent.Tx) error {
					_, err := tx.Community.Query().All(ctx)
					return err
				})
			}, 0, false},
			{"an update of several rows outside a transaction raises", func() error {
				_, err := d.Client.Community.Update().SetMinSignatures(3).Save(ctx)
				return err
			}, 1, true},
			{"a write that fails raises nothing", func() error {
				_, err := d.Client.Community.Create().SetName("重复").SetCode("c1").Save(ctx)
				if err == nil {
					return errors.New("a duplicate code was saved")
				}
				return nil
			}, 0, false},
			{"Raise raises once", func() error { return dataversion.Raise(ctx, d.SQL) }, 1, false},
		}
		for _, s := range steps {
			before := version()
			if err := s.do(); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			if got := version() - before; got != s.raise && !(s.orMore && got > s.raise) {
				t.Errorf("%s: the version rose by %d, want %d", s.name, got, s.raise)
			}
		}
	})
}

// TestTrackConcurrent: concurrent writers each raise the version once; on
// PostgreSQL the raise is the last lock of each transaction, so they queue
// on it without deadlocking, and no raise is lost.
func TestTrackConcurrent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		d := dbtest.Open(t, dsn)
		before, err := dataversion.Read(ctx, d.SQL)
		if err != nil {
			t.Fatal(err)
		}
		const writers = 8
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- withTx(ctx, d.Client, func(tx *ent.Tx) error {
					_, err := tx.Community.Create().SetName(fmt.Sprintf("并发%d社区", i)).SetCode(fmt.Sprintf("p%d", i)).Save(ctx)
					return err
				})
			}()
		}
		wg.Wait()
		close(errs)
		committed := int64(0)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
			committed++
		}
		after, err := dataversion.Read(ctx, d.SQL)
		if err != nil {
			t.Fatal(err)
		}
		if after-before != committed || committed == 0 {
			t.Fatalf("%d transactions committed and the version rose by %d", committed, after-before)
		}
	})
}

func withTx(ctx context.Context, c *ent.Client, fn func(*ent.Tx) error) error {
	tx, err := c.Tx(ctx)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}
