package governance

import (
	"entgo.io/ent/privacy"

	"context"
	"fmt"
	"sort"
	"sunlight/internal/access/auth"
	"time"

	"sunlight/ent"
	"sunlight/ent/benefit"
	"sunlight/ent/hook"
	"sunlight/ent/pointevent"
	"sunlight/ent/resident"
	"sunlight/ent/voucher"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/vocab/money"
)

// Age thresholds of the age-based benefits.
const (
	InsuranceAge = 60 // ELDER_INSURANCE: medical insurance for residents 60 and over
	VisitAge     = 80 // ELDER_VISIT: the 重阳节 visit to residents 80 and over
)

// MinAge is the age a benefit kind requires, and false for kinds without
// one.
func MinAge(k benefit.Kind) (int, bool) {
	switch k {
	case benefit.KindELDER_INSURANCE:
		return InsuranceAge, true
	case benefit.KindELDER_VISIT:
		return VisitAge, true
	}
	return 0, false
}

// BornBy is the latest birth date of someone at least age years old on the
// civil date on, as calendar.AgeOn counts age (born on 29 February: a year
// older on 1 March in common years). It lets the database select by age
// with an index on birth_date: AgeOn(b, on) >= age exactly when b <= BornBy.
func BornBy(on time.Time, age int) time.Time {
	// time.Date turns 29 February of a common year into 1 March; walk to
	// the exact edge with AgeOn itself, one or two days at most.
	b := time.Date(on.Year()-age, on.Month(), on.Day(), 0, 0, 0, 0, time.UTC)
	for calendar.AgeOn(b, on) < age {
		b = b.AddDate(0, 0, -1)
	}
	for calendar.AgeOn(b.AddDate(0, 0, 1), on) >= age {
		b = b.AddDate(0, 0, 1)
	}
	return b
}

// Eligible lists the residents of a community at least age years old on the
// civil date on who had not moved out by then, oldest first, in one
// statement.
func Eligible(ctx context.Context, client *ent.Client, communityID, age int, on time.Time) ([]*ent.Resident, error) {
	rs, err := client.Resident.Query().Where(
		resident.CommunityID(communityID),
		resident.BirthDateLTE(BornBy(on, age)),
		resident.Or(resident.MovedOutOnIsNil(), resident.MovedOutOnGT(on)),
	).Order(resident.ByBirthDate(), resident.ByID()).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("residents aged %d+ on %s: %w", age, calendar.FormatDate(on), err)
	}
	return rs, nil
}

// PointsBalance is one resident's points over a period and place in the
// ranking.
type PointsBalance struct {
	ResidentID int
	Resident   *ent.Resident
	Points     int
	Events     int
	Rank       int // 1 for the most points; equal points share a rank (1, 2, 2, 4)
}

// Ranking is the points ranking of a community (or of one resident group
// when groupID is given) over period p: one GROUP BY over the point events
// and one statement for the residents.
func Ranking(ctx context.Context, client *ent.Client, communityID int, groupID *int, p calendar.Period) ([]PointsBalance, error) {
	q := client.PointEvent.Query().Where(
		pointevent.CommunityID(communityID),
		pointevent.OccurredOnGTE(p.First()), pointevent.OccurredOnLT(p.End()),
		// The ranking is of the community's residents: those who had moved
		// out by the period's end are not in it.
		pointevent.HasResidentWith(resident.Or(resident.MovedOutOnIsNil(), resident.MovedOutOnGTE(p.End()))),
	)
	if groupID != nil {
		q = q.Where(pointevent.HasResidentWith(resident.GroupID(*groupID)))
	}
	var rows []struct {
		ResidentID int `json:"resident_id"`
		Sum        int `json:"sum"`
		Count      int `json:"count"`
	}
	if err := q.GroupBy(pointevent.FieldResidentID).Aggregate(ent.Sum(pointevent.FieldPoints), ent.Count()).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("sum points of %s: %w", p, err)
	}
	out := make([]PointsBalance, len(rows))
	ids := make([]int, len(rows))
	for i, r := range rows {
		out[i] = PointsBalance{ResidentID: r.ResidentID, Points: r.Sum, Events: r.Count}
		ids[i] = r.ResidentID
	}
	rank(out)
	rs, err := client.Resident.Query().Where(resident.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load ranked residents: %w", err)
	}
	byID := make(map[int]*ent.Resident, len(rs))
	for _, r := range rs {
		byID[r.ID] = r
	}
	for i := range out {
		out[i].Resident = byID[out[i].ResidentID]
	}
	return out, nil
}

// rank orders balances by points, most first (ties by resident), and gives
// each its competition rank: equal points share a rank, and the next rank
// skips as many places as shared it.
func rank(bs []PointsBalance) {
	sort.Slice(bs, func(i, j int) bool {
		if bs[i].Points != bs[j].Points {
			return bs[i].Points > bs[j].Points
		}
		return bs[i].ResidentID < bs[j].ResidentID
	})
	for i := range bs {
		if i > 0 && bs[i].Points == bs[i-1].Points {
			bs[i].Rank = bs[i-1].Rank
		} else {
			bs[i].Rank = i + 1
		}
	}
}

// BenefitTotal is what was paid of one benefit kind in a period.
type BenefitTotal struct {
	Kind      benefit.Kind
	Amount    money.Fen
	Payments  int
	Residents int
}

