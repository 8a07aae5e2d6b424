package ledger

import (
	"context"
	"fmt"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"

	"sunlight/ent"
	"sunlight/ent/voucher"
	"sunlight/internal/storage/rowlock"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
)

// Post posts voucher id, once. The hooks check the signatures and the
// month. Of concurrent posts of one voucher, the first locks its row and
// the others wait, then find it posted; the update itself only applies to
// a voucher not yet posted, so even outside a transaction a voucher is
// posted (and its posted_at written, and the post audited) once.
func Post(ctx context.Context, client *ent.Client, id int, at time.Time) (*ent.Voucher, error) {
	var v *ent.Voucher
	err := inTx(ctx, client, func(client *ent.Client) (err error) {
		v, err = post(ctx, client, id, at)
		return err
	})
	return v, err
}

func post(ctx context.Context, client *ent.Client, id int, at time.Time) (*ent.Voucher, error) {
	v, err := lockVoucher(ctx, client, id)
	if err != nil {
		return nil, err
	}
	if v.Status == voucher.StatusPOSTED {
		return nil, alreadyPosted(v)
	}
	posted, err := client.Voucher.UpdateOneID(id).Where(voucher.StatusNEQ(voucher.StatusPOSTED)).
		SetStatus(voucher.StatusPOSTED).SetPostedAt(at).Save(ctx)
	if ent.IsNotFound(err) {
		// Posted between the read and the update: only possible without
		// a transaction, where the lock ends with its statement.
		if v, err = load(ctx, client, id); err != nil {
			return nil, err
		}
		return nil, alreadyPosted(v)
	}
	if err != nil {
		return nil, fmt.Errorf("post voucher %s: %w", v.Number, err)
	}
	return posted, nil
}

func alreadyPosted(v *ent.Voucher) error {
	return fail.Conflictf("voucher %s is already posted%s", v.Number, postedAt(v))
}

// postedAt words when v was posted, in Asia/Shanghai, for a message.
func postedAt(v *ent.Voucher) string {
	if v.PostedAt == nil {
		return ""
	}
	return " (at " + v.PostedAt.In(calendar.Shanghai).Format("2006-01-02 15:04") + ")"
}

// Reversal describes a reversing voucher.
type Reversal struct {
	Number     string
	OccurredOn time.Time
	Reason     string
}

// Reverse creates the draft of a reversing voucher (红字冲销) for the posted
// voucher id: the same direction and category with the opposite amount,
// naming the original. It must be signed and posted like any voucher; once
// posted the two net to zero in every total.
func Reverse(ctx context.Context, client *ent.Client, id int, r Reversal) (*ent.Voucher, error) {
	// The rules of a reversal are the hooks' (checkReversal): they hold
	// for every path that creates one, this function only words it. The
	// hook locks the original, so the transaction makes two concurrent
	// reversals one reversal and one "already reversed".
	if strings.TrimSpace(r.Reason) == "" {
		return nil, fail.Invalidf("a reversal needs a reason (冲销原因)")
	}
	var rev *ent.Voucher
	err := inTx(ctx, client, func(client *ent.Client) (err error) {
		rev, err = reverse(ctx, client, id, r)
		return err
	})
	return rev, err
}

func reverse(ctx context.Context, client *ent.Client, id int, r Reversal) (*ent.Voucher, error) {
	orig, err := load(ctx, client, id)
	if err != nil {
		return nil, err
	}
	rev, err := client.Voucher.Create().
		SetCommunityID(orig.CommunityID).
		SetNumber(r.Number).
		SetOccurredOn(r.OccurredOn).
		SetDirection(orig.Direction).
		SetCategory(orig.Category).
		SetAmount(-orig.Amount).
		SetSummary(fmt.Sprintf("冲销 %s：%s", orig.Number, strings.TrimSpace(r.Reason))).
		SetCounterparty(orig.Counterparty).
		SetNillableContractID(orig.ContractID).
		SetReversesID(orig.ID).
		Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("reverse voucher %s: %w", orig.Number, err)
	}
	return rev, nil
}

func load(ctx context.Context, client *ent.Client, id int) (*ent.Voucher, error) {
	return loadVoucher(ctx, client, id, nil)
}

// lockVoucher is load, locking the voucher's row until the transaction
// ends (package rowlock).
func lockVoucher(ctx context.Context, client *ent.Client, id int) (*ent.Voucher, error) {
	return loadVoucher(ctx, client, id, rowlock.Update)
}

func loadVoucher(ctx context.Context, client *ent.Client, id int, lock func(*sql.Selector)) (*ent.Voucher, error) {
	q := client.Voucher.Query().Where(voucher.ID(id))
	if lock != nil {
		q.Modify(lock)
	}
	v, err := q.Only(ctx)
	if ent.IsNotFound(err) {
		return nil, fail.NotFoundf("voucher %d does not exist", id)
	}
	if err != nil {
		return nil, fmt.Errorf("load voucher %d: %w", id, err)
	}
	return v, nil
}
