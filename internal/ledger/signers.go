package ledger

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"sunlight/ent"
	"sunlight/ent/community"
	"sunlight/ent/enrolment"
	"sunlight/ent/privacy"
	"sunlight/ent/resident"
	"sunlight/ent/signature"
	"sunlight/ent/signer"
	"sunlight/ent/voucher"
	"sunlight/internal/ledger/signing"
	"sunlight/internal/storage/rowlock"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/vocab/money"
)

// EnrolmentValidity is how long a one-time enrolment code can register a key.
const EnrolmentValidity = 7 * 24 * time.Hour

// Enrolment is a person a community enrols to sign its vouchers.
type Enrolment struct {
	CommunityID int
	Name        string
	ResidentID  *int
	Capacity    signer.Capacity
	ValidFrom   time.Time  // civil date
	ValidTo     *time.Time // civil date; nil: open-ended
}

// Enrolled is a new signer and the one-time code with which it registers
// its public key. The code is given out once: only its hash is stored.
type Enrolled struct {
	Signer    *ent.Signer
	Code      string
	ExpiresAt time.Time
}

// Enrol records a signer without a key and issues its one-time code.
func Enrol(ctx context.Context, client *ent.Client, e Enrolment, now time.Time) (*Enrolled, error) {
	code, err := newCode()
	if err != nil {
		return nil, err
	}
	out := &Enrolled{Code: code, ExpiresAt: now.Add(EnrolmentValidity)}
	err = inTx(ctx, client, func(client *ent.Client) error {
		// The community's row is held until the enrolment commits, so of
		// two enrolments of one name the second waits and then finds
		// the first (checkNewSigner).
		if _, err := lockCommunity(ctx, client, e.CommunityID); err != nil {
			return err
		}
		s, err := client.Signer.Create().SetCommunityID(e.CommunityID).SetName(e.Name).SetNillableResidentID(e.ResidentID).
			SetCapacity(e.Capacity).SetValidFrom(e.ValidFrom).SetNillableValidTo(e.ValidTo).Save(ctx)
		if err != nil {
			return fmt.Errorf("enrol signer %s: %w", e.Name, err)
		}
		out.Signer = s
		return client.Enrolment.Create().SetCommunityID(e.CommunityID).SetSignerID(s.ID).SetCodeHash(hashCode(code)).
			SetCreatedAt(now).SetExpiresAt(out.ExpiresAt).Exec(ctx)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// newCode is 20 random base32 letters and digits in groups of four
// (100 bits), easy to read out and to type.
func newCode() (string, error) {
	b := make([]byte, 15)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make enrolment code: %w", err)
	}
	s := base32.StdEncoding.EncodeToString(b)
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20], nil
}

func hashCode(code string) string {
	c := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(code), "-", ""))
	sum := sha256.Sum256([]byte(c))
	return hex.EncodeToString(sum[:])
}

// RegisterKey registers publicKey (base64) for the signer of the one-time
// enrolment code. The code is the credential, so no token is needed: the
// signer's own device calls this with the key it made, and the private key
// never leaves it. A code registers one key, once, before it expires; the
// enrolment's row is locked, so of two registrations with one code the
// second finds it used.
func RegisterKey(ctx context.Context, client *ent.Client, code, publicKey string, now time.Time) (*ent.Signer, error) {
	pub, err := signing.ParsePublicKey(publicKey)
	if err != nil {
		return nil, err
	}
	ctx = privacy.DecisionContext(ctx, privacy.Allow)
	var s *ent.Signer
	err = inTx(ctx, client, func(client *ent.Client) error {
		q := client.Enrolment.Query().Where(enrolment.CodeHash(hashCode(code)))
		q.Modify(rowlock.Update)
		e, err := q.Only(ctx)
		if ent.IsNotFound(err) {
			return fail.NotFoundf("no enrolment has this code; ask the community's staff for a new one")
		}
		if err != nil {
			return fmt.Errorf("find enrolment: %w", err)
		}
		switch {
		case e.UsedAt != nil:
			return fail.Conflictf("this enrolment code was already used (at %s); a code registers one key, once", e.UsedAt.In(calendar.Shanghai).Format("2006-01-02 15:04"))
		case !now.Before(e.ExpiresAt):
			return fail.Conflictf("this enrolment code expired at %s; ask the community's staff for a new one", e.ExpiresAt.In(calendar.Shanghai).Format("2006-01-02 15:04"))
		}
		if err := client.Enrolment.UpdateOneID(e.ID).SetUsedAt(now).Exec(ctx); err != nil {
			return fmt.Errorf("use enrolment code: %w", err)
		}
		s, err = client.Signer.UpdateOneID(e.SignerID).SetPublicKey(signing.Encode(pub)).SetKeyRegisteredAt(now).Save(ctx)
		if err != nil {
			return fmt.Errorf("register key: %w", err)
		}
		return nil
	})
	return s, err
}

