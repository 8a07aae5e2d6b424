package ledger_test

import (
	"context"
	"os"
	"testing"
	"time"

	"sunlight/ent/community"
	"sunlight/internal/demo"
	"sunlight/internal/ledger"
	"sunlight/internal/storage/db"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
)

// BenchmarkMonthTotalsAtScale is the month aggregate (ledgerTotals: posted
// vouchers of one community and month by direction and category, one GROUP
// BY) over the benchmark's scale data: 50 communities, 1,000,000 vouchers
// over 2016–2025. Loading a million vouchers takes a minute or more, so it
// runs only with SUNLIGHT_BENCH_SCALE=1:
//
//	SUNLIGHT_BENCH_SCALE=1 go test ./ledger -run '^$' -bench MonthTotalsAtScale -benchtime 2000x
//
// SUNLIGHT_BENCH_SQLITE=file:PATH and SUNLIGHT_BENCH_POSTGRES=postgres://…
// reuse databases that already hold the scale data (bench/run.sh makes
// both) instead of loading fresh ones; those are opened without migrating,
// so an index added by hand for an experiment stays in place.
func BenchmarkMonthTotalsAtScale(b *testing.B) {
	if os.Getenv("SUNLIGHT_BENCH_SCALE") != "1" {
		b.Skip("set SUNLIGHT_BENCH_SCALE=1 to load 1,000,000 vouchers and benchmark the month aggregate")
	}
	for _, kind := range []string{dbtest.SQLite, dbtest.Postgres} {
		b.Run(kind, func(b *testing.B) {
			d := scaleDB(b, kind)
			ctx := context.Background()
			c7, err := d.Client.Community.Query().Where(community.Code(demo.ScaleCode(6))).Only(ctx)
			if err != nil {
				b.Fatal(err)
			}
			b.Run("one-month", func(b *testing.B) {
				month := calendar.Month(2021, time.March)
				for b.Loop() {
					if _, err := ledger.TotalsFor(ctx, d.Client, c7.ID, month); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("every-month", func(b *testing.B) { // 120 months in turn, colder pages
				i := 0
				for b.Loop() {
					m := calendar.Month(2016+i/12%10, time.Month(1+i%12))
					if _, err := ledger.TotalsFor(ctx, d.Client, c7.ID, m); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
			b.Run("year", func(b *testing.B) { // 12 months, about 4,000 vouchers
				for b.Loop() {
					if _, err := ledger.TotalsFor(ctx, d.Client, c7.ID, calendar.Year(2021)); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// scaleDB opens the database of kind holding the scale data: the one named
// by SUNLIGHT_BENCH_SQLITE / SUNLIGHT_BENCH_POSTGRES, or a fresh one loaded
// now.
func scaleDB(b *testing.B, kind string) *db.DB {
	env := map[string]string{dbtest.SQLite: "SUNLIGHT_BENCH_SQLITE", dbtest.Postgres: "SUNLIGHT_BENCH_POSTGRES"}[kind]
	if dsn := os.Getenv(env); dsn != "" {
		d, err := db.Open(context.Background(), dsn)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { d.Close() })
		return d
	}
	var dsn string
	if kind == dbtest.SQLite {
		dsn = dbtest.SQLiteDSN(b)
	} else {
		dsn = dbtest.PostgresURL(b)
	}
	d := dbtest.Open(b, dsn)
	start := time.Now()
	if err := demo.LoadScale(context.Background(), d, demo.DefaultScale); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: scale data loaded in %s", kind, time.Since(start).Round(time.Millisecond))
	return d
}
