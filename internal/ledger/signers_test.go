package ledger_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
	"time"

	"sunlight/ent"
	"sunlight/ent/auditevent"
	"sunlight/ent/signature"
	"sunlight/ent/signer"
	"sunlight/ent/voucher"
	"sunlight/internal/ledger"
	"sunlight/internal/ledger/signing"
	"sunlight/internal/ledger/signing/signingtest"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/vocab/money"
)

// TestSignatureRefusals: every bad signature is refused with a clear error
// and leaves nothing behind: no signature, no status change, no audit event.
func TestSignatureRefusals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		v := f.draft(oct15, money.Yuan(100))
		other := f.draft(oct15, money.Yuan(200))
		s := f.signers[0]
		if _, err := s.Sign(f.ctx, f.c, other.ID, now); err != nil {
			t.Fatal(err)
		}
		copied := s.Signature(f.ctx, t, f.c, other.ID)

		g := newFixture(t, dsn) // another community and its signers
		stranger := g.signers[0]

		revoked := signingtest.Enrol(f.ctx, t, f.c, f.com.ID, signer.CapacityCASHIER, "离任者")[0]
		if _, err := ledger.Revoke(f.ctx, f.c, revoked.ID, now.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		unregistered, err := ledger.Enrol(f.ctx, f.c, ledger.Enrolment{CommunityID: f.com.ID, Name: "未登记", Capacity: signer.CapacityOTHER, ValidFrom: signingtest.Since}, now)
		if err != nil {
			t.Fatal(err)
		}
		over := func(b []byte) string { return signing.Encode(ed25519.Sign(s.Key, b)) }

		cases := []struct {
			name   string
			signer int
			sig    string
			code   fail.Code
			says   string
		}{
			{"over other bytes", s.ID, over([]byte("sunlight-voucher-signature/1\nnumber=V-0001\n")), fail.BadInput, "does not verify with signer 签字人00's key over voucher " + v.Number},
			{"copied from another voucher", s.ID, copied, fail.BadInput, "was made for voucher " + other.Number + ", not " + v.Number},
			{"unknown signer", 1, copied, fail.NotFound, "signer 1 does not exist"},
			{"revoked signer", revoked.ID, revoked.Signature(f.ctx, t, f.c, v.ID), fail.Conflict, "was revoked"},
			{"signer of another community", stranger.ID, copied, fail.BadInput, "another community"},
			{"signer without a key", unregistered.Signer.ID, copied, fail.Conflict, "has not registered a key"},
			{"malformed signature", s.ID, "c2lnbmF0dXJl", fail.BadInput, "64 bytes"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				sigs, events := f.c.Signature.Query().CountX(f.ctx), f.c.AuditEvent.Query().CountX(f.ctx)
				_, err := ledger.Sign(f.ctx, f.c, v.ID, c.signer, c.sig, now)
				wantCode(t, err, c.code, c.says)
				if n := f.c.Signature.Query().CountX(f.ctx); n != sigs {
					t.Fatalf("a refused signature was stored: %d → %d", sigs, n)
				}
				if n := f.c.AuditEvent.Query().CountX(f.ctx); n != events {
					t.Fatalf("a refused signature left %d audit events", n-events)
				}
				if got := f.c.Voucher.GetX(f.ctx, v.ID); got.Status != voucher.StatusDRAFT {
					t.Fatalf("a refused signature moved the voucher to %s", got.Status)
				}
			})
		}
		t.Run("same signer twice", func(t *testing.T) {
			_, err := s.Sign(f.ctx, f.c, other.ID, now)
			wantCode(t, err, fail.Conflict, "already signed")
			if n := f.c.Signature.Query().Where(signature.VoucherID(other.ID)).CountX(f.ctx); n != 1 {
				t.Fatalf("voucher has %d signatures, want 1", n)
			}
		})
	})
}

