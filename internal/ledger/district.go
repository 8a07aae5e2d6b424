package ledger

import (
	"context"
	"fmt"
	"slices"

	"sunlight/ent"
	"sunlight/ent/community"
	"sunlight/ent/voucher"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
)

// Views over several communities (a district's dashboard, the officials'
// page): a fixed number of statements whatever the number of communities —
// one to find the communities the viewer may see, one GROUP BY over their
// month sums and open months (postedSourceOf) — instead of one aggregate per
// community.

// MaxCommunities bounds a list of communities named by ID, so that one
// request cannot send an unbounded IN list.
const MaxCommunities = 500

// Selection is the communities a view covers: those of a district, or
// those named by ID (one or several). Make it with Select.
type Selection struct {
	District string
	IDs      []int
	given    int // how many of district, community and list were given
}

// Select is the selection of the arguments of a view: one community, a
// district or a list of community IDs, exactly one of them non-nil.
func Select(communityID *int, district *string, communityIDs []int) Selection {
	var s Selection
	if communityID != nil {
		s.IDs, s.given = []int{*communityID}, s.given+1
	}
	if district != nil {
		s.District, s.given = *district, s.given+1
	}
	if communityIDs != nil {
		s.IDs, s.given = communityIDs, s.given+1
	}
	return s
}

// Communities returns the selected communities the viewer of ctx may see,
// by code. A district yields its communities the viewer may see (none is
// not an error: an official of another district sees an empty table); an
// ID that does not exist or that the viewer may not see is NOT_FOUND, as
// for the aggregates of one community.
func (s Selection) Communities(ctx context.Context, client *ent.Client) ([]*ent.Community, error) {
	q := client.Community.Query().Order(ent.Asc(community.FieldCode))
	switch {
	case s.given > 1:
		return nil, fail.Invalidf("give one of a community, a district or a list of community IDs, not several")
	case s.District != "":
		q = q.Where(community.District(s.District))
	case len(s.IDs) > MaxCommunities:
		return nil, fail.Invalidf("at most %d communities at a time, got %d", MaxCommunities, len(s.IDs))
	case len(s.IDs) > 0:
		q = q.Where(community.IDIn(s.IDs...))
	default:
		return nil, fail.Invalidf("give a district (non-empty) or a community or a non-empty list of community IDs")
	}
	cs, err := q.All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load the communities: %w", err)
	}
	for _, id := range s.IDs {
		if !slices.ContainsFunc(cs, func(c *ent.Community) bool { return c.ID == id }) {
			return nil, fail.NotFoundf("community %d does not exist or you may not see it", id)
		}
	}
	return cs, nil
}

func ids(cs []*ent.Community) []int {
	out := make([]int, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// CommunityTotals are the ledger totals of one community of a view over
// several.
type CommunityTotals struct {
	Community *ent.Community
	Totals
}

// SelectionTotals are the ledger totals of each selected community for a
// period (a month or a year), by code: two statements whatever the number
// of communities (Communities, then TotalsOf).
func SelectionTotals(ctx context.Context, client *ent.Client, sel Selection, p calendar.Period) ([]*CommunityTotals, error) {
	cs, err := sel.Communities(ctx, client)
	if err != nil {
		return nil, err
	}
	return TotalsOf(ctx, client, cs, p)
}

// TotalsOf are the ledger totals of each of communities for a period, in
// their order: one GROUP BY whatever their number, and for each exactly
// what TotalsFor answers (a community without vouchers has zeros). For
// pages that have loaded the communities already (the officials' page).
func TotalsOf(ctx context.Context, client *ent.Client, communities []*ent.Community, p calendar.Period) ([]*CommunityTotals, error) {
	span := PeriodSpan(p)
	out := make([]*CommunityTotals, len(communities))
	at := make(map[int]*CommunityTotals, len(communities))
	for i, c := range communities {
		out[i] = &CommunityTotals{Community: c, Totals: Totals{CommunityID: c.ID, Period: p, From: span.From, To: span.To}}
		at[c.ID] = out[i]
	}
	if len(communities) == 0 {
		return out, nil
	}
	rows, err := querySumsOf(ctx, client, ids(communities), span, voucher.FieldCommunityID, voucher.FieldDirection, voucher.FieldCategory)
	if err != nil {
		return nil, fmt.Errorf("totals of %d communities for %s: %w", len(communities), p, err)
	}
	by := make(map[int][]sumRow, len(communities))
	for _, r := range rows {
		by[r.CommunityID] = append(by[r.CommunityID], r)
	}
	for id, rs := range by {
		if t := at[id]; t != nil {
			t.add(rs)
		}
	}
	return out, nil
}

// SelectionMonthly is every month from..to with the posted income and
// expense, overall and by category, summed over the selected communities:
// two statements whatever the number of communities or months. For one
// community it answers what MonthlyTotals answers.
func SelectionMonthly(ctx context.Context, client *ent.Client, sel Selection, from, to calendar.Period) ([]MonthTotals, error) {
	span, err := MonthsSpan(from, to)
	if err != nil {
		return nil, err
	}
	cs, err := sel.Communities(ctx, client)
	if err != nil {
		return nil, err
	}
	var rows []sumRow
	if len(cs) > 0 {
		rows, err = querySumsOf(ctx, client, ids(cs), span, voucher.FieldPeriod, voucher.FieldDirection, voucher.FieldCategory)
		if err != nil {
			return nil, fmt.Errorf("monthly totals of %d communities: %w", len(cs), err)
		}
	}
	return monthsOf(span, rows), nil
}

// querySumsOf is querySums over several communities: one GROUP BY.
func querySumsOf(ctx context.Context, client *ent.Client, communityIDs []int, span Span, columns ...string) ([]sumRow, error) {
	var rows []sumRow
	err := client.Voucher.Query().
		Where(voucher.CommunityIDIn(communityIDs...), voucher.PeriodGTE(span.From.String()),
			voucher.PeriodLTE(span.To.String()), voucher.StatusEQ(voucher.StatusPOSTED)).
		Modify(postedSourceOf(communityIDs, span.From, span.To), groupSum(columns...)).
		Scan(ctx, &rows)
	return rows, err
}
