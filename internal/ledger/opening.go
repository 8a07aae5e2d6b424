package ledger

import (
	"context"
	"fmt"

	"sunlight/ent"
	"sunlight/ent/community"
	"sunlight/ent/hook"
	"sunlight/ent/openingbalance"
	"sunlight/ent/report"
	"sunlight/ent/voucher"
	"sunlight/internal/storage/rowlock"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/vocab/money"
)

// Opening balances (期初余额). A community whose books come onto the
// platform mid-way (its go-live month) starts with what its books held at
// the start of that month, and with what it took in and spent earlier that
// year. Its monthly disclosures print, from the go-live month on, the
// balance at the start of the month, the month's income and expense, the
// balance at its end, and the year to date counted from the go-live month
// (with the amounts before it, when entered). What a published disclosure
// printed is evidence: once the community's first monthly disclosure is
// published the opening balance no longer changes (rule 8).

// GoLive is the first month c's books are kept on the platform: the month
// of its establishment (成立日期). Nothing is published or closed before
// it, and an opening balance is the balance at its first day. Community
// keeps no creation time on the platform, so that half of the rule ("or of
// its creation, whichever is later") waits for one; ok is false when
// establishedOn is not set.
func GoLive(c *ent.Community) (calendar.Period, bool) {
	if c.EstablishedOn == nil {
		return calendar.Period{}, false
	}
	return calendar.MonthOf(*c.EstablishedOn), true
}

// Opening is what a community enters as its opening balance.
type Opening struct {
	Balance       money.Fen // 期初余额: cash and bank deposits at the start of the go-live month
	IncomeBefore  money.Fen // 上线前本年累计收入: earlier in the go-live month's year
	ExpenseBefore money.Fen // 上线前本年累计支出
}

// SetOpening enters or corrects the opening balance of community
// communityID, as of the first day of its go-live month. The rules are the
// hooks' (openingRules), so they hold on every path; this function makes
// it an upsert that writes nothing when the balance is already what is
// asked (so ten identical requests make one record and one audit event).
// The community's row is locked first: of concurrent requests one writes,
// the others wait and then find it written; a publication (which locks the
// row too) comes wholly before or after.
func SetOpening(ctx context.Context, client *ent.Client, communityID int, o Opening) (*ent.OpeningBalance, error) {
	var ob *ent.OpeningBalance
	err := inTx(ctx, client, func(client *ent.Client) (err error) {
		ob, err = setOpening(ctx, client, communityID, o)
		return err
	})
	return ob, err
}

func setOpening(ctx context.Context, client *ent.Client, communityID int, o Opening) (*ent.OpeningBalance, error) {
	c, err := lockCommunity(ctx, client, communityID)
	if err != nil {
		return nil, err
	}
	old, err := client.OpeningBalance.Query().Where(openingbalance.CommunityID(communityID)).Only(ctx)
	switch {
	case ent.IsNotFound(err):
		return client.OpeningBalance.Create().SetCommunityID(communityID).
			SetBalance(o.Balance).SetIncomeBefore(o.IncomeBefore).SetExpenseBefore(o.ExpenseBefore).Save(ctx)
	case err != nil:
		return nil, fmt.Errorf("load the opening balance of %s: %w", c.Name, err)
	}
	live, _ := GoLive(c)
	if old.Balance == o.Balance && old.IncomeBefore == o.IncomeBefore && old.ExpenseBefore == o.ExpenseBefore && old.Period == live.String() {
		// Nothing to change; still refused once it is printed, as a
		// change would be, so the answer does not depend on the values.
		if err := checkOpening(ctx, client, c, o); err != nil {
			return nil, err
		}
		return old, nil
	}
	return client.OpeningBalance.UpdateOne(old).
		SetBalance(o.Balance).SetIncomeBefore(o.IncomeBefore).SetExpenseBefore(o.ExpenseBefore).Save(ctx)
}

