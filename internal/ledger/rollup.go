package ledger

import (
	"context"
	"errors"
	"fmt"

	"entgo.io/ent/dialect/sql"

	"sunlight/ent"
	"sunlight/ent/community"
	"sunlight/ent/hook"
	"sunlight/ent/monthsum"
	"sunlight/ent/voucher"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/vocab/money"
)

// Month sums (月度汇总): when a month closes, its posted vouchers are
// summed by direction and category into month_sums, in the transaction
// that closes it. Nothing dated in a closed month can change any more, so
// the sums stay exact, and the aggregates read a closed month from a dozen
// rows instead of scanning its vouchers: ten years of a community's ledger
// cost as much as its 120 months, not its vouchers.
//
// communities.totals_through says how far the sums go. It moves with
// closed_through when a month closes; a database that closed months before
// month sums existed (or loaded them in bulk) is caught up by
// CatchUpTotals, and until then its aggregates simply scan the vouchers.

// rollingUp marks the context of the ledger's own writes of month sums.
type rollingUp struct{}

// monthSumRules keeps month sums to what closing a month writes: no
// other code creates them, and nothing changes or deletes them.
func monthSumRules(next ent.Mutator) ent.Mutator {
	return hook.MonthSumFunc(func(ctx context.Context, m *ent.MonthSumMutation) (ent.Value, error) {
		if !m.Op().Is(ent.OpCreate) {
			return nil, fail.Conflictf("month sums are the sums of closed months and cannot be changed or deleted")
		}
		if ctx.Value(rollingUp{}) == nil {
			return nil, fail.Forbiddenf("month sums are written only by closing a month (closeMonth)")
		}
		return next.Mutate(ctx, m)
	})
}

// rollUp sums the posted vouchers of c's months after its totals_through up
// to through into month sums. The caller moves totals_through to through
// in the same transaction.
func rollUp(ctx context.Context, client *ent.Client, c *ent.Community, through calendar.Period) error {
	q := client.Voucher.Query().Where(
		voucher.CommunityID(c.ID),
		voucher.StatusEQ(voucher.StatusPOSTED),
		voucher.PeriodLTE(through.String()),
	)
	if c.TotalsThrough != nil {
		q = q.Where(voucher.PeriodGT(*c.TotalsThrough))
	}
	var rows []sumRow
	if err := q.GroupBy(voucher.FieldPeriod, voucher.FieldDirection, voucher.FieldCategory).
		Aggregate(ent.Sum(voucher.FieldAmount), ent.Count()).Scan(ctx, &rows); err != nil {
		return fmt.Errorf("sum the months of %s through %s: %w", c.Code, through, err)
	}
	ctx = context.WithValue(ctx, rollingUp{}, true)
	const batch = 500
	for start := 0; start < len(rows); start += batch {
		end := min(start+batch, len(rows))
		creates := make([]*ent.MonthSumCreate, 0, end-start)
		for _, r := range rows[start:end] {
			creates = append(creates, client.MonthSum.Create().
				SetCommunityID(c.ID).SetPeriod(r.Period).
				SetDirection(monthsum.Direction(r.Direction)).SetCategory(r.Category).
				SetAmount(money.Fen(r.Sum)).SetVouchers(r.Count))
		}
		if err := client.MonthSum.CreateBulk(creates...).Exec(ctx); err != nil {
			return fmt.Errorf("write the month sums of %s through %s: %w", c.Code, through, err)
		}
	}
	return nil
}

// CatchUpTotals writes the month sums of every closed month that has
// none yet (after an upgrade, or a bulk load that closed months by hand) and
// says for how many communities. Each community is caught up in its own
// transaction.
func CatchUpTotals(ctx context.Context, client *ent.Client) (int, error) {
	behind, err := client.Community.Query().Where(
		community.ClosedThroughNotNil(),
		func(s *sql.Selector) {
			s.Where(sql.Or(
				sql.IsNull(s.C(community.FieldTotalsThrough)),
				sql.ColumnsLT(s.C(community.FieldTotalsThrough), s.C(community.FieldClosedThrough)),
			))
		},
	).All(ctx)
	if err != nil {
		return 0, fmt.Errorf("find communities without month sums: %w", err)
	}
	n := 0
	for _, c := range behind {
		caughtUp := false
		err := inTx(ctx, client, func(tx *ent.Client) (err error) {
			caughtUp, err = catchUp(ctx, tx, c.ID)
			return err
		})
		if err != nil {
			return 0, fmt.Errorf("catch up the month sums of %s: %w", c.Code, err)
		}
		if caughtUp {
			n++
		}
	}
	return n, nil
}

// catchUp writes the missing month sums of community id in the caller's
// transaction. It reads the community again under a lock: another server
// catching up at the same time, or a closeMonth, may have written them since
// it was found behind, and summing the same months twice would fail on the
// month sums' unique key.
func catchUp(ctx context.Context, client *ent.Client, id int) (bool, error) {
	c, err := lockCommunity(ctx, client, id)
	if err != nil {
		return false, err
	}
	if c.ClosedThrough == nil || (c.TotalsThrough != nil && *c.TotalsThrough >= *c.ClosedThrough) {
		return false, nil
	}
	closed, err := calendar.ParsePeriod(*c.ClosedThrough)
	if err != nil {
		return false, fmt.Errorf("community %s closed_through: %w", c.Code, err)
	}
	if err := rollUp(ctx, client, c, closed); err != nil {
		return false, err
	}
	return true, client.Community.UpdateOneID(c.ID).SetTotalsThrough(closed.String()).Exec(ctx)
}

// inTx runs fn in a transaction of client, or in client's own when client
// is already transactional (the GraphQL mutation's or the scheduler's).
func inTx(ctx context.Context, client *ent.Client, fn func(*ent.Client) error) error {
	tx, err := client.Tx(ctx)
	if errors.Is(err, ent.ErrTxStarted) {
		return fn(client)
	}
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(tx.Client()); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}
