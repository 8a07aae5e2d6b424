package governance_test

import (
	"fmt"
	"testing"
	"time"

	"sunlight/ent"
	"sunlight/ent/benefit"
	"sunlight/ent/contract"
	"sunlight/ent/resident"
	"sunlight/ent/signer"
	"sunlight/ent/voucher"
	"sunlight/internal/governance"
	"sunlight/internal/ledger"
	"sunlight/internal/ledger/signing/signingtest"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/valuation"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/vocab/money"
)

// BornBy must agree with calendar.AgeOn on every day of eight years, leap
// days and the days around them included.
func TestBornByAgreesWithAgeOn(t *testing.T) {
	for on := calendar.Date(2023, 1, 1); on.Before(calendar.Date(2031, 1, 1)); on = on.AddDate(0, 0, 1) {
		for _, age := range []int{60, 61, 80} {
			edge := governance.BornBy(on, age)
			for d := -3; d <= 3; d++ {
				b := edge.AddDate(0, 0, d)
				if got, want := !b.After(edge), calendar.AgeOn(b, on) >= age; got != want {
					t.Fatalf("on %s, born %s: BornBy says %v, AgeOn %d", calendar.FormatDate(on), calendar.FormatDate(b), got, calendar.AgeOn(b, on))
				}
			}
		}
	}
}

func TestEligibilityOnBoundaryDates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		people := map[string]struct {
			born  time.Time
			moved *time.Time
		}{
			"今天满60": {calendar.Date(1966, 10, 18), nil},
			"明天满60": {calendar.Date(1966, 10, 19), nil},
			"闰日生":   {calendar.Date(1964, 2, 29), nil},
			"平年闰日":  {calendar.Date(1965, 3, 1), nil},
			"今天迁出":  {calendar.Date(1940, 1, 1), ptrDate(calendar.Date(2026, 10, 18))},
			"明天迁出":  {calendar.Date(1940, 1, 2), ptrDate(calendar.Date(2026, 10, 19))},
		}
		for name, p := range people {
			if err := f.c.Resident.Create().SetCommunityID(f.com.ID).SetName(name).SetGender(resident.GenderFEMALE).
				SetBirthDate(p.born).SetNillableMovedOutOn(p.moved).Exec(f.ctx); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			age  int
			on   time.Time
			want []string
		}{
			{60, calendar.Date(2026, 10, 18), []string{"明天迁出", "闰日生", "平年闰日", "今天满60"}},
			{60, calendar.Date(2026, 10, 17), []string{"今天迁出", "明天迁出", "闰日生", "平年闰日"}}, // not yet moved out
			{60, calendar.Date(2024, 2, 28), []string{"今天迁出", "明天迁出"}},                 // 闰日生 turns 60 on 29 February 2024
			{60, calendar.Date(2024, 2, 29), []string{"今天迁出", "明天迁出", "闰日生"}},          // … and is 60 on the leap day itself
			{61, calendar.Date(2025, 2, 28), []string{"今天迁出", "明天迁出"}},                 // in a common year, on 1 March
			{61, calendar.Date(2025, 3, 1), []string{"今天迁出", "明天迁出", "闰日生"}},           // (平年闰日, born 1 March 1965, is 60)
			{80, calendar.Date(2020, 1, 2), []string{"今天迁出", "明天迁出"}},                  // both there in 2020
		}
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%d+ on %s", tt.age, calendar.FormatDate(tt.on)), func(t *testing.T) {
				rs, err := governance.Eligible(f.ctx, f.c, f.com.ID, tt.age, tt.on)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, r := range rs {
					got = append(got, r.Name)
				}
				if fmt.Sprint(got) != fmt.Sprint(tt.want) {
					t.Fatalf("eligible %v, want %v", got, tt.want)
				}
			})
		}
	})
}

func ptrDate(d time.Time) *time.Time { return &d }

