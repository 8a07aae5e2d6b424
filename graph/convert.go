package graph

import (
	"sunlight/graph/model"
	"sunlight/internal/ledger"
	"sunlight/internal/valuation"
	"sunlight/internal/vocab/money"
)

func ledgerTotals(t *ledger.Totals) *model.LedgerTotals {
	out := &model.LedgerTotals{
		CommunityID: t.CommunityID,
		Period:      t.Period,
		From:        t.From.First(),
		To:          t.To.Last(),
		Income:      t.Income,
		Expense:     t.Expense,
		Net:         t.Net(),
		Categories:  make([]*model.CategoryTotal, len(t.Categories)),
	}
	for i, c := range t.Categories {
		out.Categories[i] = &model.CategoryTotal{
			Direction:        c.Direction,
			Category:         c.Category,
			Amount:           c.Amount,
			AmountInCapitals: money.Capitals(c.Amount),
			Vouchers:         c.Vouchers,
		}
	}
	return out
}

func assetTotals(t *valuation.Totals) *model.AssetTotals {
	out := &model.AssetTotals{
		CommunityID:     t.CommunityID,
		AsOf:            t.AsOf,
		Total:           t.Total,
		TotalInCapitals: money.Capitals(t.Total),
		Assets:          t.Assets,
		Categories:      make([]*model.AssetCategoryTotal, len(t.Categories)),
	}
	for i, c := range t.Categories {
		out.Categories[i] = &model.AssetCategoryTotal{Category: c.Category, Value: c.Value, Assets: c.Assets}
	}
	return out
}

func assetGrowth(ys []valuation.Year) []*model.AssetGrowth {
	out := make([]*model.AssetGrowth, len(ys))
	for i, y := range ys {
		g := &model.AssetGrowth{Year: y.Year, Total: y.Total, Change: y.Change}
		if y.GrowthBasisPoints != nil {
			p := money.Percent(*y.GrowthBasisPoints)
			g.GrowthPercent = &p
		}
		out[i] = g
	}
	return out
}
