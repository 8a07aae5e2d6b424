package ledger

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"sunlight/ent"
	"sunlight/ent/community"
	"sunlight/ent/contract"
	"sunlight/ent/hook"
	"sunlight/ent/signature"
	"sunlight/ent/signer"
	"sunlight/ent/voucher"
	"sunlight/internal/storage/rowlock"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
)

// Install registers the ledger's rules on client.
func Install(client *ent.Client) {
	client.Voucher.Use(voucherRules)
	client.Signature.Use(signatureRules)
	client.Signer.Use(signerRules)
	client.MonthSum.Use(monthSumRules)
	client.OpeningBalance.Use(openingRules)
}

// voucherRules guards every write to vouchers.
func voucherRules(next ent.Mutator) ent.Mutator {
	return hook.VoucherFunc(func(ctx context.Context, m *ent.VoucherMutation) (ent.Value, error) {
		if m.Op().Is(ent.OpCreate) {
			if err := checkNewVoucher(ctx, m); err != nil {
				return nil, err
			}
			return next.Mutate(ctx, m)
		}
		ids, err := m.IDs(ctx)
		if err != nil {
			return nil, fmt.Errorf("find vouchers to change: %w", err)
		}
		if len(ids) == 0 {
			return next.Mutate(ctx, m)
		}
		// The rows are locked until the transaction ends, so what is
		// checked here (not posted, above all) still holds when the
		// write commits: a concurrent post waits, or is waited for.
		q := m.Client().Voucher.Query().Where(voucher.IDIn(ids...))
		q.Modify(rowlock.Update)
		targets, err := q.Select(voucher.FieldID, voucher.FieldNumber, voucher.FieldStatus, voucher.FieldCommunityID, voucher.FieldOccurredOn,
			voucher.FieldAmount, voucher.FieldReversesID, voucher.FieldDirection, voucher.FieldCategory, voucher.FieldPostedAt).
			All(ctx)
		if err != nil {
			return nil, fmt.Errorf("load vouchers to change: %w", err)
		}
		for _, v := range targets {
			if v.Status == voucher.StatusPOSTED {
				return nil, fail.Conflictf("voucher %s is posted%s and can no longer be changed or deleted; correct it with reverseVoucher, dated in an open month", v.Number, postedAt(v))
			}
			if v.Status == voucher.StatusSIGNING && !onlyPosting(m) {
				// Frozen once signing starts: a signature covers the
				// voucher as it was signed, so a change would make the
				// signatures cover something else.
				return nil, fail.Conflictf("voucher %s is being signed; its content is frozen once the first signature is made, so it can no longer be changed or deleted", v.Number)
			}
		}
		if m.Op().Is(ent.OpDelete | ent.OpDeleteOne) {
			return next.Mutate(ctx, m)
		}
		// Which voucher reverses which is set once, by creating the
		// reversal (checkReversal); through the edge of the original it
		// would rewrite a posted voucher's row.
		for _, edges := range [][]string{m.AddedEdges(), m.RemovedEdges(), m.ClearedEdges()} {
			if slices.Contains(edges, voucher.EdgeReversedBy) || slices.Contains(edges, voucher.EdgeReverses) {
				return nil, fail.Invalidf("which voucher reverses which is set by reverseVoucher, not by changing a voucher")
			}
		}
		// The month of a voucher is its date's, never set on its own.
		m.ResetPeriod()
		if d, ok := m.OccurredOn(); ok {
			m.SetPeriod(calendar.MonthOf(d).String())
			if err := checkOpenMonth(ctx, m.Client(), communitiesOf(targets), d); err != nil {
				return nil, err
			}
		}
		_, newAmount := m.Amount()
		newDir, dirSet := m.Direction()
		newCat, catSet := m.Category()
		for _, v := range targets {
			if v.ReversesID != nil && (newAmount || dirSet || catSet) {
				return nil, fail.Invalidf("voucher %s is a reversal; its amount, direction and category are those of the voucher it reverses", v.Number)
			}
			// The pair must hold whichever of the two the update sets.
			d, c := v.Direction, v.Category
			if dirSet {
				d = newDir
			}
			if catSet {
				c = newCat
			}
			if (dirSet || catSet) && !ValidCategory(d, c) {
				return nil, badCategory(d, c)
			}
		}
		if cid, ok := m.ContractID(); ok {
			if err := checkContract(ctx, m.Client(), communitiesOf(targets), cid); err != nil {
				return nil, err
			}
		}
		if err := checkAmount(m); err != nil {
			return nil, err
		}
		if s, ok := m.Status(); ok && s == voucher.StatusPOSTED {
			if err := checkPostable(ctx, m.Client(), targets); err != nil {
				return nil, err
			}
		}
		return next.Mutate(ctx, m)
	})
}

