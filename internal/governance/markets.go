package governance

import (
	"context"
	"fmt"
	"sync"
	"time"

	"sunlight/ent"
	"sunlight/ent/contract"
	"sunlight/ent/predicate"
	"sunlight/ent/stall"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/vocab/money"
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

// CurrentLease is the lease of stall st in force on the civil date on, or
// nil when the stall stands empty. Under WithReadCache (one GraphQL operation)
// the leases of all the stall's market are read at the first stall asked,
// so a list of stalls with their leases costs one statement per market, not
// one per stall.
func CurrentLease(ctx context.Context, client *ent.Client, st *ent.Stall, on time.Time) (*ent.Contract, error) {
	if rc, _ := ctx.Value(readCacheKey{}).(*readCache); rc != nil {
		return rc.leases.of(ctx, client, st, on)
	}
	c, err := client.Contract.Query().Where(contract.StallID(st.ID), leaseOn(on)).
		Order(ent.Desc(contract.FieldStartsOn), ent.Desc(contract.FieldID)).First(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lease of stall %d on %s: %w", st.ID, calendar.FormatDate(on), err)
	}
	return c, nil
}

// leases are the leases in force read so far in one operation, by market
// and date, then by stall.
type leases struct {
	mu   sync.Mutex
	read map[marketDay]map[int]*ent.Contract
}

type marketDay struct {
	market int
	day    string
}

func (ls *leases) of(ctx context.Context, client *ent.Client, st *ent.Stall, on time.Time) (*ent.Contract, error) {
	k := marketDay{st.MarketID, calendar.FormatDate(on)}
	ls.mu.Lock()
	defer ls.mu.Unlock()
	byStall, ok := ls.read[k]
	if !ok {
		var err error
		if byStall, err = marketLeases(ctx, client, st.MarketID, on); err != nil {
			return nil, err
		}
		if ls.read == nil {
			ls.read = map[marketDay]map[int]*ent.Contract{}
		}
		ls.read[k] = byStall
	}
	return byStall[st.ID], nil
}

// marketLeases is the lease in force on the civil date on of every leased
// stall of market id, in one statement: of overlapping leases the latest
// start wins, as in CurrentLease.
func marketLeases(ctx context.Context, client *ent.Client, marketID int, on time.Time) (map[int]*ent.Contract, error) {
	leases, err := client.Contract.Query().Where(contract.HasStallWith(stall.MarketID(marketID)), leaseOn(on)).
		Order(contract.ByStartsOn(), contract.ByID()).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("leases of market %d on %s: %w", marketID, calendar.FormatDate(on), err)
	}
	byStall := make(map[int]*ent.Contract, len(leases))
	for _, l := range leases {
		byStall[*l.StallID] = l // the latest start wins
	}
	return byStall, nil
}

// StallLease is a stall and its lease on a date (nil: empty).
type StallLease struct {
	Stall *ent.Stall
	Lease *ent.Contract
}

// Occupancy is a market's stalls on a date.
type Occupancy struct {
	Market    *ent.Market
	AsOf      time.Time
	Stalls    []StallLease // by stall number
	Occupied  int
	RentRoll  money.Fen // monthly rent of the leases in force (月租金合计)
	AskedRent money.Fen // monthly rent asked for all stalls
}

// StallCount is the number of stalls.
func (o *Occupancy) StallCount() int { return len(o.Stalls) }

// Vacant is the number of stalls without a lease in force.
func (o *Occupancy) Vacant() int { return len(o.Stalls) - o.Occupied }

// OccupancyPercent is the share of stalls let, in percent with two
// decimals ("83.33"); "0.00" for a market without stalls.
func (o *Occupancy) OccupancyPercent() string {
	if bp, ok := money.Ratio(money.Fen(o.Occupied), money.Fen(len(o.Stalls))); ok {
		return money.Percent(bp)
	}
	return "0.00"
}

// OccupancyOf is market id's stalls and leases on the civil date on, with
// three statements; NOT_FOUND when there is no such market.
func OccupancyOf(ctx context.Context, client *ent.Client, marketID int, on time.Time) (*Occupancy, error) {
	m, err := client.Market.Get(ctx, marketID)
	if ent.IsNotFound(err) {
		return nil, fail.NotFoundf("market %d does not exist", marketID)
	}
	if err != nil {
		return nil, fmt.Errorf("market %d: %w", marketID, err)
	}
	stalls, err := client.Stall.Query().Where(stall.MarketID(marketID)).Order(stall.ByNumber()).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("stalls of market %d: %w", marketID, err)
	}
	byStall, err := marketLeases(ctx, client, marketID, on)
	if err != nil {
		return nil, err
	}
	o := &Occupancy{Market: m, AsOf: on}
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
