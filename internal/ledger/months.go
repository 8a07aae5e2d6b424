package ledger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"sunlight/ent"
	"sunlight/ent/community"
	"sunlight/ent/voucher"
	"sunlight/internal/storage/rowlock"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
)

// checkOpenMonth refuses a voucher dated d in a month one of the
// communities has closed (月月清), with one query however many. The
// communities' rows are held until the write commits, so a concurrent
// closeMonth (which locks them) either comes first and is seen here, or
// waits for the voucher and then sees it.
func checkOpenMonth(ctx context.Context, client *ent.Client, communityIDs []int, d time.Time) error {
	q := client.Community.Query().Where(community.IDIn(communityIDs...))
	q.Modify(rowlock.Share)
	cs, err := q.Select(community.FieldID, community.FieldClosedThrough).All(ctx)
	if err != nil {
		return fmt.Errorf("load communities %v: %w", communityIDs, err)
	}
	if len(cs) < len(communityIDs) {
		return fail.NotFoundf("community %d does not exist", missing(communityIDs, cs))
	}
	for _, c := range cs {
		if err := closedMonthError(c, d); err != nil {
			return err
		}
	}
	return nil
}

// missing is the first of ids not among cs.
func missing(ids []int, cs []*ent.Community) int {
	have := make(map[int]bool, len(cs))
	for _, c := range cs {
		have[c.ID] = true
	}
	for _, id := range ids {
		if !have[id] {
			return id
		}
	}
	return 0
}

// closedMonthError refuses the date d if c has closed its month.
func closedMonthError(c *ent.Community, d time.Time) error {
	if c.ClosedThrough == nil {
		return nil
	}
	closed, err := calendar.ParsePeriod(*c.ClosedThrough)
	if err != nil {
		return fmt.Errorf("community %d closed_through: %w", c.ID, err)
	}
	m := calendar.MonthOf(d)
	if m.Before(closed.Next()) {
		return fail.Conflictf("%s is closed (月月清): its books are closed through %s and its disclosure is published. Date the voucher in an open month (%s or later); to correct a posted voucher of a closed month, reverse it with reverseVoucher dated in an open month",
			m, closed, closed.Next())
	}
	return nil
}

// ErrUnposted is the cause of a close refused because vouchers of the
// month are not posted yet (still being signed): people's work to finish,
// not a fault, so the scheduler waits for it (package jobs).
var ErrUnposted = errors.New("vouchers of the month are not posted")

// CloseMonth closes month for the community (月月清): no voucher dated in it
// or before can be written any more. Months close in order, only after they
// have ended, and only when every voucher dated in them is posted.
func CloseMonth(ctx context.Context, client *ent.Client, communityID int, month calendar.Period, now time.Time) (*ent.Community, error) {
	if !month.IsMonth() {
		return nil, fail.Invalidf("closeMonth needs a month such as 2026-10, got %q", month)
	}
	if today := calendar.DayOf(now); today.Before(month.End()) {
		return nil, fail.Invalidf("%s has not ended yet (today is %s in Asia/Shanghai); a month closes after its last day", month, calendar.FormatDate(today))
	}
	var closed *ent.Community
	err := inTx(ctx, client, func(client *ent.Client) (err error) {
		closed, err = closeMonth(ctx, client, communityID, month)
		return err
	})
	return closed, err
}

// closeMonth is CloseMonth inside its transaction: the month's totals are
// written with the close, or neither is. A month closes once: the
// community's row is locked first, so of concurrent closes the first
// closes and the others wait, then find the month closed; a voucher being
// written or posted holds the row too (checkOpenMonth, checkPostable), so
// the close waits for it and counts it. The update applies only to a month
// still open, so without a transaction a second close still fails.
func closeMonth(ctx context.Context, client *ent.Client, communityID int, month calendar.Period) (*ent.Community, error) {
	c, err := lockCommunity(ctx, client, communityID)
	if err != nil {
		return nil, fmt.Errorf("close %s: %w", month, err)
	}
	if c.ClosedThrough != nil {
		closed, err := calendar.ParsePeriod(*c.ClosedThrough)
		if err != nil {
			return nil, fmt.Errorf("community %s closed_through: %w", c.Code, err)
		}
		if !closed.Before(month) {
			return nil, alreadyClosed(c, month, closed)
		}
	}
	open, err := client.Voucher.Query().Where(
		voucher.CommunityID(communityID),
		voucher.PeriodLTE(month.String()),
		voucher.StatusNEQ(voucher.StatusPOSTED),
	).Select(voucher.FieldNumber).Strings(ctx)
	if err != nil {
		return nil, fmt.Errorf("close %s: find unposted vouchers: %w", month, err)
	}
	if len(open) > 0 {
		e := fail.Conflictf("cannot close %s: %d voucher(s) dated in it or before are not posted (%s); post or delete them first", month, len(open), first(open, 5))
		e.Err = ErrUnposted
		return nil, e
	}
	if err := rollUp(ctx, client, c, month); err != nil {
		return nil, fmt.Errorf("close %s: %w", month, err)
	}
	c, err = client.Community.UpdateOneID(communityID).
		Where(community.Or(community.ClosedThroughIsNil(), community.ClosedThroughLT(month.String()))).
		SetClosedThrough(month.String()).SetTotalsThrough(month.String()).Save(ctx)
	if ent.IsNotFound(err) {
		// Closed between the read and the update: only possible without a
		// transaction. (Its month sums failed on their unique key first,
		// but say what happened.)
		return nil, fail.Conflictf("%s is already closed for community %d", month, communityID)
	}
	if err != nil {
		return nil, fmt.Errorf("close %s for community %d: %w", month, communityID, err)
	}
	return c, nil
}

func alreadyClosed(c *ent.Community, month, closed calendar.Period) error {
	return fail.Conflictf("%s is already closed for %s (closed through %s)", month, c.Name, closed)
}

func first(s []string, n int) string {
	out := ""
	for i, x := range s {
		if i == n {
			return out + ", …"
		}
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}