// Revoke records that signer id left office at now: its signatures made
// before stay valid, later ones are refused.
func Revoke(ctx context.Context, client *ent.Client, id int, now time.Time) (*ent.Signer, error) {
	var s *ent.Signer
	err := inTx(ctx, client, func(client *ent.Client) error {
		q := client.Signer.Query().Where(signer.ID(id))
		q.Modify(rowlock.Update)
		old, err := q.Only(ctx)
		if ent.IsNotFound(err) {
			return fail.NotFoundf("signer %d does not exist", id)
		}
		if err != nil {
			return fmt.Errorf("load signer %d: %w", id, err)
		}
		if old.RevokedAt != nil {
			return fail.Conflictf("signer %s was already revoked (at %s)", old.Name, old.RevokedAt.In(calendar.Shanghai).Format("2006-01-02 15:04"))
		}
		s, err = client.Signer.UpdateOneID(id).SetRevokedAt(now).Save(ctx)
		if err != nil {
			return fmt.Errorf("revoke signer %s: %w", old.Name, err)
		}
		return nil
	})
	return s, err
}

// SigningPayload is what signer signerID signs on voucher voucherID: the
// canonical bytes and the text a person reads.
type SigningPayload struct {
	Version int
	Bytes   []byte
	Voucher signing.Voucher
}

// Text is the payload for a person to read, in Chinese.
func (p *SigningPayload) Text() string { return signing.Text(p.Voucher) }

// Base64 is the bytes to sign in standard base64, as the API gives them.
func (p *SigningPayload) Base64() string { return signing.Encode(p.Bytes) }

// Amount is the voucher's amount.
func (p *SigningPayload) Amount() money.Fen { return p.Voucher.Amount }

// AmountInCapitals is the amount in Chinese capitals (大写).
func (p *SigningPayload) AmountInCapitals() string { return money.Capitals(p.Voucher.Amount) }

// PayloadFor gives the payload signer signerID signs on voucher voucherID,
// read as the caller may see them.
func PayloadFor(ctx context.Context, client *ent.Client, voucherID, signerID int) (*SigningPayload, error) {
	v, err := load(ctx, client, voucherID)
	if err != nil {
		return nil, err
	}
	s, err := client.Signer.Get(ctx, signerID)
	if ent.IsNotFound(err) {
		return nil, fail.NotFoundf("signer %d does not exist", signerID)
	}
	if err != nil {
		return nil, fmt.Errorf("load signer %d: %w", signerID, err)
	}
	if s.CommunityID != v.CommunityID {
		return nil, fail.Invalidf("signer %s is enrolled in another community than voucher %s", s.Name, v.Number)
	}
	sv, err := signedVoucher(ctx, client, v, string(s.Capacity))
	if err != nil {
		return nil, err
	}
	b, err := signing.Payload(sv, signing.Version)
	if err != nil {
		return nil, err
	}
	return &SigningPayload{Version: signing.Version, Bytes: b, Voucher: sv}, nil
}

// signedVoucher is what a signature in capacity on v covers.
func signedVoucher(ctx context.Context, client *ent.Client, v *ent.Voucher, capacity string) (signing.Voucher, error) {
	code, err := communityCode(ctx, client, v.CommunityID)
	if err != nil {
		return signing.Voucher{}, fmt.Errorf("load community of voucher %s: %w", v.Number, err)
	}
	var reverses string
	if v.ReversesID != nil {
		if reverses, err = client.Voucher.Query().Where(voucher.ID(*v.ReversesID)).Select(voucher.FieldNumber).String(ctx); err != nil {
			return signing.Voucher{}, fmt.Errorf("load voucher reversed by %s: %w", v.Number, err)
		}
	}
	return SignedVoucher(v, code, reverses, capacity), nil
}

