package valuation_test

import (
	"context"
	"testing"
	"time"

	"sunlight/ent"
	"sunlight/ent/asset"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/valuation"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/vocab/money"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestBookValue(t *testing.T) {
	acquired := calendar.Date(2020, time.January, 15)
	tests := []struct {
		name     string
		original money.Fen
		life     int
		on       time.Time
		want     money.Fen
	}{
		{"before acquisition", 120_000_000, 20, calendar.Date(2020, time.January, 14), 0},
		{"the day acquired", 120_000_000, 20, acquired, 120_000_000},
		{"same month: no depreciation yet", 120_000_000, 20, calendar.Date(2020, time.January, 31), 120_000_000},
		{"one month on", 120_000_000, 20, calendar.Date(2020, time.February, 1), 119_525_000},
		{"23 months on", 120_000_000, 20, calendar.Date(2021, time.December, 31), 109_075_000},
		{"at the end of its life: the 5% residual", 120_000_000, 20, calendar.Date(2040, time.January, 15), 6_000_000},
		{"long after: still the residual", 120_000_000, 20, calendar.Date(2070, time.June, 1), 6_000_000},
		{"fen rounded down in the depreciation", 1_000_001, 5, calendar.Date(2020, time.February, 1), 984_168},
		{"nothing to depreciate", 0, 20, calendar.Date(2025, time.January, 1), 0},
		{"no useful life given", 5_000_000, 0, calendar.Date(2025, time.January, 1), 5_000_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := valuation.BookValue(tt.original, acquired, tt.life, tt.on); got != tt.want {
				t.Fatalf("BookValue(%s, %d years, %s) = %s, want %s", tt.original, tt.life, calendar.FormatDate(tt.on), got, tt.want)
			}
		})
	}
}

// assets writes a community with three assets:
//
//   - a building (120万, 20 years) from 15 January 2020, valued at 150万 on
//     31 December 2022 and at 160万 on 30 June 2024;
//   - a market (60万, 10 years) from 1 June 2021, never valued;
//   - equipment (1万, 5 years) from 1 March 2019, scrapped on 30 June 2023.
func assets(t *testing.T, dsn string) (context.Context, *ent.Client, int) {
	t.Helper()
	ctx := context.Background()
	c := dbtest.Open(t, dsn).Client
	com := c.Community.Create().SetName("估值社区").SetCode("valuation").SaveX(ctx)
	building := c.Asset.Create().SetCommunityID(com.ID).SetName("综合楼").SetCategory(asset.CategoryBUILDING).
		SetAcquiredOn(calendar.Date(2020, time.January, 15)).SetOriginalValue(120_000_000).SetUsefulLifeYears(20).SaveX(ctx)
	c.Asset.Create().SetCommunityID(com.ID).SetName("菜市场").SetCategory(asset.CategoryMARKET).
		SetAcquiredOn(calendar.Date(2021, time.June, 1)).SetOriginalValue(60_000_000).SetUsefulLifeYears(10).SaveX(ctx)
	c.Asset.Create().SetCommunityID(com.ID).SetName("监控设备").SetCategory(asset.CategoryEQUIPMENT).
		SetAcquiredOn(calendar.Date(2019, time.March, 1)).SetOriginalValue(1_000_000).SetUsefulLifeYears(5).
		SetStatus(asset.StatusDISPOSED).SetDisposedOn(calendar.Date(2023, time.June, 30)).SetDisposal(asset.DisposalSCRAP).SaveX(ctx)
	for _, v := range []struct {
		on    time.Time
		value money.Fen
	}{
		{calendar.Date(2022, time.December, 31), 150_000_000},
		{calendar.Date(2024, time.June, 30), 160_000_000},
	} {
		c.AssetValuation.Create().SetCommunityID(com.ID).SetAssetID(building.ID).SetAsOf(v.on).SetValue(v.value).SaveX(ctx)
	}
	return ctx, c, com.ID
}

type share struct {
	category asset.Category
	value    money.Fen
}