// lockCommunity loads community id, locking its row until the transaction
// ends as closeMonth and publishing do.
func lockCommunity(ctx context.Context, client *ent.Client, id int) (*ent.Community, error) {
	q := client.Community.Query().Where(community.ID(id))
	q.Modify(rowlock.NoKeyUpdate)
	c, err := q.Only(ctx)
	if ent.IsNotFound(err) {
		return nil, fail.NotFoundf("community %d does not exist", id)
	}
	if err != nil {
		return nil, fmt.Errorf("load community %d: %w", id, err)
	}
	return c, nil
}

// openingRules guards every write to opening balances, whatever the path:
// the community's row is locked (so a publication cannot slip in between
// the check and the write), the balance is as of the community's go-live
// month (set here, never by the caller), the amounts are not negative,
// and nothing changes once a monthly disclosure of the community is
// published.
func openingRules(next ent.Mutator) ent.Mutator {
	return hook.OpeningBalanceFunc(func(ctx context.Context, m *ent.OpeningBalanceMutation) (ent.Value, error) {
		var cids []int
		if m.Op().Is(ent.OpCreate) {
			cid, _ := m.CommunityID()
			cids = []int{cid}
		} else {
			ids, err := m.IDs(ctx)
			if err != nil {
				return nil, fmt.Errorf("find opening balances to change: %w", err)
			}
			if len(ids) == 0 {
				return next.Mutate(ctx, m)
			}
			if cids, err = m.Client().OpeningBalance.Query().Where(openingbalance.IDIn(ids...)).
				Select(openingbalance.FieldCommunityID).Ints(ctx); err != nil {
				return nil, fmt.Errorf("find opening balances to change: %w", err)
			}
		}
		if len(cids) != 1 && !m.Op().Is(ent.OpDelete|ent.OpDeleteOne) {
			return nil, fail.Invalidf("an opening balance is set for one community at a time")
		}
		for _, cid := range cids {
			c, err := lockCommunity(ctx, m.Client(), cid)
			if err != nil {
				return nil, err
			}
			var o Opening
			if !m.Op().Is(ent.OpDelete | ent.OpDeleteOne) {
				o = openingOf(m)
				live, ok := GoLive(c)
				if !ok {
					return nil, fail.Invalidf("%s has no establishedOn: set it (updateCommunity) to the first day its books are kept on the platform; the opening balance is the balance at the start of that month", c.Name)
				}
				m.SetPeriod(live.String())
			}
			if err := checkOpening(ctx, m.Client(), c, o); err != nil {
				return nil, err
			}
		}
		return next.Mutate(ctx, m)
	})
}

// openingOf is the amounts a mutation sets; on an update, an amount it
// leaves alone is checked as 0 (they are checked as set, not as stored).
func openingOf(m *ent.OpeningBalanceMutation) Opening {
	var o Opening
	o.Balance, _ = m.Balance()
	o.IncomeBefore, _ = m.IncomeBefore()
	o.ExpenseBefore, _ = m.ExpenseBefore()
	return o
}

// checkOpening refuses an opening balance of c once a monthly disclosure of
// c is published, negative amounts, and amounts before a go-live month of
// January (the year has nothing before it).
func checkOpening(ctx context.Context, client *ent.Client, c *ent.Community, o Opening) error {
	first, err := client.Report.Query().Where(report.CommunityID(c.ID), report.KindEQ(report.KindMONTHLY_DISCLOSURE),
		report.StatusEQ(report.StatusPUBLISHED)).Order(report.ByPeriod()).First(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return fmt.Errorf("find the first disclosure of %s: %w", c.Name, err)
	}
	if first != nil {
		return fail.Conflictf("the opening balance of %s can no longer change: its first monthly disclosure (%s) is published and printed it; correct the books with vouchers dated in an open month", c.Name, first.Period)
	}
	for _, a := range []struct {
		name string
		v    money.Fen
	}{{"balance (期初余额)", o.Balance}, {"incomeBefore (上线前本年收入)", o.IncomeBefore}, {"expenseBefore (上线前本年支出)", o.ExpenseBefore}} {
		if a.v < 0 {
			return fail.Invalidf("%s must not be negative, got %s", a.name, a.v)
		}
	}
	if live, ok := GoLive(c); ok && live.Month == 1 && (o.IncomeBefore != 0 || o.ExpenseBefore != 0) {
		return fail.Invalidf("%s goes live in January (%s): nothing of that year came before it, so incomeBefore and expenseBefore are 0.00", c.Name, live)
	}
	return nil
}

