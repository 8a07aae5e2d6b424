package disclosure

import (
	"context"
	"fmt"

	"sunlight/ent"
	"sunlight/ent/assetvaluation"
	"sunlight/ent/matter"
	"sunlight/ent/matterdisclosure"
	"sunlight/ent/report"
	"sunlight/ent/voucher"
	"sunlight/internal/ledger"
	"sunlight/internal/reports/pdf"
	"sunlight/internal/valuation"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
)

// Years is how many year ends the yearly summary shows at most.
const Years = 10

// Yearly gathers the yearly asset-growth summary of community c for year.
func Yearly(ctx context.Context, client *ent.Client, c *ent.Community, year int) (*pdf.Yearly, error) {
	p := calendar.Year(year)
	y := &pdf.Yearly{
		Layout:          pdf.LayoutCurrent,
		WelfareCategory: ledger.WelfareCategory,
		Community:       info(c),
		Year:            year,
		Number:          Number(c, report.KindYEARLY_ASSET_GROWTH, p),
		PublishedOn:     PublishDay(p),
		DueOn:           PublishDay(p),
	}
	// The table starts at the first year-end inventory, at most ten years back.
	first, err := client.AssetValuation.Query().Where(assetvaluation.CommunityID(c.ID)).
		Order(assetvaluation.ByAsOf()).First(ctx)
	if ent.IsNotFound(err) {
		return nil, fail.Conflictf("%s has no asset valuation yet; a yearly summary needs at least one year-end inventory", c.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("gather %d summary of %s: %w", year, c.Code, err)
	}
	from := max(year-Years+1, first.AsOf.Year())
	if from > year {
		return nil, fail.Conflictf("%s's first inventory is of %d; there is nothing to summarise for %d", c.Name, first.AsOf.Year(), year)
	}
	growth, err := valuation.Growth(ctx, client, c.ID, from, year)
	if err != nil {
		return nil, fmt.Errorf("gather %d summary of %s: %w", year, c.Code, err)
	}
	for _, g := range growth {
		y.YearEnds = append(y.YearEnds, pdf.YearEnd{Year: g.Year, Total: g.Total})
	}
	for _, ct := range growth[len(growth)-1].Categories {
		y.Categories = append(y.Categories, pdf.AssetCategoryTotal{Category: pdf.AssetCategory(ct.Category), Count: ct.Assets, Value: ct.Value})
	}
	tot, err := ledger.TotalsFor(ctx, client, c.ID, p)
	if err != nil {
		return nil, err
	}
	for _, ct := range tot.Categories {
		line := pdf.CategoryTotal{Category: ct.Category, Amount: ct.Amount}
		if ct.Direction == voucher.DirectionINCOME {
			y.Income = append(y.Income, line)
		} else {
			y.Expense = append(y.Expense, line)
		}
	}
	if y.Benefits, err = benefitLines(ctx, client, c.ID, p); err != nil {
		return nil, err
	}
	done, err := client.MatterDisclosure.Query().Where(
		matterdisclosure.CommunityID(c.ID), matterdisclosure.StageEQ(matterdisclosure.StageRESULT_DISCLOSURE),
		matterdisclosure.DisclosedOnGTE(p.First()), matterdisclosure.DisclosedOnLT(p.End()),
		matterdisclosure.HasMatterWith(matter.OutcomeEQ(matter.OutcomeCOMPLETED)),
	).Order(matterdisclosure.ByDisclosedOn(), matterdisclosure.ByID()).WithMatter().All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load milestones: %w", err)
	}
	for _, d := range done {
		y.Milestones = append(y.Milestones, pdf.Milestone{Date: d.DisclosedOn, Text: d.Edges.Matter.Title + "实施完成"})
	}
	if y.PrevSHA256, err = PrevSHA256(ctx, client, c.ID, report.KindYEARLY_ASSET_GROWTH, p); err != nil {
		return nil, err
	}
	return y, nil
}
