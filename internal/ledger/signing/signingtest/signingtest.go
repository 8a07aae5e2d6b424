// Package signingtest enrols signers with keys of their own and signs
// vouchers with them, as a signer's device would, for tests.
package signingtest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"testing"
	"time"

	"sunlight/ent"
	"sunlight/ent/signer"
	"sunlight/internal/ledger"
	"sunlight/internal/ledger/signing"
	"sunlight/internal/vocab/calendar"
)

// Signer is an enrolled signer with its private key.
type Signer struct {
	*ent.Signer
	Key ed25519.PrivateKey
}

// Since is the day the signers enrolled here take office: before any
// voucher of the tests.
var Since = calendar.Date(2000, 1, 1)

// Enrol enrols one signer per name in community cid, in capacity, and
// registers a fresh key for each with its enrolment code.
func Enrol(ctx context.Context, t testing.TB, client *ent.Client, cid int, capacity signer.Capacity, names ...string) []Signer {
	t.Helper()
	out := make([]Signer, 0, len(names))
	for _, name := range names {
		pub, key, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		e, err := ledger.Enrol(ctx, client, ledger.Enrolment{CommunityID: cid, Name: name, Capacity: capacity, ValidFrom: Since}, time.Now())
		if err != nil {
			t.Fatalf("enrol %s: %v", name, err)
		}
		s, err := ledger.RegisterKey(ctx, client, e.Code, signing.Encode(pub), time.Now())
		if err != nil {
			t.Fatalf("register the key of %s: %v", name, err)
		}
		out = append(out, Signer{s, key})
	}
	return out
}

// Signature is s's signature of voucher id, over the payload the ledger
// gives for it.
func (s Signer) Signature(ctx context.Context, t testing.TB, client *ent.Client, id int) string {
	t.Helper()
	p, err := ledger.PayloadFor(ctx, client, id, s.ID)
	if err != nil {
		t.Fatalf("signing payload of voucher %d for %s: %v", id, s.Name, err)
	}
	return signing.Encode(ed25519.Sign(s.Key, p.Bytes))
}

// Sign signs voucher id as s: an error if the voucher cannot be read or
// the signature is refused.
func (s Signer) Sign(ctx context.Context, client *ent.Client, id int, at time.Time) (*ent.Voucher, error) {
	p, err := ledger.PayloadFor(ctx, client, id, s.ID)
	if err != nil {
		return nil, err
	}
	return ledger.Sign(ctx, client, id, s.ID, signing.Encode(ed25519.Sign(s.Key, p.Bytes)), at)
}

// SignAll signs voucher id with every one of signers, failing t on an error.
func SignAll(ctx context.Context, t testing.TB, client *ent.Client, id int, at time.Time, signers []Signer) {
	t.Helper()
	for _, s := range signers {
		if _, err := s.Sign(ctx, client, id, at); err != nil {
			t.Fatalf("%s signs voucher %d: %v", s.Name, id, err)
		}
	}
}

// Names are n signers' names, prefix1…prefixN.
func Names(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + string(rune('0'+i/10)) + string(rune('0'+i%10))
	}
	return out
}