// Balance is what a monthly disclosure prints of a community's money from
// its go-live month on (资金余额).
type Balance struct {
	GoLive        calendar.Period // the month of the opening balance
	Opening       money.Fen       // 期初余额: at the first day of the month
	Income        money.Fen       // 本月收入
	Expense       money.Fen       // 本月支出
	IncomeBefore  money.Fen       // entered, when the month is of the go-live month's year; else 0
	ExpenseBefore money.Fen
}

// Closing is the balance at the month's end (期末余额).
func (b *Balance) Closing() money.Fen { return b.Opening + b.Income - b.Expense }

// BalanceAt is community communityID's balance for month, from its opening
// balance and the posted vouchers of the months since its go-live month:
// nil when it has no opening balance or month is before it. One GROUP BY
// over the months from the go-live month (as every total: month sums of the
// closed months, vouchers of the open ones).
func BalanceAt(ctx context.Context, client *ent.Client, communityID int, month calendar.Period) (*Balance, error) {
	if !month.IsMonth() {
		return nil, fail.Invalidf("a balance needs a month such as 2026-10, got %q", month)
	}
	ob, err := client.OpeningBalance.Query().Where(openingbalance.CommunityID(communityID)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load the opening balance of community %d: %w", communityID, err)
	}
	live, err := calendar.ParsePeriod(ob.Period)
	if err != nil {
		return nil, fmt.Errorf("opening balance %d: %w", ob.ID, err)
	}
	if month.Before(live) {
		return nil, nil
	}
	rows, err := readSums(ctx, client, communityID, Span{live, month}, voucher.FieldPeriod, voucher.FieldDirection)
	if err != nil {
		return nil, fmt.Errorf("balance of community %d for %s: %w", communityID, month, err)
	}
	b := &Balance{GoLive: live, Opening: ob.Balance}
	if live.Year == month.Year {
		b.IncomeBefore, b.ExpenseBefore = ob.IncomeBefore, ob.ExpenseBefore
	}
	for _, r := range rows {
		// A month's sums may be negative (a reversal dated in a later
		// month than its original): they are added as they are.
		a, income := money.Fen(r.Sum), r.Direction == voucher.DirectionINCOME
		switch {
		case r.Period == month.String() && income:
			b.Income += a
		case r.Period == month.String():
			b.Expense += a
		case income:
			b.Opening += a
		default:
			b.Opening -= a
		}
	}
	return b, nil
}

// OpeningYear is the months a disclosure's year to date (本年累计) counts
// for month: from January, or from the go-live month of a community with an
// opening balance in month's year, whose earlier months are the amounts
// entered with it.
func OpeningYear(b *Balance, month calendar.Period) Span {
	span := Span{calendar.Month(month.Year, 1), month}
	if b != nil && b.GoLive.Year == month.Year {
		span.From = b.GoLive
	}
	return span
}

// TotalsOver sums the posted vouchers of span, as TotalsFor sums a period.
func TotalsOver(ctx context.Context, client *ent.Client, communityID int, p calendar.Period, span Span) (*Totals, error) {
	if span.To.Before(span.From) {
		return nil, fail.Invalidf("from %s is after to %s", span.From, span.To)
	}
	return sumMonths(ctx, client, communityID, p, span)
}