func checkNewVoucher(ctx context.Context, m *ent.VoucherMutation) error {
	d, _ := m.OccurredOn()
	m.SetPeriod(calendar.MonthOf(d).String())
	cid, _ := m.CommunityID()
	if err := checkOpenMonth(ctx, m.Client(), []int{cid}, d); err != nil {
		return err
	}
	dir, _ := m.Direction()
	cat, _ := m.Category()
	if !ValidCategory(dir, cat) {
		return badCategory(dir, cat)
	}
	if s, ok := m.Status(); ok && s != voucher.StatusDRAFT {
		return fail.Invalidf("a voucher is created as a draft; sign it and post it with postVoucher")
	}
	if ctr, ok := m.ContractID(); ok {
		if err := checkContract(ctx, m.Client(), []int{cid}, ctr); err != nil {
			return err
		}
	}
	if orig, isReversal := m.ReversesID(); isReversal {
		return checkReversal(ctx, m, orig)
	}
	return checkAmount(m)
}

// checkReversal holds a new reversal (红字冲销) to its original, whatever
// path creates it: the original is posted, of the same community, not itself
// a reversal and not reversed yet, and the reversal has its direction and
// category and the opposite amount. A voucher is reversed at most once: the
// original's row is locked first, so a second reversal waits for the first
// to commit and then finds it (the unique key on reverses_id backs this,
// but its violation would say nothing of reversals).
func checkReversal(ctx context.Context, m *ent.VoucherMutation, origID int) error {
	orig, err := lockVoucher(ctx, m.Client(), origID)
	if fail.CodeOf(err) == fail.NotFound {
		return fail.NotFoundf("voucher %d to reverse does not exist", origID)
	}
	if err != nil {
		return err
	}
	cid, _ := m.CommunityID()
	dir, _ := m.Direction()
	cat, _ := m.Category()
	amount, _ := m.Amount()
	switch {
	case orig.Status != voucher.StatusPOSTED:
		return fail.Conflictf("voucher %s is not posted; change or delete the draft instead of reversing it", orig.Number)
	case orig.ReversesID != nil:
		return fail.Conflictf("voucher %s is itself a reversal; it cannot be reversed again", orig.Number)
	case orig.CommunityID != cid:
		return fail.Invalidf("voucher %s belongs to another community", orig.Number)
	case dir != orig.Direction || cat != orig.Category || amount != -orig.Amount:
		return fail.Invalidf("a reversal of voucher %s has its direction and category and the amount %s", orig.Number, -orig.Amount)
	}
	taken, err := m.Client().Voucher.Query().Where(voucher.ReversesID(origID)).Exist(ctx)
	if err != nil {
		return fmt.Errorf("reverse voucher %s: %w", orig.Number, err)
	}
	if taken {
		return fail.Conflictf("voucher %s has already been reversed", orig.Number)
	}
	return nil
}

// checkContract refuses vouchers of the communities cids pointing at
// another community's contract, with one query however many vouchers.
func checkContract(ctx context.Context, client *ent.Client, cids []int, contractID int) error {
	owners, err := client.Contract.Query().Where(contract.ID(contractID)).Select(contract.FieldCommunityID).Ints(ctx)
	if err != nil {
		return fmt.Errorf("check contract %d: %w", contractID, err)
	}
	for _, cid := range cids {
		if len(owners) != 1 || owners[0] != cid {
			return fail.Invalidf("contract %d is not a contract of this voucher's community", contractID)
		}
	}
	return nil
}

// communitiesOf is the distinct communities of vs.
func communitiesOf(vs []*ent.Voucher) []int {
	seen := map[int]bool{}
	for _, v := range vs {
		seen[v.CommunityID] = true
	}
	return keys(seen)
}

func checkAmount(m *ent.VoucherMutation) error {
	if a, ok := m.Amount(); ok && a <= 0 {
		if _, isReversal := m.ReversesID(); !isReversal {
			return fail.Invalidf("amount must be more than 0.00 yuan, got %s; to cancel a posted voucher use reverseVoucher", a)
		}
	}
	return nil
}

func badCategory(d voucher.Direction, c string) error {
	return fail.Invalidf("category %q is not a %s category; use one of %s", c, directionName(d), strings.Join(Categories[d], ", "))
}

func directionName(d voucher.Direction) string {
	if d == voucher.DirectionINCOME {
		return "income (收入)"
	}
	return "expense (支出)"
}

// onlyPosting reports whether m only moves vouchers on (into signing, to
// posted), changing nothing a signature covers.
func onlyPosting(m *ent.VoucherMutation) bool {
	if m.Op().Is(ent.OpDelete|ent.OpDeleteOne) || len(m.ClearedFields()) > 0 || len(m.AddedEdges()) > 0 ||
		len(m.RemovedEdges()) > 0 || len(m.ClearedEdges()) > 0 {
		return false
	}
	for _, f := range m.Fields() {
		if f != voucher.FieldStatus && f != voucher.FieldPostedAt && f != voucher.FieldPeriod {
			return false
		}
	}
	return true
}

