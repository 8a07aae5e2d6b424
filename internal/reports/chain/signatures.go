package chain

import (
	"context"
	"fmt"
	"sort"

	"sunlight/ent"
	"sunlight/ent/signature"
	"sunlight/ent/voucher"
	"sunlight/internal/ledger"
	"sunlight/internal/ledger/signing"
	"sunlight/internal/vocab/calendar"
)

// signaturesChanged checks every signature of every posted voucher of c in
// month p: an ED25519 signature must verify with its signer's registered
// key over the voucher as it is in the books (which booksChanged holds to
// the published report), be by a signer of c, and be made while the signer
// was in office. A voucher or a signature altered in the database fails
// here, named. Name-only signatures, recorded before signers had keys,
// are not failures but notes: they were never verifiable.
func signaturesChanged(ctx context.Context, client *ent.Client, c *ent.Community, p calendar.Period) (problems, notes []string) {
	vs, err := client.Voucher.Query().
		Where(voucher.CommunityID(c.ID), voucher.Period(p.String()), voucher.StatusEQ(voucher.StatusPOSTED)).
		WithSignatures(func(q *ent.SignatureQuery) { q.WithSignedBy().Order(signature.ByID()) }).
		Order(voucher.ByNumber()).All(ctx)
	if err != nil {
		return []string{fmt.Sprintf("cannot read the signatures of %s: %v", p, err)}, nil
	}
	reversed := map[int]string{}
	var ids []int
	for _, v := range vs {
		if v.ReversesID != nil {
			ids = append(ids, *v.ReversesID)
		}
	}
	if len(ids) > 0 {
		origs, err := client.Voucher.Query().Where(voucher.IDIn(ids...)).Select(voucher.FieldID, voucher.FieldNumber).All(ctx)
		if err != nil {
			return []string{fmt.Sprintf("cannot read the vouchers reversed in %s: %v", p, err)}, nil
		}
		for _, o := range origs {
			reversed[o.ID] = o.Number
		}
	}
	for _, v := range vs {
		var reverses string
		if v.ReversesID != nil {
			reverses = reversed[*v.ReversesID]
		}
		nameOnly := 0
		for _, s := range v.Edges.Signatures {
			if s.Method == signature.MethodNAME_ONLY {
				nameOnly++
				continue
			}
			if msg := checkOne(c, v, reverses, s); msg != "" {
				problems = append(problems, fmt.Sprintf("voucher %s: %s", v.Number, msg))
			}
		}
		if nameOnly > 0 {
			notes = append(notes, fmt.Sprintf("voucher %s has %d name-only signature(s), recorded before signers had keys: unverified", v.Number, nameOnly))
		}
	}
	sort.Strings(problems)
	return problems, notes
}

// checkOne is what is wrong with signature s of voucher v ("" if nothing).
func checkOne(c *ent.Community, v *ent.Voucher, reverses string, s *ent.Signature) string {
	who := s.Edges.SignedBy
	switch {
	case who == nil || s.Ed25519Signature == nil || s.EncodingVersion == nil:
		return fmt.Sprintf("the signature of %s names no enrolled signer or holds no signature", s.Signer)
	case who.CommunityID != c.ID:
		return fmt.Sprintf("the signature of %s is by a signer of another community", s.Signer)
	case who.PublicKey == nil:
		return fmt.Sprintf("signer %s has no registered key", who.Name)
	case !ledger.InOffice(who, s.SignedAt):
		return fmt.Sprintf("%s signed on %s, outside the signer's term or after its revocation", who.Name, calendar.FormatDate(calendar.DayOf(s.SignedAt)))
	case who.Name != s.Signer || string(who.Capacity) != string(s.Role):
		return fmt.Sprintf("the signature names %s (%s), its signer is %s (%s)", s.Signer, s.Role, who.Name, who.Capacity)
	}
	payload, err := signing.Payload(ledger.SignedVoucher(v, c.Code, reverses, string(s.Role)), *s.EncodingVersion)
	if err != nil {
		return fmt.Sprintf("the signature of %s: %v", who.Name, err)
	}
	if !signing.Verify(*who.PublicKey, *s.Ed25519Signature, payload) {
		return fmt.Sprintf("the signature of %s (key %s) does not verify over the voucher as it is in the books: the voucher or the signature was altered", who.Name, signing.Fingerprint(*who.PublicKey))
	}
	return ""
}
