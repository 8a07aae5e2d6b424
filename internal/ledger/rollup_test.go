package ledger_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"sunlight/ent"
	"sunlight/ent/monthsum"
	"sunlight/ent/voucher"
	"sunlight/internal/ledger"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/vocab/money"
)

// TestMonthSumsMatchVouchers closes months one by one and checks, after
// each close, that every aggregate (a month, a year, year to date, the
// monthly series, the district comparison, categories and voucher counts
// included) equals the sum of the posted vouchers computed independently,
// whether it reads month sums, vouchers or both; then reverses a closed
// month's voucher in an open month.
func TestMonthSumsMatchVouchers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		f.com = f.c.Community.UpdateOne(f.com).SetMinSignatures(1).SaveX(f.ctx)
		r := rand.New(rand.NewPCG(11, 3))
		for range 120 {
			d := voucher.DirectionEXPENSE
			if r.IntN(3) == 0 {
				d = voucher.DirectionINCOME
			}
			cats := ledger.Categories[d]
			f.n++
			v := f.c.Voucher.Create().SetCommunityID(f.com.ID).SetNumber(fmt.Sprintf("M-%d", f.n)).
				SetOccurredOn(calendar.Date(2026, time.Month(1+r.IntN(10)), 1+r.IntN(28))).
				SetDirection(d).SetCategory(cats[r.IntN(len(cats))]).
				SetAmount(money.Fen(1 + r.Int64N(5_000_000))).SetSummary("汇总").SaveX(f.ctx)
			f.sign(v.ID, 1)
			if _, err := ledger.Post(f.ctx, f.c, v.ID, now); err != nil {
				t.Fatal(err)
			}
		}
		checkAllTotals(t, f)
		for m := 1; m <= 6; m++ {
			if _, err := ledger.CloseMonth(f.ctx, f.c, f.com.ID, calendar.Month(2026, time.Month(m)), now); err != nil {
				t.Fatal(err)
			}
			checkAllTotals(t, f)
		}
		groups := map[string]bool{}
		for _, v := range f.c.Voucher.Query().Where(voucher.CommunityID(f.com.ID), voucher.PeriodLTE("2026-06")).AllX(f.ctx) {
			groups[v.Period+string(v.Direction)+v.Category] = true
		}
		if n := f.c.MonthSum.Query().CountX(f.ctx); n != len(groups) {
			t.Fatalf("%d month sums for January to June, want one per month, direction and category: %d", n, len(groups))
		}

		// A correction of March, made in October, leaves March as closed.
		march := f.c.Voucher.Query().Where(voucher.CommunityID(f.com.ID), voucher.Period("2026-03")).FirstX(f.ctx)
		f.n++
		rev, err := ledger.Reverse(f.ctx, f.c, march.ID, ledger.Reversal{Number: fmt.Sprintf("M-%d", f.n), OccurredOn: calendar.Date(2026, 10, 30), Reason: "更正"})
		if err != nil {
			t.Fatal(err)
		}
		f.sign(rev.ID, 1)
		if _, err := ledger.Post(f.ctx, f.c, rev.ID, now); err != nil {
			t.Fatal(err)
		}
		checkAllTotals(t, f)
	})
}