// signatureRules verifies every new signature before it is stored
// (checkSignature) and keeps the signatures of a posted voucher as they
// were.
func signatureRules(next ent.Mutator) ent.Mutator {
	return hook.SignatureFunc(func(ctx context.Context, m *ent.SignatureMutation) (ent.Value, error) {
		if m.Op().Is(ent.OpCreate) {
			vid, _ := m.VoucherID()
			q := m.Client().Voucher.Query().Where(voucher.ID(vid))
			q.Modify(rowlock.Share)
			v, err := q.Only(ctx)
			if ent.IsNotFound(err) {
				return nil, fail.NotFoundf("voucher %d does not exist", vid)
			}
			if err != nil {
				return nil, fmt.Errorf("check voucher of signature: %w", err)
			}
			if v.Status == voucher.StatusPOSTED {
				return nil, fail.Conflictf("voucher %s is posted%s; its signatures can no longer change", v.Number, postedAt(v))
			}
			if err := checkSignature(ctx, m, v); err != nil {
				return nil, err
			}
			return next.Mutate(ctx, m)
		}
		ids, err := m.IDs(ctx)
		if err != nil {
			return nil, fmt.Errorf("find signatures to change: %w", err)
		}
		q := m.Client().Voucher.Query().Where(voucher.HasSignaturesWith(signature.IDIn(ids...)))
		// Every voucher concerned is held (not only those posted: a row
		// being posted would not match yet), so a post waits for the
		// signature, or the signature for the post, and sees it.
		q.Modify(rowlock.Share)
		vs, err := q.Select(voucher.FieldID, voucher.FieldNumber, voucher.FieldStatus, voucher.FieldPostedAt).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("check vouchers of signatures: %w", err)
		}
		for _, v := range vs {
			if v.Status == voucher.StatusPOSTED {
				return nil, fail.Conflictf("voucher %s is posted%s; its signatures can no longer change", v.Number, postedAt(v))
			}
		}
		return next.Mutate(ctx, m)
	})
}

// checkPostable refuses to post any of vs before enough distinct people
// signed it or when it is dated in a closed month. It asks the database
// twice whatever the number of vouchers, so a bulk post stays cheap.
func checkPostable(ctx context.Context, client *ent.Client, vs []*ent.Voucher) error {
	ids := make([]int, len(vs))
	cids := map[int]bool{}
	for i, v := range vs {
		ids[i] = v.ID
		cids[v.CommunityID] = true
	}
	signers, err := countSigners(ctx, client, vs)
	if err != nil {
		return err
	}
	// Held until the post commits, so a close of the month waits for it
	// (closeMonth locks the community) and then sees the voucher posted.
	cq := client.Community.Query().Where(community.IDIn(keys(cids)...))
	cq.Modify(rowlock.Share)
	communities, err := cq.Select(community.FieldID, community.FieldMinSignatures, community.FieldClosedThrough).All(ctx)
	if err != nil {
		return fmt.Errorf("load communities of vouchers: %w", err)
	}
	byID := make(map[int]*ent.Community, len(communities))
	for _, c := range communities {
		byID[c.ID] = c
	}
	for _, v := range vs {
		c := byID[v.CommunityID]
		if c == nil {
			return fail.NotFoundf("community %d of voucher %s does not exist", v.CommunityID, v.Number)
		}
		if have := signers[v.ID]; have < c.MinSignatures {
			return fail.Conflictf("voucher %s has verified signatures from %d distinct enrolled signers (name-only signatures do not count); the community requires %d, so %d more must sign before it can be posted", v.Number, have, c.MinSignatures, c.MinSignatures-have)
		}
		if err := closedMonthError(c, v.OccurredOn); err != nil {
			return err
		}
	}
	return nil
}

func keys(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// countSigners counts, for each of vs, the distinct signers whose
// signatures count: ED25519 signatures (verified when stored) by a signer
// of the voucher's community, made while it was in office and before any
// revocation. Name-only signatures never count. Two queries whatever the
// number of vouchers.
func countSigners(ctx context.Context, client *ent.Client, vs []*ent.Voucher) (map[int]int, error) {
	ids := make([]int, len(vs))
	owner := make(map[int]int, len(vs))
	for i, v := range vs {
		ids[i] = v.ID
		owner[v.ID] = v.CommunityID
	}
	sigs, err := client.Signature.Query().
		Where(signature.VoucherIDIn(ids...), signature.MethodEQ(signature.MethodED25519), signature.SignerIDNotNil()).
		Select(signature.FieldVoucherID, signature.FieldSignerID, signature.FieldSignedAt).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("count signatures: %w", err)
	}
	sids := map[int]bool{}
	for _, s := range sigs {
		sids[*s.SignerID] = true
	}
	signers, err := client.Signer.Query().Where(signer.IDIn(keys(sids)...), signer.PublicKeyNotNil()).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load signers: %w", err)
	}
	byID := make(map[int]*ent.Signer, len(signers))
	for _, s := range signers {
		byID[s.ID] = s
	}
	seen := map[[2]int]bool{}
	out := map[int]int{}
	for _, s := range sigs {
		who := byID[*s.SignerID]
		if who == nil || who.CommunityID != owner[s.VoucherID] || !InOffice(who, s.SignedAt) || seen[[2]int{s.VoucherID, who.ID}] {
			continue
		}
		seen[[2]int{s.VoucherID, who.ID}] = true
		out[s.VoucherID]++
	}
	return out, nil
}
