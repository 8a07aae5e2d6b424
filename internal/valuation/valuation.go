// Package valuation says what the collective's assets are worth at a date:
// the latest valuation (资产清查) of each asset held then, or, for an asset
// never valued, its book value by straight-line depreciation with a 5%
// residual. Year-end totals and their growth feed the dashboards and the
// yearly asset-growth summary.
package valuation

import (
	"context"
	"fmt"
	"sort"
	"time"

	"sunlight/ent"
	"sunlight/ent/asset"
	"sunlight/ent/assetvaluation"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/vocab/money"
)

// BookValue is the straight-line book value of an asset on date on:
// depreciation starts the month after acquisition and runs over the useful
// life down to a 5% residual (预计净残值率 5%).
func BookValue(original money.Fen, acquired time.Time, lifeYears int, on time.Time) money.Fen {
	if on.Before(acquired) || original <= 0 {
		return 0
	}
	if lifeYears <= 0 {
		return original
	}
	months := (on.Year()-acquired.Year())*12 + int(on.Month()-acquired.Month())
	if months <= 0 {
		return original
	}
	life := lifeYears * 12
	if months > life {
		months = life
	}
	depreciable := int64(original) * 95 / 100
	return original - money.Fen(depreciable*int64(months)/int64(life))
}

// CategoryTotal is the value of one category of assets.
type CategoryTotal struct {
	Category asset.Category
	Value    money.Fen
	Assets   int
}

// Totals is the collective assets of a community at a date.
type Totals struct {
	CommunityID int
	AsOf        time.Time
	Total       money.Fen
	Assets      int
	Categories  []CategoryTotal
}

// TotalInCapitals is the total in Chinese capitals (人民币大写).
func (t *Totals) TotalInCapitals() string { return money.Capitals(t.Total) }

// book is everything needed to value a community's assets at any date,
// loaded with two statements.
type book struct {
	assets     []*ent.Asset
	valuations map[int][]*ent.AssetValuation // by asset, oldest first
}

func loadBook(ctx context.Context, client *ent.Client, communityID int, until time.Time) (*book, error) {
	assets, err := client.Asset.Query().
		Where(asset.CommunityID(communityID), asset.AcquiredOnLTE(until)).
		Order(asset.ByID()).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load assets of community %d: %w", communityID, err)
	}
	vals, err := client.AssetValuation.Query().
		Where(assetvaluation.CommunityID(communityID), assetvaluation.AsOfLTE(until)).
		Order(assetvaluation.ByAssetID(), assetvaluation.ByAsOf()).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load valuations of community %d: %w", communityID, err)
	}
	b := &book{assets: assets, valuations: make(map[int][]*ent.AssetValuation)}
	for _, v := range vals {
		b.valuations[v.AssetID] = append(b.valuations[v.AssetID], v)
	}
	return b, nil
}

// held reports whether a is the collective's on date on.
func held(a *ent.Asset, on time.Time) bool {
	if a.AcquiredOn.After(on) {
		return false
	}
	return a.DisposedOn == nil || a.DisposedOn.After(on)
}

// valueAt is the latest valuation on or before on, else the book value.
func (b *book) valueAt(a *ent.Asset, on time.Time) money.Fen {
	vs := b.valuations[a.ID]
	i := sort.Search(len(vs), func(i int) bool { return vs[i].AsOf.After(on) })
	if i > 0 {
		return vs[i-1].Value
	}
	return BookValue(a.OriginalValue, a.AcquiredOn, a.UsefulLifeYears, on)
}

// valuedBy reports whether any asset had been valued on or before on.
func (b *book) valuedBy(on time.Time) bool {
	for _, vs := range b.valuations {
		if len(vs) > 0 && !vs[0].AsOf.After(on) {
			return true
		}
	}
	return false
}

func (b *book) totalsAt(communityID int, on time.Time) *Totals {
	t := &Totals{CommunityID: communityID, AsOf: on}
	byCat := map[asset.Category]*CategoryTotal{}
	for _, a := range b.assets {
		if !held(a, on) {
			continue
		}
		v := b.valueAt(a, on)
		c := byCat[a.Category]
		if c == nil {
			c = &CategoryTotal{Category: a.Category}
			byCat[a.Category] = c
		}
		c.Value += v
		c.Assets++
		t.Total += v
		t.Assets++
	}
	for _, c := range byCat {
		t.Categories = append(t.Categories, *c)
	}
	sort.Slice(t.Categories, func(i, j int) bool {
		if t.Categories[i].Value != t.Categories[j].Value {
			return t.Categories[i].Value > t.Categories[j].Value
		}
		return t.Categories[i].Category < t.Categories[j].Category
	})
	return t
}

// TotalsAt returns the community's collective assets on the civil date on.
func TotalsAt(ctx context.Context, client *ent.Client, communityID int, on time.Time) (*Totals, error) {
	b, err := loadBook(ctx, client, communityID, on)
	if err != nil {
		return nil, err
	}
	return b.totalsAt(communityID, on), nil
}

// Year is the collective assets at one year end and the change over the
// year before.
type Year struct {
	Year   int
	Total  money.Fen
	Change *money.Fen // nil when the year before is not known
	// GrowthBasisPoints is the change in hundredths of a percent of the
	// year before (1250 = 12.50%); nil when the year before was zero.
	GrowthBasisPoints *int64
	Categories        []CategoryTotal
}

// GrowthPercent is the growth in percent with two decimals ("12.50"); nil
// when the year before was zero.
func (y Year) GrowthPercent() *string {
	if y.GrowthBasisPoints == nil {
		return nil
	}
	p := money.Percent(*y.GrowthBasisPoints)
	return &p
}

// MaxYears bounds Growth.
const MaxYears = 30

// Growth returns the year-end totals from fromYear through toYear with the
// growth over each year before (the year before fromYear is computed too,
// so the first row has its growth).
func Growth(ctx context.Context, client *ent.Client, communityID, fromYear, toYear int) ([]Year, error) {
	if toYear < fromYear {
		return nil, fail.Invalidf("fromYear %d is after toYear %d", fromYear, toYear)
	}
	if toYear-fromYear+1 > MaxYears {
		return nil, fail.Invalidf("at most %d years at a time", MaxYears)
	}
	b, err := loadBook(ctx, client, communityID, calendar.Year(toYear).Last())
	if err != nil {
		return nil, err
	}
	prevEnd := calendar.Year(fromYear - 1).Last()
	prev := b.totalsAt(communityID, prevEnd).Total
	// Before the first inventory there is no total to grow from, only
	// book values of a ledger that was not yet kept.
	known := b.valuedBy(prevEnd)
	var out []Year
	for y := fromYear; y <= toYear; y++ {
		t := b.totalsAt(communityID, calendar.Year(y).Last())
		row := Year{Year: y, Total: t.Total, Categories: t.Categories}
		change := t.Total - prev
		if known {
			row.Change = &change
		}
		if bp, ok := money.Ratio(change, prev); known && ok {
			row.GrowthBasisPoints = &bp
		}
		out = append(out, row)
		prev, known = t.Total, true
	}
	return out, nil
}