// checkAllTotals compares every aggregate of 2026 with sums of the posted
// vouchers made here.
func checkAllTotals(t *testing.T, f *fixture) {
	t.Helper()
	type key struct {
		period    string
		direction voucher.Direction
		category  string
	}
	sums, counts := map[key]money.Fen{}, map[key]int{}
	for _, v := range f.c.Voucher.Query().Where(voucher.CommunityID(f.com.ID), voucher.StatusEQ(voucher.StatusPOSTED)).AllX(f.ctx) {
		k := key{v.Period, v.Direction, v.Category}
		sums[k] += v.Amount
		counts[k]++
	}
	check := func(p, from, to calendar.Period, tot *ledger.Totals) {
		t.Helper()
		wantSums, wantCounts := map[key]money.Fen{}, map[key]int{}
		var income, expense money.Fen
		for k, s := range sums {
			if k.period < from.String() || k.period > to.String() {
				continue
			}
			c := key{"", k.direction, k.category}
			wantSums[c] += s
			wantCounts[c] += counts[k]
			if k.direction == voucher.DirectionINCOME {
				income += s
			} else {
				expense += s
			}
		}
		if tot.Income != income || tot.Expense != expense {
			t.Fatalf("%s: income %s expense %s, vouchers say %s and %s", p, tot.Income, tot.Expense, income, expense)
		}
		for _, c := range tot.Categories {
			k := key{"", c.Direction, c.Category}
			if c.Amount != wantSums[k] || c.Vouchers != wantCounts[k] {
				t.Fatalf("%s %s: %s in %d vouchers, vouchers say %s in %d", p, c.Category, c.Amount, c.Vouchers, wantSums[k], wantCounts[k])
			}
			delete(wantSums, k)
		}
		for k, s := range wantSums {
			if s != 0 || wantCounts[k] != 0 {
				t.Fatalf("%s: category %s missing from the totals", p, k.category)
			}
		}
	}
	for m := 1; m <= 10; m++ {
		p := calendar.Month(2026, time.Month(m))
		tot, err := ledger.TotalsFor(f.ctx, f.c, f.com.ID, p)
		if err != nil {
			t.Fatal(err)
		}
		check(p, p, p, tot)
		ytd, err := ledger.YearToDate(f.ctx, f.c, f.com.ID, p)
		if err != nil {
			t.Fatal(err)
		}
		check(p, calendar.Month(2026, 1), p, ytd)
	}
	year, err := ledger.TotalsFor(f.ctx, f.c, f.com.ID, calendar.Year(2026))
	if err != nil {
		t.Fatal(err)
	}
	check(calendar.Year(2026), calendar.Month(2026, 1), calendar.Month(2026, 12), year)
	months, err := ledger.MonthlyTotals(f.ctx, f.c, f.com.ID, calendar.Month(2026, 1), calendar.Month(2026, 10))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range months {
		var income, expense money.Fen
		for k, s := range sums {
			if k.period != m.Period.String() {
				continue
			}
			if k.direction == voucher.DirectionINCOME {
				income += s
			} else {
				expense += s
			}
		}
		if m.Income != income || m.Expense != expense {
			t.Fatalf("monthly %s: %s / %s, vouchers say %s / %s", m.Period, m.Income, m.Expense, income, expense)
		}
		// The district comparison reads the same sums, for one community or
		// several (a community without vouchers shows none).
		none := &ent.Community{ID: f.com.ID + 1000}
		for _, cs := range [][]*ent.Community{{f.com}, {none, f.com}} {
			by, err := ledger.TotalsOf(f.ctx, f.c, cs, m.Period)
			if err != nil {
				t.Fatal(err)
			}
			if got := by[len(cs)-1]; got.Community != f.com || got.Income != income || got.Expense != expense {
				t.Fatalf("totals of %d communities %s: %s / %s, vouchers say %s / %s", len(cs), m.Period, got.Income, got.Expense, income, expense)
			}
			if got := by[0]; len(cs) == 2 && (got.Income != 0 || got.Expense != 0 || got.Categories != nil) {
				t.Fatalf("totals of %d communities %s: a community without vouchers has %+v", len(cs), m.Period, got.Totals)
			}
		}
	}
}

// TestMonthSumsAreWrittenOnlyByClosing: month sums come from closing a
// month and nothing else writes, changes or deletes them.
func TestMonthSumsAreWrittenOnlyByClosing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		f.posted(calendar.Date(2026, 9, 3), 12_000)
		_, err := f.c.MonthSum.Create().SetCommunityID(f.com.ID).SetPeriod("2026-09").
			SetDirection(monthsum.DirectionEXPENSE).SetCategory("办公经费").SetAmount(1).SetVouchers(1).Save(f.ctx)
		wantCode(t, err, fail.Forbidden, "closeMonth")
		if _, err := ledger.CloseMonth(f.ctx, f.c, f.com.ID, calendar.Month(2026, 9), now); err != nil {
			t.Fatal(err)
		}
		mt := f.c.MonthSum.Query().OnlyX(f.ctx)
		if mt.Amount != 12_000 || mt.Vouchers != 1 || mt.Period != "2026-09" {
			t.Fatalf("September's total: %+v", mt)
		}
		_, err = f.c.MonthSum.Delete().Exec(f.ctx)
		wantCode(t, err, fail.Conflict, "cannot be changed or deleted")
		if n := f.c.MonthSum.Query().CountX(f.ctx); n != 1 {
			t.Fatalf("%d month sums after a refused delete, want 1", n)
		}
		if c := f.c.Community.GetX(f.ctx, f.com.ID); c.TotalsThrough == nil || *c.TotalsThrough != "2026-09" {
			t.Fatalf("totals_through = %v, want 2026-09", c.TotalsThrough)
		}
	})
}
