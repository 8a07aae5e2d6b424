package graph_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"sunlight/ent/auditevent"
	"sunlight/ent/signature"
	"sunlight/ent/voucher"
	"sunlight/internal/access/auth"
	"sunlight/internal/access/token"
	"sunlight/internal/ledger/signing"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
)

// one sends one operation through the world's server with tok ("": none).
func (w *onceWorld) one(tok, query string, vars map[string]any) response {
	w.t.Helper()
	return gqlEachAtOnce(w.t, w.h, tok, []gqlOp{{query, vars}})[0]
}

func (w *onceWorld) staff() string {
	w.t.Helper()
	tok, _, err := token.Issue(w.ctx, w.d.Client, token.New{Name: "文书", Role: auth.CommunityStaff, Community: w.com.Code, TTL: time.Hour}, w.now)
	if err != nil {
		w.t.Fatal(err)
	}
	return tok
}

// A signer as its own device is: a key made there, registered with the code.
type device struct {
	id  string
	key ed25519.PrivateKey
}

const (
	enrolOp    = `mutation($c: ID!, $n: String!) { createEnrolment(input: {communityID: $c, name: $n, capacity: COMMITTEE, validFrom: "2026-01-01"}) { code expiresAt signer { id name capacity publicKey } } }`
	registerOp = `mutation($code: String!, $k: String!) { registerSignerKey(code: $code, publicKey: $k) { id publicKey } }`
	payloadOp  = `query($v: ID!, $s: ID!) { node(id: $v) { ... on Voucher { signingPayload(signerID: $s) { version bytes text amount amountInCapitals } } } }`
	signOp     = `mutation($v: ID!, $s: ID!, $sig: String!) { signVoucher(input: {voucherID: $v, signerID: $s, signature: $sig}) { status } }`
)

func (w *onceWorld) enrol(staff, name string) device {
	w.t.Helper()
	r := w.one(staff, enrolOp, map[string]any{"c": gid(w.com.ID), "n": name})
	var out struct {
		CreateEnrolment struct {
			Code   string
			Signer struct{ ID string }
		}
	}
	w.decode(r, &out)
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	if r := w.one("", registerOp, map[string]any{"code": out.CreateEnrolment.Code, "k": signing.Encode(pub)}); len(r.Errors) > 0 {
		w.t.Fatalf("register the key of %s: %+v", name, r.Errors)
	}
	return device{out.CreateEnrolment.Signer.ID, key}
}

func (w *onceWorld) decode(r response, out any) {
	w.t.Helper()
	if len(r.Errors) > 0 {
		w.t.Fatalf("errors: %+v", r.Errors)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		w.t.Fatal(err)
	}
}

// signature is what d's device sends for voucher v: its signature over the
// payload the API gives, read with tok.
func (w *onceWorld) signature(tok string, d device, v int) (string, string) {
	w.t.Helper()
	var out struct {
		Node struct {
			SigningPayload struct {
				Version          int
				Bytes, Text      string
				AmountInCapitals string
			}
		}
	}
	w.decode(w.one(tok, payloadOp, map[string]any{"v": gid(v), "s": d.id}), &out)
	p := out.Node.SigningPayload
	b, err := base64.StdEncoding.DecodeString(p.Bytes)
	if err != nil || p.Version != 1 {
		w.t.Fatalf("payload %+v: %v", p, err)
	}
	return signing.Encode(ed25519.Sign(d.key, b)), p.Text
}