func TestPointsRanking(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		g1, _ := f.c.ResidentGroup.Create().SetCommunityID(f.com.ID).SetName("第一组").Save(f.ctx)
		g2, _ := f.c.ResidentGroup.Create().SetCommunityID(f.com.ID).SetName("第二组").Save(f.ctx)
		rs := make([]*ent.Resident, 4)
		for i := range rs {
			g := g1
			if i == 3 {
				g = g2
			}
			rs[i], _ = f.c.Resident.Create().SetCommunityID(f.com.ID).SetName(fmt.Sprint("居民", i)).SetGender(resident.GenderMALE).
				SetBirthDate(calendar.Date(1980, 1, 1)).SetGroupID(g.ID).Save(f.ctx)
		}
		ev := func(r int, day time.Time, pts int) {
			if err := f.c.PointEvent.Create().SetCommunityID(f.com.ID).SetResidentID(rs[r].ID).SetOccurredOn(day).SetPoints(pts).SetReason("志愿服务").Exec(f.ctx); err != nil {
				t.Fatal(err)
			}
		}
		ev(0, calendar.Date(2026, 1, 1), 10)   // first day of the period
		ev(0, calendar.Date(2025, 12, 31), 50) // the day before: not counted
		ev(1, calendar.Date(2026, 12, 31), 8)  // last day of the period
		ev(1, calendar.Date(2026, 6, 1), -3)
		ev(2, calendar.Date(2026, 2, 29-1), 5)
		ev(3, calendar.Date(2027, 1, 1), 99) // the day after: not counted
		ev(3, calendar.Date(2026, 7, 1), 5)
		gone, _ := f.c.Resident.Create().SetCommunityID(f.com.ID).SetName("迁出居民").SetGender(resident.GenderMALE).
			SetBirthDate(calendar.Date(1980, 1, 1)).SetGroupID(g1.ID).SetMovedOutOn(calendar.Date(2026, 10, 1)).Save(f.ctx)
		if err := f.c.PointEvent.Create().SetCommunityID(f.com.ID).SetResidentID(gone.ID).SetOccurredOn(calendar.Date(2026, 3, 1)).SetPoints(100).SetReason("志愿服务").Exec(f.ctx); err != nil {
			t.Fatal(err) // earned before moving out, but no longer ranked
		}
		all, err := governance.Ranking(f.ctx, f.c, f.com.ID, nil, calendar.Year(2026))
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		for _, b := range all {
			got += fmt.Sprintf("%s:%d#%d ", b.Resident.Name, b.Points, b.Rank)
		}
		if want := "居民0:10#1 居民1:5#2 居民2:5#2 居民3:5#2 "; got != want {
			t.Fatalf("community ranking %q, want %q", got, want)
		}
		group, err := governance.Ranking(f.ctx, f.c, f.com.ID, &g2.ID, calendar.Year(2026))
		if err != nil || len(group) != 1 || group[0].Resident.Name != "居民3" || group[0].Rank != 1 {
			t.Fatalf("group ranking %+v, %v", group, err)
		}
	})
}

func TestBookValueOnBoundaryDates(t *testing.T) {
	orig := money.Yuan(120_000) // 95% over 10 years: 950 yuan a month
	tests := []struct {
		name         string
		acquired, on time.Time
		want         money.Fen
	}{
		{"before acquisition", calendar.Date(2020, 1, 31), calendar.Date(2020, 1, 30), 0},
		{"on the day acquired", calendar.Date(2020, 1, 31), calendar.Date(2020, 1, 31), orig},
		{"the month after starts depreciation", calendar.Date(2020, 1, 31), calendar.Date(2020, 2, 1), orig - money.Yuan(950)},
		{"acquired on a leap day, one year on", calendar.Date(2020, 2, 29), calendar.Date(2021, 2, 28), orig - 12*money.Yuan(950)},
		{"end of the useful life", calendar.Date(2020, 1, 1), calendar.Date(2030, 1, 1), money.Yuan(6_000)},
		{"long after: the 5% residual stays", calendar.Date(2020, 1, 1), calendar.Date(2050, 1, 1), money.Yuan(6_000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := valuation.BookValue(orig, tt.acquired, 10, tt.on); got != tt.want {
				t.Fatalf("book value %s, want %s", got, tt.want)
			}
		})
	}
}

