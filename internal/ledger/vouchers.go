package ledger

import (
	"context"
	"fmt"
	"strings"
	"time"

	"sunlight/ent"
	"sunlight/ent/signature"
	"sunlight/ent/voucher"
	"sunlight/internal/vocab/fail"
)

// Signer is a person signing a voucher.
type Signer struct {
	Name       string
	Role       signature.Role
	ResidentID *int
}

// Sign records signer's signature on voucher id and moves a draft into
// signing. A person signs a voucher once.
func Sign(ctx context.Context, client *ent.Client, id int, s Signer, at time.Time) (*ent.Voucher, error) {
	name := strings.TrimSpace(s.Name)
	if name == "" {
		return nil, fail.Invalidf("signer's name is empty")
	}
	v, err := load(ctx, client, id)
	if err != nil {
		return nil, err
	}
	if v.Status == voucher.StatusPOSTED {
		return nil, fail.Conflictf("voucher %s is already posted; it takes no more signatures", v.Number)
	}
	dup, err := client.Signature.Query().Where(signature.VoucherID(id), signature.Signer(name)).Exist(ctx)
	if err != nil {
		return nil, fmt.Errorf("sign voucher %s: %w", v.Number, err)
	}
	if dup {
		return nil, fail.Conflictf("%s has already signed voucher %s; a second signature by the same person does not count", name, v.Number)
	}
	err = client.Signature.Create().SetCommunityID(v.CommunityID).SetVoucherID(id).
		SetSigner(name).SetRole(s.Role).SetNillableResidentID(s.ResidentID).SetSignedAt(at).
		Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("sign voucher %s: %w", v.Number, err)
	}
	if v.Status == voucher.StatusDRAFT {
		if v, err = client.Voucher.UpdateOneID(id).SetStatus(voucher.StatusSIGNING).Save(ctx); err != nil {
			return nil, fmt.Errorf("sign voucher %d: %w", id, err)
		}
	}
	return v, nil
}

// Post posts voucher id. The hooks check the signatures and the month.
func Post(ctx context.Context, client *ent.Client, id int, at time.Time) (*ent.Voucher, error) {
	v, err := load(ctx, client, id)
	if err != nil {
		return nil, err
	}
	if v.Status == voucher.StatusPOSTED {
		return nil, fail.Conflictf("voucher %s is already posted", v.Number)
	}
	v, err = client.Voucher.UpdateOneID(id).SetStatus(voucher.StatusPOSTED).SetPostedAt(at).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("post voucher %d: %w", id, err)
	}
	return v, nil
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
	// for every path that creates one, this function only words it.
	orig, err := load(ctx, client, id)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(r.Reason) == "" {
		return nil, fail.Invalidf("a reversal needs a reason (冲销原因)")
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
	v, err := client.Voucher.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, fail.NotFoundf("voucher %d does not exist", id)
	}
	if err != nil {
		return nil, fmt.Errorf("load voucher %d: %w", id, err)
	}
	return v, nil
}