// SignedVoucher is what a signature in capacity on v covers, given the
// code of v's community and the number of the voucher v reverses.
func SignedVoucher(v *ent.Voucher, communityCode, reverses, capacity string) signing.Voucher {
	return signing.Voucher{
		Community: communityCode, Number: v.Number, Date: v.OccurredOn, Direction: string(v.Direction),
		Category: v.Category, Amount: v.Amount, Summary: v.Summary, Counterparty: v.Counterparty,
		Reverses: reverses, Capacity: capacity,
	}
}

// Sign stores signer signerID's signature sig (base64) of voucher
// voucherID and moves a draft into signing. The signature is the
// credential: whoever carries it (the signer's browser, a script, a clerk)
// may submit it, and the rules (signatureRules) verify it against the
// signer's registered key before anything is stored. A signer signs a
// voucher once: the voucher's row is locked first, so of two identical
// requests the second waits for the first and sees its signature.
func Sign(ctx context.Context, client *ent.Client, voucherID, signerID int, sig string, at time.Time) (*ent.Voucher, error) {
	if _, err := signing.ParseSignature(sig); err != nil {
		return nil, err
	}
	ctx = privacy.DecisionContext(ctx, privacy.Allow)
	var v *ent.Voucher
	err := inTx(ctx, client, func(client *ent.Client) (err error) {
		v, err = sign(ctx, client, voucherID, signerID, sig, at)
		return err
	})
	return v, err
}

func sign(ctx context.Context, client *ent.Client, id, signerID int, sig string, at time.Time) (*ent.Voucher, error) {
	v, err := lockVoucher(ctx, client, id)
	if err != nil {
		return nil, err
	}
	if v.Status == voucher.StatusPOSTED {
		return nil, fail.Conflictf("voucher %s is already posted%s; it takes no more signatures", v.Number, postedAt(v))
	}
	dup, err := client.Signature.Query().Where(signature.VoucherID(id), signature.SignerID(signerID)).Select(signature.FieldSigner).Strings(ctx)
	if err != nil {
		return nil, fmt.Errorf("sign voucher %s: %w", v.Number, err)
	}
	if len(dup) > 0 {
		return nil, fail.Conflictf("%s has already signed voucher %s; a second signature by the same signer does not count", dup[0], v.Number)
	}
	// The name, capacity and encoding are the signer's and the rules'
	// (signatureRules), not the caller's.
	err = client.Signature.Create().SetCommunityID(v.CommunityID).SetVoucherID(id).SetSignerID(signerID).
		SetEd25519Signature(sig).SetSignedAt(at).Exec(ctx)
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

// signerRules hold signers to their enrolment: a name, a community's
// resident, a term that ends after it starts, no two signers of a community
// in office under one name (the disclosure prints signers by name); the key
// is registered once and the revocation is final.
func signerRules(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, mv ent.Mutation) (ent.Value, error) {
		m, ok := mv.(*ent.SignerMutation)
		if !ok {
			return next.Mutate(ctx, mv)
		}
		if k, ok := m.PublicKey(); ok {
			pub, err := signing.ParsePublicKey(k)
			if err != nil {
				return nil, err
			}
			m.SetPublicKey(signing.Encode(pub))
			taken, err := m.Client().Signer.Query().Where(signer.PublicKey(signing.Encode(pub))).Exist(ctx)
			if err != nil {
				return nil, fmt.Errorf("check public key: %w", err)
			}
			if taken {
				return nil, fail.Conflictf("this public key is already registered for another signer; every signer makes a key of its own")
			}
		}
		if m.Op().Is(ent.OpCreate) {
			if err := checkNewSigner(ctx, m); err != nil {
				return nil, err
			}
			return next.Mutate(ctx, m)
		}
		if m.Op().Is(ent.OpDelete | ent.OpDeleteOne) {
			return nil, fail.Conflictf("a signer is never deleted: its signatures must stay checkable; revoke it with revokeSigner")
		}
		for _, f := range m.Fields() {
			switch f {
			case signer.FieldPublicKey, signer.FieldKeyRegisteredAt, signer.FieldRevokedAt:
			default:
				return nil, fail.Invalidf("a signer's %s is set when it is enrolled; enrol a new signer instead", f)
			}
		}
		ids, err := m.IDs(ctx)
		if err != nil {
			return nil, fmt.Errorf("find signers to change: %w", err)
		}
		olds, err := m.Client().Signer.Query().Where(signer.IDIn(ids...)).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("load signers to change: %w", err)
		}
		_, keySet := m.PublicKey()
		_, revokeSet := m.RevokedAt()
		for _, s := range olds {
			if keySet && s.PublicKey != nil {
				return nil, fail.Conflictf("signer %s already has a key; a key is registered once (revoke the signer and enrol it again for a new key)", s.Name)
			}
			if (keySet || revokeSet) && s.RevokedAt != nil {
				return nil, fail.Conflictf("signer %s was revoked; a revocation is final", s.Name)
			}
		}
		return next.Mutate(ctx, m)
	})
}

