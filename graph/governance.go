package graph

import (
	"context"
	"time"

	"sunlight/ent"
	"sunlight/ent/benefit"
	"sunlight/ent/market"
	"sunlight/graph/model"
	"sunlight/internal/governance"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/vocab/money"
)

// today is the civil date of the resolver's clock, the default of every
// asOf argument.
func (r *Resolver) today(asOf *time.Time) time.Time {
	if asOf != nil {
		return *asOf
	}
	return calendar.DayOf(r.now())
}

func stageRecord(in model.RecordMatterStageInput) governance.StageRecord {
	rec := governance.StageRecord{MatterID: in.MatterID, Stage: in.Stage}
	if m := in.Meeting; m != nil {
		rec.Meeting = &governance.StageMeeting{
			HeldAt: m.HeldAt, Title: m.Title, Place: deref(m.Place), Entitled: m.Entitled, Attended: m.Attended,
			VotesFor: m.VotesFor, VotesAgainst: m.VotesAgainst, VotesAbstain: m.VotesAbstain,
			Minutes: deref(m.Minutes), SupervisionOpinion: deref(m.SupervisionOpinion),
		}
	}
	if d := in.Disclosure; d != nil {
		rec.Disclosure = &governance.StageDisclosure{DisclosedOn: d.DisclosedOn, Channel: d.Channel, Text: d.Text}
	}
	return rec
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func timeline(es []governance.TimelineEntry) []*model.MatterTimelineEntry {
	out := make([]*model.MatterTimelineEntry, len(es))
	for i, e := range es {
		out[i] = &model.MatterTimelineEntry{Stage: e.Stage, Date: e.Date, Meeting: e.Meeting, Disclosure: e.Disclosure}
	}
	return out
}

// ageOf is the age the benefit b is for (governance.MinAge); the schema's
// AgeBenefit enum names only benefits that have one.
func ageOf(b model.AgeBenefit) int {
	age, _ := governance.MinAge(benefit.Kind(b))
	return age
}

func pointsRanking(bs []governance.PointsBalance, first *int) ([]*model.PointsRank, error) {
	n := 50
	if first != nil {
		n = *first
	}
	out := make([]*model.PointsRank, 0, min(n, len(bs)))
	for _, b := range bs[:min(n, len(bs))] {
		out = append(out, &model.PointsRank{Rank: b.Rank, Resident: b.Resident, Points: b.Points, Events: b.Events})
	}
	return out, nil
}

func benefitTotals(ts []governance.BenefitTotal) []*model.BenefitKindTotal {
	out := make([]*model.BenefitKindTotal, len(ts))
	for i, t := range ts {
		out[i] = &model.BenefitKindTotal{Kind: t.Kind, Amount: t.Amount, Payments: t.Payments, Residents: t.Residents}
	}
	return out
}

func rentArrears(as []governance.Arrears) []*model.RentArrears {
	out := make([]*model.RentArrears, len(as))
	for i, a := range as {
		out[i] = &model.RentArrears{Contract: a.Contract, Months: a.Months, Due: a.Due, Received: a.Received, Owed: a.Owed()}
	}
	return out
}

func (r *queryResolver) occupancy(ctx context.Context, marketID int, asOf time.Time) (*model.MarketOccupancy, error) {
	m, err := r.client.Market.Query().Where(market.ID(marketID)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, fail.NotFoundf("market %d does not exist", marketID)
	}
	if err != nil {
		return nil, err
	}
	o, err := governance.OccupancyOf(ctx, r.client, marketID, asOf)
	if err != nil {
		return nil, err
	}
	out := &model.MarketOccupancy{
		Market: m, AsOf: asOf, Stalls: len(o.Stalls), Occupied: o.Occupied, Vacant: len(o.Stalls) - o.Occupied,
		OccupancyPercent: "0.00", RentRoll: o.RentRoll, AskedRent: o.AskedRent,
	}
	if bp, ok := money.Ratio(money.Fen(o.Occupied), money.Fen(len(o.Stalls))); ok {
		out.OccupancyPercent = money.Percent(bp)
	}
	for _, s := range o.Stalls {
		out.StallLeases = append(out.StallLeases, &model.StallOccupancy{Stall: s.Stall, Lease: s.Lease})
	}
	return out, nil
}
