package governance

import (
	"context"
	"fmt"
	"sort"
	"time"

	"sunlight/ent"
	"sunlight/ent/contract"
	"sunlight/ent/voucher"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/money"
)

// LongTermYears is the term beyond which a contract is flagged: a lease of
// collective property for more than fifteen years ties the next
// generations' hands.
const LongTermYears = 15

// EndingWithin lists a community's running contracts that end on one of the
// days asOf … asOf+days, soonest first.
func EndingWithin(ctx context.Context, client *ent.Client, communityID int, asOf time.Time, days int) ([]*ent.Contract, error) {
	cs, err := client.Contract.Query().Where(
		contract.CommunityID(communityID), contract.StatusEQ(contract.StatusACTIVE),
		contract.EndsOnGTE(asOf), contract.EndsOnLTE(asOf.AddDate(0, 0, days)),
	).Order(contract.ByEndsOn(), contract.ByCode()).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("contracts ending within %d days of %s: %w", days, calendar.FormatDate(asOf), err)
	}
	return cs, nil
}

// RunsLongerThan reports whether c's term is more than years long; an
// open-ended contract (no end date) is.
func RunsLongerThan(c *ent.Contract, years int) bool {
	return c.EndsOn == nil || c.EndsOn.After(c.StartsOn.AddDate(years, 0, 0).AddDate(0, 0, -1))
}

// LongRunning lists a community's contracts, drafts and running ones, whose
// term is longer than years (LongTermYears by default), in one statement.
func LongRunning(ctx context.Context, client *ent.Client, communityID, years int) ([]*ent.Contract, error) {
	cs, err := client.Contract.Query().Where(
		contract.CommunityID(communityID), contract.StatusIn(contract.StatusACTIVE, contract.StatusDRAFT),
	).Order(contract.ByCode()).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("contracts of community %d: %w", communityID, err)
	}
	out := cs[:0]
	for _, c := range cs {
		if RunsLongerThan(c, years) {
			out = append(out, c)
		}
	}
	return out, nil
}

// MonthsElapsed is how many whole months of a term starting on start have
// passed by the end of the civil date until (a month ending on a day the
// month lacks ends on that month's last day).
func MonthsElapsed(start, until time.Time) int {
	if until.Before(start) {
		return 0
	}
	end := until.AddDate(0, 0, 1)
	n := (end.Year()-start.Year())*12 + int(end.Month()) - int(start.Month())
	for n > 0 && anniversary(start, n).After(end) {
		n--
	}
	return n
}

// anniversary is start plus n months, kept in its month.
func anniversary(start time.Time, n int) time.Time {
	first := calendar.Date(start.Year(), start.Month()+time.Month(n), 1)
	last := first.AddDate(0, 1, -1).Day()
	return calendar.Date(first.Year(), first.Month(), min(start.Day(), last))
}

// Arrears is the rent position of one contract with a monthly rent.
type Arrears struct {
	Contract *ent.Contract
	Months   int       // months elapsed by the date
	Due      money.Fen // monthly rent × months elapsed
	Received money.Fen // posted income vouchers under the contract, up to the date
}

// Owed is what is in arrears (欠缴租金).
func (a Arrears) Owed() money.Fen { return a.Due - a.Received }

// InArrears lists the contracts of a community with a monthly rent whose
// rent due by asOf (monthly rent × whole months elapsed since the start,
// up to the end of the term) exceeds the posted income vouchers received
// under them up to asOf, most owed first: two statements, the second one
// GROUP BY.
func InArrears(ctx context.Context, client *ent.Client, communityID int, asOf time.Time) ([]Arrears, error) {
	cs, err := client.Contract.Query().Where(
		contract.CommunityID(communityID), contract.MonthlyRentNotNil(),
		contract.StatusIn(contract.StatusACTIVE, contract.StatusCOMPLETED, contract.StatusTERMINATED),
		contract.StartsOnLTE(asOf),
	).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("leases of community %d: %w", communityID, err)
	}
	var rows []struct {
		ContractID int   `json:"contract_id"`
		Sum        int64 `json:"sum"`
	}
	err = client.Voucher.Query().Where(
		voucher.CommunityID(communityID), voucher.ContractIDNotNil(),
		voucher.StatusEQ(voucher.StatusPOSTED), voucher.DirectionEQ(voucher.DirectionINCOME),
		voucher.OccurredOnLTE(asOf),
	).GroupBy(voucher.FieldContractID).Aggregate(ent.Sum(voucher.FieldAmount)).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("rent received by community %d: %w", communityID, err)
	}
	received := make(map[int]money.Fen, len(rows))
	for _, r := range rows {
		received[r.ContractID] = money.Fen(r.Sum)
	}
	var out []Arrears
	for _, c := range cs {
		if a := arrearsOf(c, asOf, received[c.ID]); a.Owed() > 0 {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Owed() != out[j].Owed() {
			return out[i].Owed() > out[j].Owed()
		}
		return out[i].Contract.Code < out[j].Contract.Code
	})
	return out, nil
}

func arrearsOf(c *ent.Contract, asOf time.Time, received money.Fen) Arrears {
	until := asOf
	if c.EndsOn != nil && c.EndsOn.Before(until) {
		until = *c.EndsOn
	}
	n := MonthsElapsed(c.StartsOn, until)
	return Arrears{Contract: c, Months: n, Due: *c.MonthlyRent * money.Fen(n), Received: received}
}
