package governance_test

import (
	"context"
	"sync"
	"testing"

	"sunlight/internal/demo/demotest"
	"sunlight/internal/governance"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/pinyin"
)

// TestCatchUpNameSortAtOnce: servers starting together on one database
// each catch the sort keys up; they all succeed, and every key ends as the
// pinyin of its name.
func TestCatchUpNameSortAtOnce(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		d := dbtest.Open(t, dsn)
		if _, err := d.SQL.ExecContext(ctx, `UPDATE communities SET name_sort = ''`); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 5)
		for range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := governance.CatchUpNameSort(ctx, d.Client); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		cs, err := d.Client.Community.Query().All(ctx)
		if err != nil || len(cs) == 0 {
			t.Fatalf("%d communities, %v", len(cs), err)
		}
		for _, c := range cs {
			if c.NameSort != pinyin.Key(c.Name) || c.NameSort == "" {
				t.Fatalf("%s: key %q, want %q", c.Name, c.NameSort, pinyin.Key(c.Name))
			}
		}
		if n, err := governance.CatchUpNameSort(ctx, d.Client); n != 0 || err != nil {
			t.Fatalf("a second catch-up wrote %d keys (%v), want none", n, err)
		}
	})
}
