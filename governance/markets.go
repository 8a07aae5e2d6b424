package governance

import (
	"context"
	"fmt"
	"time"

	"sunlight/calendar"
	"sunlight/ent"
	"sunlight/ent/contract"
	"sunlight/ent/predicate"
	"sunlight/ent/stall"
	"sunlight/money"
)

// leaseOn is a lease in force on the civil date on.
func leaseOn(on time.Time) predicate.Contract {
	return contract.And(
		contract.KindEQ(contract.KindLEASE),
		contract.StatusIn(contract.StatusACTIVE, contract.StatusCOMPLETED),
		contract.StartsOnLTE(on),
		contract.Or(contract.EndsOnIsNil(), contract.EndsOnGTE(on)),
	)
}

// CurrentLease is the lease of stall id in force on the civil date on, or
// nil when the stall stands empty.
func CurrentLease(ctx context.Context, client *ent.Client, stallID int, on time.Time) (*ent.Contract, error) {
	c, err := client.Contract.Query().Where(contract.StallID(stallID), leaseOn(on)).
		Order(ent.Desc(contract.FieldStartsOn), ent.Desc(contract.FieldID)).First(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lease of stall %d on %s: %w", stallID, calendar.FormatDate(on), err)
	}
	return c, nil
}

// StallLease is a stall and its lease on a date (nil: empty).
type StallLease struct {
	Stall *ent.Stall
	Lease *ent.Contract
}

// Occupancy is a market's stalls on a date.
type Occupancy struct {
	MarketID  int
	AsOf      time.Time
	Stalls    []StallLease // by stall number
	Occupied  int
	RentRoll  money.Fen // monthly rent of the leases in force (月租金合计)
	AskedRent money.Fen // monthly rent asked for all stalls
}

// OccupancyOf is market id's stalls and leases on the civil date on, with
// two statements.
func OccupancyOf(ctx context.Context, client *ent.Client, marketID int, on time.Time) (*Occupancy, error) {
	stalls, err := client.Stall.Query().Where(stall.MarketID(marketID)).Order(stall.ByNumber()).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("stalls of market %d: %w", marketID, err)
	}
	ids := make([]int, len(stalls))
	for i, s := range stalls {
		ids[i] = s.ID
	}
	leases, err := client.Contract.Query().Where(contract.StallIDIn(ids...), leaseOn(on)).
		Order(contract.ByStartsOn(), contract.ByID()).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("leases of market %d: %w", marketID, err)
	}
	byStall := map[int]*ent.Contract{}
	for _, l := range leases {
		byStall[*l.StallID] = l // the latest start wins
	}
	o := &Occupancy{MarketID: marketID, AsOf: on}
	for _, s := range stalls {
		l := byStall[s.ID]
		o.Stalls = append(o.Stalls, StallLease{Stall: s, Lease: l})
		o.AskedRent += s.MonthlyRent
		if l != nil {
			o.Occupied++
			if l.MonthlyRent != nil {
				o.RentRoll += *l.MonthlyRent
			}
		}
	}
	return o, nil
}