func TestMonthsElapsed(t *testing.T) {
	tests := []struct {
		start, until time.Time
		want         int
	}{
		{calendar.Date(2024, 1, 1), calendar.Date(2023, 12, 31), 0},
		{calendar.Date(2024, 1, 1), calendar.Date(2024, 1, 30), 0},
		{calendar.Date(2024, 1, 1), calendar.Date(2024, 1, 31), 1},
		{calendar.Date(2024, 1, 31), calendar.Date(2024, 2, 28), 1}, // a month from 31 January ends with February
		{calendar.Date(2024, 2, 29), calendar.Date(2025, 2, 27), 12},
		{calendar.Date(2024, 1, 1), calendar.Date(2026, 12, 31), 36},
	}
	for _, tt := range tests {
		if got := governance.MonthsElapsed(tt.start, tt.until); got != tt.want {
			t.Errorf("MonthsElapsed(%s, %s) = %d, want %d", calendar.FormatDate(tt.start), calendar.FormatDate(tt.until), got, tt.want)
		}
	}
}

func TestRentArrears(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		lease := func(code string, rent int64) *ent.Contract {
			c, err := f.c.Contract.Create().SetCommunityID(f.com.ID).SetCode(code).SetKind(contract.KindLEASE).SetTitle("摊位租赁").
				SetCounterparty("承租户").SetAmount(money.Yuan(rent * 12)).SetMonthlyRent(money.Yuan(rent)).
				SetSignedOn(calendar.Date(2025, 12, 20)).SetStartsOn(calendar.Date(2026, 1, 1)).SetEndsOn(calendar.Date(2026, 12, 31)).Save(f.ctx)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		paid, late := lease("ZL-1", 1000), lease("ZL-2", 800)
		k := 0
		var signers []signingtest.Signer
		pay := func(c *ent.Contract, day time.Time, yuan int64, post bool) {
			k++
			v, err := f.c.Voucher.Create().SetCommunityID(f.com.ID).SetNumber(fmt.Sprint("R-", k)).SetOccurredOn(day).
				SetDirection(voucher.DirectionINCOME).SetCategory("租金收入").SetAmount(money.Yuan(yuan)).SetSummary("租金").SetContractID(c.ID).Save(f.ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !post {
				return
			}
			if signers == nil {
				signers = signingtest.Enrol(f.ctx, t, f.c, f.com.ID, signer.CapacityCOMMITTEE, signingtest.Names("签字人", 9)...)
			}
			signingtest.SignAll(f.ctx, t, f.c, v.ID, time.Now(), signers)
			if _, err := ledger.Post(f.ctx, f.c, v.ID, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		for m := 1; m <= 4; m++ {
			pay(paid, calendar.Date(2026, time.Month(m), 5), 1000, true)
		}
		pay(late, calendar.Date(2026, 1, 5), 800, true)
		pay(late, calendar.Date(2026, 2, 5), 800, false) // not posted: not received
		as, err := governance.InArrears(f.ctx, f.c, f.com.ID, calendar.Date(2026, 4, 30))
		if err != nil {
			t.Fatal(err)
		}
		if len(as) != 1 || as[0].Contract.ID != late.ID || as[0].Months != 4 || as[0].Due != money.Yuan(3200) || as[0].Owed() != money.Yuan(2400) {
			t.Fatalf("arrears on 30 April: %+v", as)
		}
		if as, _ := governance.InArrears(f.ctx, f.c, f.com.ID, calendar.Date(2026, 1, 30)); len(as) != 0 {
			t.Fatalf("arrears before a month elapsed: %+v", as)
		}
	})
}

func TestBenefitAndInquiryRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		r79, _ := f.c.Resident.Create().SetCommunityID(f.com.ID).SetName("七十九").SetGender(resident.GenderMALE).SetBirthDate(calendar.Date(1946, 10, 19)).Save(f.ctx)
		r80, _ := f.c.Resident.Create().SetCommunityID(f.com.ID).SetName("八十").SetGender(resident.GenderMALE).SetBirthDate(calendar.Date(1946, 10, 18)).Save(f.ctx)
		day := calendar.Date(2026, 10, 18)
		v, _ := f.c.Voucher.Create().SetCommunityID(f.com.ID).SetNumber("B-1").SetOccurredOn(day).SetDirection(voucher.DirectionEXPENSE).
			SetCategory("集体公益福利支出").SetAmount(money.Yuan(1020)).SetSummary("重阳节慰问").Save(f.ctx)
		visit := func(r *ent.Resident) error {
			return f.c.Benefit.Create().SetCommunityID(f.com.ID).SetResidentID(r.ID).SetKind(benefit.KindELDER_VISIT).
				SetAmount(money.Yuan(510)).SetPaidOn(day).SetVoucherID(v.ID).Exec(f.ctx)
		}
		wantCode(t, visit(r79), fail.BadInput, "aged 80 or over; resident")
		if err := visit(r80); err != nil {
			t.Fatalf("visit on the 80th birthday: %v", err)
		}
		if n, _ := f.c.Benefit.Query().Count(f.ctx); n != 1 {
			t.Fatalf("%d benefits, want 1", n)
		}
		ts, err := governance.BenefitTotals(f.ctx, f.c, f.com.ID, calendar.Month(2026, 10))
		if err != nil || len(ts) != 1 || ts[0].Amount != money.Yuan(510) || ts[0].Residents != 1 {
			t.Fatalf("totals %+v, %v", ts, err)
		}

		_, err = f.c.Inquiry.Create().SetCommunityID(f.com.ID).SetResidentID(r80.ID).SetAskedOn(calendar.Date(2026, 11, 5)).SetQuestion("?").Save(f.ctx)
		wantCode(t, err, fail.BadInput, "names what it asks about")
		if n := f.c.Inquiry.Query().CountX(f.ctx); n != 0 {
			t.Fatalf("%d inquiries after a refused one", n)
		}
		q, err := f.c.Inquiry.Create().SetCommunityID(f.com.ID).SetResidentID(r80.ID).SetAskedOn(calendar.Date(2026, 11, 5)).
			SetReportLine("办公经费").SetQuestion("?").Save(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for on, want := range map[time.Time]int{calendar.Date(2026, 11, 15): 0, calendar.Date(2026, 11, 16): 1, calendar.Date(2026, 11, 4): 0} {
			got, err := governance.Open(f.ctx, f.c, f.com.ID, on, true)
			if err != nil || len(got) != want || governance.Overdue(q, on) != (want == 1) {
				t.Fatalf("overdue on %s: %d, want %d (%v)", calendar.FormatDate(on), len(got), want, err)
			}
		}
		_, err = governance.Answer(f.ctx, f.c, q.ID, "答复", "居委会", calendar.Date(2026, 11, 4))
		wantCode(t, err, fail.BadInput, "before the question was asked")
		if _, err := governance.Answer(f.ctx, f.c, q.ID, "答复", "居委会", calendar.Date(2026, 11, 20)); err != nil {
			t.Fatal(err)
		}
		_, err = governance.Answer(f.ctx, f.c, q.ID, "再答复", "居委会", calendar.Date(2026, 11, 21))
		wantCode(t, err, fail.Conflict, "already answered")
		if open, _ := governance.Open(f.ctx, f.c, f.com.ID, calendar.Date(2026, 11, 19), false); len(open) != 1 {
			t.Fatal("an inquiry answered later is open before its answer")
		}
		if open, _ := governance.Open(f.ctx, f.c, f.com.ID, calendar.Date(2026, 11, 20), false); len(open) != 0 {
			t.Fatal("an answered inquiry is still open")
		}
	})
}