func checkNewSigner(ctx context.Context, m *ent.SignerMutation) error {
	// The name is held to the one text rule (package text) by the schema's
	// validator: refused, not trimmed, like every other name.
	name, _ := m.Name()
	cid, _ := m.CommunityID()
	from, _ := m.ValidFrom()
	if to, ok := m.ValidTo(); ok && to.Before(from) {
		return fail.Invalidf("a signer's term ends (%s) before it starts (%s)", calendar.FormatDate(to), calendar.FormatDate(from))
	}
	if _, ok := m.RevokedAt(); ok {
		return fail.Invalidf("a signer is enrolled in office; revoke it with revokeSigner")
	}
	if rid, ok := m.ResidentID(); ok {
		n, err := m.Client().Resident.Query().Where(resident.ID(rid), resident.CommunityID(cid)).Count(ctx)
		if err != nil {
			return fmt.Errorf("check resident %d: %w", rid, err)
		}
		if n == 0 {
			return fail.Invalidf("resident %d is not a resident of the signer's community", rid)
		}
	}
	clash, err := m.Client().Signer.Query().Where(signer.CommunityID(cid), signer.Name(name), signer.RevokedAtIsNil()).Exist(ctx)
	if err != nil {
		return fmt.Errorf("check signer %s: %w", name, err)
	}
	if clash {
		return fail.Conflictf("%s is already an enrolled signer of this community; revoke that enrolment first, or tell two people apart by name (e.g. %s（二组）)", name, name)
	}
	return nil
}

// checkSignature holds a new signature to its signer and voucher: an ED25519
// signature is by a signer of the voucher's community with a registered
// key, in office on the day it signs and not revoked, over the voucher's
// signing payload in the signer's capacity; it is verified here, before it
// is stored. The signer's name and capacity are copied from the signer.
// A signature without a signer is NAME_ONLY (a record from before keys):
// kept as such, never counted.
func checkSignature(ctx context.Context, m *ent.SignatureMutation, v *ent.Voucher) error {
	sid, hasSigner := m.SignerID()
	sig, hasSig := m.Ed25519Signature()
	if !hasSigner {
		if hasSig {
			return fail.Invalidf("a signature needs its signer")
		}
		if meth, ok := m.Method(); ok && meth != signature.MethodNAME_ONLY {
			return fail.Invalidf("a signature needs its signer")
		}
		return nil
	}
	if !hasSig {
		return fail.Invalidf("a signer's signature needs its Ed25519 signature")
	}
	s, err := loadSigner(ctx, m.Client(), sid)
	if ent.IsNotFound(err) {
		return fail.NotFoundf("signer %d does not exist", sid)
	}
	if err != nil {
		return fmt.Errorf("load signer %d: %w", sid, err)
	}
	at, _ := m.SignedAt()
	switch {
	case s.CommunityID != v.CommunityID:
		return fail.Invalidf("signer %s is enrolled in another community than voucher %s", s.Name, v.Number)
	case s.PublicKey == nil:
		return fail.Conflictf("signer %s has not registered a key yet; register it with the enrolment code first", s.Name)
	case s.RevokedAt != nil && !at.Before(*s.RevokedAt):
		return fail.Conflictf("signer %s was revoked at %s and may no longer sign", s.Name, s.RevokedAt.In(calendar.Shanghai).Format("2006-01-02 15:04"))
	case !InOffice(s, at):
		return fail.Conflictf("signer %s is not in office on %s (term %s)", s.Name, calendar.FormatDate(calendar.DayOf(at)), term(s))
	}
	m.SetSigner(s.Name)
	m.SetRole(signature.Role(s.Capacity))
	if s.ResidentID != nil {
		m.SetResidentID(*s.ResidentID)
	}
	m.SetMethod(signature.MethodED25519)
	m.SetEncodingVersion(signing.Version)
	sv, err := signedVoucher(ctx, m.Client(), v, string(s.Capacity))
	if err != nil {
		return err
	}
	payload, err := signing.Payload(sv, signing.Version)
	if err != nil {
		return err
	}
	raw, err := signing.ParseSignature(sig)
	if err != nil {
		return err
	}
	m.SetEd25519Signature(signing.Encode(raw))
	if signing.Verify(*s.PublicKey, sig, payload) {
		return nil
	}
	// Say why, when the signature is one already made for another voucher.
	other, err := m.Client().Signature.Query().Where(signature.Ed25519Signature(signing.Encode(raw)), signature.VoucherIDNEQ(v.ID)).
		QueryVoucher().Select(voucher.FieldNumber).Strings(ctx)
	if err != nil {
		return fmt.Errorf("check signature: %w", err)
	}
	if len(other) > 0 {
		return fail.Invalidf("this signature was made for voucher %s, not %s: a signature covers one voucher and cannot be copied", other[0], v.Number)
	}
	return fail.Invalidf("the signature does not verify with signer %s's key over voucher %s's signing payload (version %d): sign the bytes of signingPayload, unchanged", s.Name, v.Number, signing.Version)
}