// kindOrder is the order benefits are listed in: the design's.
var kindOrder = map[benefit.Kind]int{
	benefit.KindELDER_INSURANCE: 0, benefit.KindELDER_VISIT: 1, benefit.KindILLNESS_AID: 2,
	benefit.KindFUNERAL_REFORM: 3, benefit.KindSCHOLARSHIP: 4, benefit.KindANGEL_FUND: 5, benefit.KindOTHER: 6,
}

// BenefitTotals sums a community's benefits paid in p by kind, with one
// GROUP BY. Totals by kind name nobody, so they are public like the other
// aggregates, although the benefits themselves are personal data.
func BenefitTotals(ctx context.Context, client *ent.Client, communityID int, p calendar.Period) ([]BenefitTotal, error) {
	if !auth.CanSeeCommunity(ctx, communityID) {
		return nil, fail.Forbiddenf("you may not see community %d", communityID)
	}
	ctx = privacy.DecisionContext(ctx, privacy.Allow)
	var rows []struct {
		Kind      benefit.Kind `json:"kind"`
		Sum       int64        `json:"sum"`
		Count     int          `json:"count"`
		Residents int          `json:"residents"`
	}
	err := client.Benefit.Query().Where(
		benefit.CommunityID(communityID), benefit.PaidOnGTE(p.First()), benefit.PaidOnLT(p.End()),
	).GroupBy(benefit.FieldKind).Aggregate(ent.Sum(benefit.FieldAmount), ent.Count(), countDistinct(benefit.FieldResidentID, "residents")).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("sum benefits of %s: %w", p, err)
	}
	out := make([]BenefitTotal, len(rows))
	for i, r := range rows {
		out[i] = BenefitTotal{Kind: r.Kind, Amount: money.Fen(r.Sum), Payments: r.Count, Residents: r.Residents}
	}
	sort.Slice(out, func(i, j int) bool { return kindOrder[out[i].Kind] < kindOrder[out[j].Kind] })
	return out, nil
}

// benefitRules: a benefit is paid through an expense voucher of the same
// community, to a resident of it who had not moved out, and an age-based
// benefit only to a resident of that age on the day it is paid.
func benefitRules(next ent.Mutator) ent.Mutator {
	return hook.BenefitFunc(func(ctx context.Context, m *ent.BenefitMutation) (ent.Value, error) {
		if m.Op().Is(ent.OpDelete | ent.OpDeleteOne) {
			return next.Mutate(ctx, m)
		}
		type terms struct {
			communityID, residentID, voucherID int
			kind                               benefit.Kind
			paidOn                             time.Time
		}
		var ts []terms
		if m.Op().Is(ent.OpCreate) {
			var t terms
			t.communityID, _ = m.CommunityID()
			t.residentID, _ = m.ResidentID()
			t.voucherID, _ = m.VoucherID()
			t.kind, _ = m.Kind()
			t.paidOn, _ = m.PaidOn()
			ts = append(ts, t)
		} else {
			_, k := m.Kind()
			_, p := m.PaidOn()
			_, v := m.VoucherID()
			if !k && !p && !v {
				return next.Mutate(ctx, m)
			}
			ids, err := m.IDs(ctx)
			if err != nil {
				return nil, fmt.Errorf("find benefits to change: %w", err)
			}
			olds, err := m.Client().Benefit.Query().Where(benefit.IDIn(ids...)).All(ctx)
			if err != nil {
				return nil, fmt.Errorf("load benefits to change: %w", err)
			}
			for _, o := range olds {
				t := terms{o.CommunityID, o.ResidentID, o.VoucherID, o.Kind, o.PaidOn}
				if x, ok := m.Kind(); ok {
					t.kind = x
				}
				if x, ok := m.PaidOn(); ok {
					t.paidOn = x
				}
				if x, ok := m.VoucherID(); ok {
					t.voucherID = x
				}
				ts = append(ts, t)
			}
		}
		client := m.Client()
		for _, t := range ts {
			v, err := client.Voucher.Get(ctx, t.voucherID)
			if ent.IsNotFound(err) {
				return nil, fail.Invalidf("voucher %d does not exist; a benefit is paid through a voucher", t.voucherID)
			}
			if err != nil {
				return nil, fmt.Errorf("load voucher of benefit: %w", err)
			}
			if v.CommunityID != t.communityID || v.Direction != voucher.DirectionEXPENSE {
				return nil, fail.Invalidf("a benefit is paid through an expense voucher of its own community; voucher %s is not one", v.Number)
			}
			r, err := client.Resident.Get(ctx, t.residentID)
			if ent.IsNotFound(err) {
				return nil, fail.Invalidf("resident %d does not exist", t.residentID)
			}
			if err != nil {
				return nil, fmt.Errorf("load resident of benefit: %w", err)
			}
			if r.CommunityID != t.communityID {
				return nil, fail.Invalidf("resident %d belongs to another community", t.residentID)
			}
			if r.MovedOutOn != nil && !r.MovedOutOn.After(t.paidOn) {
				return nil, fail.Invalidf("resident %d moved out on %s and is not eligible for benefits paid on %s", r.ID, calendar.FormatDate(*r.MovedOutOn), calendar.FormatDate(t.paidOn))
			}
			if age, ok := MinAge(t.kind); ok {
				if got := calendar.AgeOn(r.BirthDate, t.paidOn); got < age {
					return nil, fail.Invalidf("%s is for residents aged %d or over; resident %d is %d on %s", t.kind, age, r.ID, got, calendar.FormatDate(t.paidOn))
				}
			}
		}
		return next.Mutate(ctx, m)
	})
}