// TestSigningOverGraphQL walks the signing of the issue: staff enrol nine
// signers, each registers a key made on its own device with the one-time
// code, reads what it signs and signs; the voucher posts. A signature
// replayed on another voucher, a change to a voucher being signed and the
// old name-only signing are refused.
func TestSigningOverGraphQL(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		w := newOnceWorld(t, dsn)
		w.com = w.d.Client.Community.UpdateOne(w.com).SetMinSignatures(9).SaveX(w.ctx)
		staff := w.staff()
		var nine []device
		for i := range 9 {
			nine = append(nine, w.enrol(staff, fmt.Sprint("签字人", i)))
		}
		a := w.voucher(calendar.Date(2026, 11, 10))
		b := w.voucher(calendar.Date(2026, 11, 11))
		for i, d := range nine {
			sig, text := w.signature(staff, d, a.ID)
			if i == 0 && (!strings.Contains(text, "金额：560.00 元（伍佰陆拾元整）") || !strings.Contains(text, "会议室桌椅")) {
				t.Errorf("the text a signer reads:\n%s", text)
			}
			if i == 8 {
				r := w.one(staff, `mutation($v: ID!) { postVoucher(id: $v) { status } }`, map[string]any{"v": gid(a.ID)})
				if r.code() != "CONFLICT" || !strings.Contains(r.Errors[0].Message, "8 distinct enrolled signers") {
					t.Fatalf("post with eight signers: %+v", r.Errors)
				}
				// Replayed on another voucher: refused, nothing stored.
				r = w.one("", signOp, map[string]any{"v": gid(b.ID), "s": d.id, "sig": sig})
				if r.code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "does not verify") {
					t.Fatalf("a signature replayed on another voucher: %+v", r.Errors)
				}
			}
			if r := w.one("", signOp, map[string]any{"v": gid(a.ID), "s": d.id, "sig": sig}); len(r.Errors) > 0 {
				t.Fatalf("signer %d signs: %+v", i, r.Errors)
			}
		}
		// The signature of voucher a, copied onto b: refused, naming a.
		first := w.d.Client.Signature.Query().Where(signature.VoucherID(a.ID)).FirstX(w.ctx)
		r := w.one("", signOp, map[string]any{"v": gid(b.ID), "s": nine[0].id, "sig": *first.Ed25519Signature})
		if r.code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "made for voucher "+a.Number) {
			t.Fatalf("a copied signature: %+v", r.Errors)
		}
		if n := w.d.Client.Signature.Query().Where(signature.VoucherID(b.ID)).CountX(w.ctx); n != 0 {
			t.Fatalf("voucher %s has %d signatures after refusals", b.Number, n)
		}
		// Changing a voucher being signed: refused.
		r = w.one(staff, `mutation($v: ID!) { updateVoucher(id: $v, input: {summary: "改过"}) { id } }`, map[string]any{"v": gid(a.ID)})
		if r.code() != "CONFLICT" || !strings.Contains(r.Errors[0].Message, "frozen") {
			t.Fatalf("changing a voucher being signed: %+v", r.Errors)
		}
		r = w.one(staff, `mutation($v: ID!) { postVoucher(id: $v) { status } }`, map[string]any{"v": gid(a.ID)})
		if len(r.Errors) > 0 || !strings.Contains(string(r.Data), "POSTED") {
			t.Fatalf("post with nine signers: %s %+v", r.Data, r.Errors)
		}
		// Name-only signing is gone from the API.
		r = w.one(staff, `mutation($v: ID!) { signVoucher(input: {voucherID: $v, signer: "张三", role: COMMITTEE}) { status } }`, map[string]any{"v": gid(b.ID)})
		if r.code() != "GRAPHQL_VALIDATION_FAILED" {
			t.Fatalf("name-only signing: %+v", r.Errors)
		}
		// A forged signature (a key that is not the signer's): refused.
		_, other, _ := ed25519.GenerateKey(rand.Reader)
		forged, _ := w.signature(staff, device{nine[1].id, other}, b.ID)
		if r := w.one(staff, signOp, map[string]any{"v": gid(b.ID), "s": nine[1].id, "sig": forged}); r.code() != "BAD_USER_INPUT" {
			t.Fatalf("a forged signature: %+v", r.Errors)
		}
		// Revoked: later signatures are refused; earlier ones still count.
		if r := w.one(staff, `mutation($s: ID!) { revokeSigner(id: $s) { revokedAt } }`, map[string]any{"s": nine[2].id}); len(r.Errors) > 0 {
			t.Fatalf("revoke: %+v", r.Errors)
		}
		sig, _ := w.signature(staff, nine[2], b.ID)
		if r := w.one("", signOp, map[string]any{"v": gid(b.ID), "s": nine[2].id, "sig": sig}); r.code() != "CONFLICT" || !strings.Contains(r.Errors[0].Message, "revoked") {
			t.Fatalf("a revoked signer signs: %+v", r.Errors)
		}
		if got := w.d.Client.Voucher.GetX(w.ctx, a.ID); got.Status != voucher.StatusPOSTED {
			t.Fatalf("voucher %s is %s", a.Number, got.Status)
		}
		// The public may not enrol signers.
		if r := w.one("", enrolOp, map[string]any{"c": gid(w.com.ID), "n": "冒名"}); r.code() == "" {
			t.Fatal("an anonymous caller enrolled a signer")
		}
		for _, entity := range []string{"Signer", "Enrolment", "Signature"} {
			if w.trail(entity, 0, auditevent.ActionCREATE) == 0 {
				t.Errorf("no audit event for a new %s", entity)
			}
		}
	})
}

func TestConcurrentEnrolment(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		w := newOnceWorld(t, dsn)
		staff := w.staff()
		w.gate("communities", w.com.ID)
		o := tally(gqlAtOnce(t, w.h, concurrent, staff, enrolOp, map[string]any{"c": gid(w.com.ID), "n": "王会计"}))
		o.expectOnce(t, concurrent, "王会计 is already an enrolled signer")
		if n := w.trail("Signer", 0, auditevent.ActionCREATE); n != 1 {
			t.Errorf("%d signers enrolled, want 1", n)
		}

		var out struct{ CreateEnrolment struct{ Code string } }
		w.decode(w.one(staff, enrolOp, map[string]any{"c": gid(w.com.ID), "n": "李出纳"}), &out)
		pub, _, _ := ed25519.GenerateKey(rand.Reader)
		before := w.trail("Signer", 0, auditevent.ActionUPDATE)
		o = tally(gqlAtOnce(t, w.h, concurrent, "", registerOp, map[string]any{"code": out.CreateEnrolment.Code, "k": signing.Encode(pub)}))
		o.expectOnce(t, concurrent, "already used")
		if n := w.trail("Signer", 0, auditevent.ActionUPDATE) - before; n != 1 {
			t.Errorf("%d keys registered with one code, want 1", n)
		}
	})
}

func TestConcurrentRevokeSigner(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		w := newOnceWorld(t, dsn)
		s := w.signer("会计甲")
		w.gate("signers", s.ID)
		before := w.trail("Signer", s.ID, auditevent.ActionUPDATE)
		o := tally(gqlAtOnce(t, w.h, concurrent, w.staff(), `mutation($s: ID!) { revokeSigner(id: $s) { id } }`, map[string]any{"s": gid(s.ID)}))
		o.expectOnce(t, concurrent, "会计甲 was already revoked")
		if n := w.trail("Signer", s.ID, auditevent.ActionUPDATE) - before; n != 1 {
			t.Errorf("%d revocations recorded, want 1", n)
		}
	})
}