// InOffice reports whether s may sign at instant at: on a day of its term
// and before any revocation.
func InOffice(s *ent.Signer, at time.Time) bool {
	day := calendar.DayOf(at)
	if day.Before(s.ValidFrom) || s.ValidTo != nil && day.After(*s.ValidTo) {
		return false
	}
	return s.RevokedAt == nil || at.Before(*s.RevokedAt)
}

func term(s *ent.Signer) string {
	to := "…"
	if s.ValidTo != nil {
		to = calendar.FormatDate(*s.ValidTo)
	}
	return calendar.FormatDate(s.ValidFrom) + " – " + to
}

// lookups remembers, for one bulk import, the signers and community codes
// the checks of its signatures read: the demo loader signs some ten
// thousand vouchers in one transaction of its own, and would otherwise read
// the same nine signers and one code once per signature. Every signature is
// still verified; only the reads are shared. Nothing reachable from the API
// sets it, as audit.WithoutTrail.
type lookups struct {
	mu      sync.Mutex
	codes   map[int]string
	signers map[int]*ent.Signer
}

type lookupsKey struct{}

// WithSharedLookups marks ctx as one bulk import whose signers and
// communities do not change while it runs (see lookups).
func WithSharedLookups(ctx context.Context) context.Context {
	return context.WithValue(ctx, lookupsKey{}, &lookups{codes: map[int]string{}, signers: map[int]*ent.Signer{}})
}

func communityCode(ctx context.Context, client *ent.Client, id int) (string, error) {
	l, _ := ctx.Value(lookupsKey{}).(*lookups)
	if l != nil {
		l.mu.Lock()
		code, ok := l.codes[id]
		l.mu.Unlock()
		if ok {
			return code, nil
		}
	}
	code, err := client.Community.Query().Where(community.ID(id)).Select(community.FieldCode).String(ctx)
	if err == nil && l != nil {
		l.mu.Lock()
		l.codes[id] = code
		l.mu.Unlock()
	}
	return code, err
}

func loadSigner(ctx context.Context, client *ent.Client, id int) (*ent.Signer, error) {
	l, _ := ctx.Value(lookupsKey{}).(*lookups)
	if l != nil {
		l.mu.Lock()
		s, ok := l.signers[id]
		l.mu.Unlock()
		if ok {
			return s, nil
		}
	}
	s, err := client.Signer.Get(ctx, id)
	if err == nil && l != nil {
		l.mu.Lock()
		l.signers[id] = s
		l.mu.Unlock()
	}
	return s, err
}
