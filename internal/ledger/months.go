package ledger

import (
	"context"
	"fmt"
	"time"

	"sunlight/ent"
	"sunlight/ent/community"
	"sunlight/ent/voucher"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
)

// checkOpenMonth refuses a voucher dated d in a month the community has
// closed (月月清).
func checkOpenMonth(ctx context.Context, client *ent.Client, communityID int, d time.Time) error {
	c, err := client.Community.Query().Where(community.ID(communityID)).
		Select(community.FieldID, community.FieldClosedThrough).Only(ctx)
	if ent.IsNotFound(err) {
		return fail.NotFoundf("community %d does not exist", communityID)
	}
	if err != nil {
		return fmt.Errorf("load community %d: %w", communityID, err)
	}
	return closedMonthError(c, d)
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
// written with the close, or neither is.
func closeMonth(ctx context.Context, client *ent.Client, communityID int, month calendar.Period) (*ent.Community, error) {
	c, err := client.Community.Get(ctx, communityID)
	if ent.IsNotFound(err) {
		return nil, fail.NotFoundf("community %d does not exist", communityID)
	}
	if err != nil {
		return nil, fmt.Errorf("close %s: load community %d: %w", month, communityID, err)
	}
	if c.ClosedThrough != nil {
		closed, err := calendar.ParsePeriod(*c.ClosedThrough)
		if err != nil {
			return nil, fmt.Errorf("community %s closed_through: %w", c.Code, err)
		}
		if !closed.Before(month) {
			return nil, fail.Conflictf("%s is already closed for %s (closed through %s)", month, c.Name, closed)
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
		return nil, fail.Conflictf("cannot close %s: %d voucher(s) dated in it or before are not posted (%s); post or delete them first", month, len(open), first(open, 5))
	}
	if err := rollUp(ctx, client, c, month); err != nil {
		return nil, fmt.Errorf("close %s: %w", month, err)
	}
	c, err = client.Community.UpdateOneID(communityID).
		SetClosedThrough(month.String()).SetTotalsThrough(month.String()).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("close %s for community %d: %w", month, communityID, err)
	}
	return c, nil
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