func TestEnrolmentCode(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		key := func() string {
			pub, _, _ := ed25519.GenerateKey(rand.Reader)
			return signing.Encode(pub)
		}
		e, err := ledger.Enrol(f.ctx, f.c, ledger.Enrolment{CommunityID: f.com.ID, Name: "王会计", Capacity: signer.CapacityACCOUNTANT, ValidFrom: signingtest.Since}, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(e.Code) != 24 || !e.ExpiresAt.Equal(now.Add(ledger.EnrolmentValidity)) {
			t.Fatalf("enrolment = %q expiring %s", e.Code, e.ExpiresAt)
		}
		_, err = ledger.RegisterKey(f.ctx, f.c, e.Code, "not a key", now)
		wantCode(t, err, fail.BadInput, "32 bytes of an Ed25519 public key")
		_, err = ledger.RegisterKey(f.ctx, f.c, e.Code, signing.Encode(make([]byte, 31)), now)
		wantCode(t, err, fail.BadInput, "32 bytes")
		_, err = ledger.RegisterKey(f.ctx, f.c, "AAAA-BBBB-CCCC-DDDD-EEEE", key(), now)
		wantCode(t, err, fail.NotFound, "no enrolment has this code")
		_, err = ledger.RegisterKey(f.ctx, f.c, e.Code, *f.signers[0].PublicKey, now)
		wantCode(t, err, fail.Conflict, "already registered for another signer")
		// The code is read as typed, in lower case or without dashes too.
		s, err := ledger.RegisterKey(f.ctx, f.c, strings.ToLower(strings.ReplaceAll(e.Code, "-", "")), key(), now)
		if err != nil || s.PublicKey == nil {
			t.Fatalf("register: %v, %v", s, err)
		}
		_, err = ledger.RegisterKey(f.ctx, f.c, e.Code, key(), now)
		wantCode(t, err, fail.Conflict, "already used")
		if got := f.c.Signer.GetX(f.ctx, s.ID); *got.PublicKey != *s.PublicKey {
			t.Fatal("a used code changed the key")
		}

		late, err := ledger.Enrol(f.ctx, f.c, ledger.Enrolment{CommunityID: f.com.ID, Name: "李出纳", Capacity: signer.CapacityCASHIER, ValidFrom: signingtest.Since}, now)
		if err != nil {
			t.Fatal(err)
		}
		_, err = ledger.RegisterKey(f.ctx, f.c, late.Code, key(), now.Add(ledger.EnrolmentValidity))
		wantCode(t, err, fail.Conflict, "expired")

		_, err = ledger.Enrol(f.ctx, f.c, ledger.Enrolment{CommunityID: f.com.ID, Name: "王会计", Capacity: signer.CapacityOTHER, ValidFrom: signingtest.Since}, now)
		wantCode(t, err, fail.Conflict, "already an enrolled signer")
		to := signingtest.Since.AddDate(-1, 0, 0)
		_, err = ledger.Enrol(f.ctx, f.c, ledger.Enrolment{CommunityID: f.com.ID, Name: "赵", Capacity: signer.CapacityOTHER, ValidFrom: signingtest.Since, ValidTo: &to}, now)
		wantCode(t, err, fail.BadInput, "ends")
		// A name with white space at its ends is refused like every name
		// (the one text rule), not trimmed, and enrols no one.
		before := f.c.Signer.Query().CountX(f.ctx)
		_, err = ledger.Enrol(f.ctx, f.c, ledger.Enrolment{CommunityID: f.com.ID, Name: " 钱监督", Capacity: signer.CapacitySUPERVISOR, ValidFrom: signingtest.Since}, now)
		if !ent.IsValidationError(err) || !strings.Contains(err.Error(), "white space") {
			t.Fatalf("enrolling %q: %v; want the text rule's validation error (graph/errors.go makes it BAD_USER_INPUT)", " 钱监督", err)
		}
		if after := f.c.Signer.Query().CountX(f.ctx); after != before {
			t.Errorf("a refused enrolment left %d signer(s) behind", after-before)
		}

		for _, entity := range []string{"Signer", "Enrolment"} {
			if n := f.c.AuditEvent.Query().Where(auditevent.Entity(entity)).CountX(f.ctx); n == 0 {
				t.Errorf("no audit event for %s", entity)
			}
		}
	})
}

// TestSigningRules: name-only signatures never count; a revoked signer's
// earlier signatures still do; a voucher is frozen once signing starts.
func TestSigningRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		v := f.draft(oct15, money.Yuan(100))
		for i := 0; i < 9; i++ {
			err := f.c.Signature.Create().SetCommunityID(f.com.ID).SetVoucherID(v.ID).SetSigner(fmt.Sprint("旧签字", i)).
				SetRole(signature.RoleOTHER).SetSignedAt(now).Exec(f.ctx)
			if err != nil {
				t.Fatal(err)
			}
		}
		_, err := ledger.Post(f.ctx, f.c, v.ID, now)
		wantCode(t, err, fail.Conflict, "0 distinct enrolled signers (name-only signatures do not count)")
		if n := f.c.Signature.Query().Where(signature.VoucherID(v.ID), signature.MethodEQ(signature.MethodNAME_ONLY)).CountX(f.ctx); n != 9 {
			t.Fatalf("%d name-only signatures, want 9", n)
		}

		w := f.draft(oct15, money.Yuan(300))
		signingtest.SignAll(f.ctx, t, f.c, w.ID, now, f.signers[:9])
		if _, err := ledger.Revoke(f.ctx, f.c, f.signers[0].ID, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		_, err = ledger.Revoke(f.ctx, f.c, f.signers[0].ID, now.Add(time.Hour))
		wantCode(t, err, fail.Conflict, "already revoked")

		for name, change := range map[string]func() error{
			"amount":  func() error { return f.c.Voucher.UpdateOneID(w.ID).SetAmount(money.Yuan(3000)).Exec(f.ctx) },
			"summary": func() error { return f.c.Voucher.UpdateOneID(w.ID).SetSummary("改过").Exec(f.ctx) },
			"date":    func() error { return f.c.Voucher.UpdateOneID(w.ID).SetOccurredOn(oct15.AddDate(0, 0, 1)).Exec(f.ctx) },
			"delete":  func() error { return f.c.Voucher.DeleteOneID(w.ID).Exec(f.ctx) },
		} {
			wantCode(t, change(), fail.Conflict, "frozen once the first signature is made")
			_ = name
		}
		d := f.draft(oct15, money.Yuan(5))
		if err := f.c.Voucher.UpdateOneID(d.ID).SetSummary("草稿可改").Exec(f.ctx); err != nil {
			t.Fatalf("a draft without signatures: %v", err)
		}
		// Signed before the revocation: still counts.
		posted, err := ledger.Post(f.ctx, f.c, w.ID, now.Add(2*time.Hour))
		if err != nil || posted.Status != voucher.StatusPOSTED {
			t.Fatalf("post: %v, %v", posted, err)
		}
		// After the revocation: refused.
		_, err = f.signers[0].Sign(f.ctx, f.c, d.ID, now.Add(3*time.Hour))
		wantCode(t, err, fail.Conflict, "was revoked")
	})
}