// TotalsAt: the latest valuation on or before the date, else the book
// value; disposed assets drop out; categories largest first.
func TestTotalsAt(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		ctx, c, cid := assets(t, dsn)
		tests := []struct {
			name   string
			on     time.Time
			total  money.Fen
			assets int
			shares []share
		}{
			{"before any asset", calendar.Date(2018, time.December, 31), 0, 0, nil},
			{"book values only", calendar.Date(2021, time.December, 31), 166_702_500, 3,
				[]share{{asset.CategoryBUILDING, 109_075_000}, {asset.CategoryMARKET, 57_150_000}, {asset.CategoryEQUIPMENT, 477_500}}},
			{"valued on the very day", calendar.Date(2022, time.December, 31), 201_737_500, 3,
				[]share{{asset.CategoryBUILDING, 150_000_000}, {asset.CategoryMARKET, 51_450_000}, {asset.CategoryEQUIPMENT, 287_500}}},
			{"the day before a disposal", calendar.Date(2023, time.June, 29), 198_792_500, 3,
				[]share{{asset.CategoryBUILDING, 150_000_000}, {asset.CategoryMARKET, 48_600_000}, {asset.CategoryEQUIPMENT, 192_500}}},
			{"the day of the disposal", calendar.Date(2023, time.June, 30), 198_600_000, 2,
				[]share{{asset.CategoryBUILDING, 150_000_000}, {asset.CategoryMARKET, 48_600_000}}},
			{"the day before a new valuation", calendar.Date(2024, time.June, 29), 192_900_000, 2,
				[]share{{asset.CategoryBUILDING, 150_000_000}, {asset.CategoryMARKET, 42_900_000}}},
			{"the new valuation's day", calendar.Date(2024, time.June, 30), 202_900_000, 2,
				[]share{{asset.CategoryBUILDING, 160_000_000}, {asset.CategoryMARKET, 42_900_000}}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := valuation.TotalsAt(ctx, c, cid, tt.on)
				if err != nil {
					t.Fatal(err)
				}
				if got.Total != tt.total || got.Assets != tt.assets {
					t.Fatalf("%s: %s in %d assets, want %s in %d", calendar.FormatDate(tt.on), got.Total, got.Assets, tt.total, tt.assets)
				}
				if len(got.Categories) != len(tt.shares) {
					t.Fatalf("%s: categories %+v, want %+v", calendar.FormatDate(tt.on), got.Categories, tt.shares)
				}
				var sum money.Fen
				for i, s := range tt.shares {
					g := got.Categories[i]
					if g.Category != s.category || g.Value != s.value || g.Assets != 1 {
						t.Fatalf("%s: category %d is %+v, want %s %s in 1 asset", calendar.FormatDate(tt.on), i, g, s.category, s.value)
					}
					sum += g.Value
				}
				if sum != got.Total {
					t.Fatalf("categories add up to %s, the total is %s", sum, got.Total)
				}
				if got.TotalInCapitals() != money.Capitals(tt.total) {
					t.Fatalf("total in capitals %q", got.TotalInCapitals())
				}
			})
		}
	})
}

// Growth: year-end totals, the change over the year before once it is
// known (an inventory has been made), and the rate rounded half away from
// zero.
func TestGrowth(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		ctx, c, cid := assets(t, dsn)
		type row struct {
			year    int
			total   money.Fen
			change  *money.Fen
			percent *string
		}
		fen := func(f money.Fen) *money.Fen { return &f }
		pct := func(s string) *string { return &s }
		tests := []struct {
			name     string
			from, to int
			want     []row
		}{
			{"from before the first inventory: no change in the first year", 2021, 2024, []row{
				{2021, 166_702_500, nil, nil},
				{2022, 201_737_500, fen(35_035_000), pct("21.02")},
				{2023, 195_750_000, fen(-5_987_500), pct("-2.97")},
				{2024, 200_050_000, fen(4_300_000), pct("2.20")},
			}},
			{"from after it: the first year has its change", 2023, 2024, []row{
				{2023, 195_750_000, fen(-5_987_500), pct("-2.97")},
				{2024, 200_050_000, fen(4_300_000), pct("2.20")},
			}},
			{"one year", 2022, 2022, []row{
				{2022, 201_737_500, nil, nil}, // nothing valued by the end of 2021
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ys, err := valuation.Growth(ctx, c, cid, tt.from, tt.to)
				if err != nil {
					t.Fatal(err)
				}
				if len(ys) != len(tt.want) {
					t.Fatalf("%d years, want %d", len(ys), len(tt.want))
				}
				for i, w := range tt.want {
					y := ys[i]
					if y.Year != w.year || y.Total != w.total {
						t.Fatalf("row %d: %d %s, want %d %s", i, y.Year, y.Total, w.year, w.total)
					}
					if !equal(y.Change, w.change) || !equal(y.GrowthPercent(), w.percent) {
						t.Fatalf("%d: change %v growth %v, want %v and %v", y.Year, show(y.Change), show(y.GrowthPercent()), show(w.change), show(w.percent))
					}
				}
			})
		}
		for _, bad := range []struct{ from, to int }{{2024, 2021}, {1990, 2025}} {
			if _, err := valuation.Growth(ctx, c, cid, bad.from, bad.to); fail.CodeOf(err) != fail.BadInput {
				t.Errorf("Growth(%d, %d) = %v, want BAD_USER_INPUT", bad.from, bad.to, err)
			}
		}
	})
}

func equal[T comparable](a, b *T) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

func show[T any](p *T) any {
	if p == nil {
		return "nil"
	}
	return *p
}
