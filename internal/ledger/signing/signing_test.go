package signing_test

import (
	"bytes"
	"crypto/ed25519"
	"path/filepath"
	"strings"
	"testing"

	"sunlight/internal/ledger/signing"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/money"
)

var v = signing.Voucher{
	Community: "gezishi", Number: "2026-11-008", Date: calendar.Date(2026, 11, 24), Direction: "EXPENSE",
	Category: "办公用品", Amount: money.Yuan(560), Summary: "会议室桌椅", Counterparty: "岳阳市文化办公用品店", Capacity: "COMMITTEE",
}

// TestPayloadVersion1 pins the bytes of version 1: anyone re-implementing
// the encoding (README.md) gets exactly these.
func TestPayloadVersion1(t *testing.T) {
	got, err := signing.Payload(v, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := "sunlight-voucher-signature/1\ncommunity=gezishi\nnumber=2026-11-008\ndate=2026-11-24\ndirection=EXPENSE\n" +
		"category=办公用品\namount_fen=56000\nsummary=会议室桌椅\ncounterparty=岳阳市文化办公用品店\nreverses=\ncapacity=COMMITTEE\n"
	if string(got) != want {
		t.Fatalf("payload:\n%s\nwant:\n%s", got, want)
	}
	if _, err := signing.Payload(v, 2); err == nil {
		t.Fatal("an unknown version was encoded")
	}
	text := signing.Text(v)
	for _, s := range []string{"金额：560.00 元（伍佰陆拾元整）", "签字身份：两委成员", "收支：支出"} {
		if !strings.Contains(text, s) {
			t.Errorf("text lacks %q:\n%s", s, text)
		}
	}
}

// TestEveryFieldIsCovered: changing any field of the voucher changes the
// bytes, so a signature covers each.
func TestEveryFieldIsCovered(t *testing.T) {
	base, _ := signing.Payload(v, 1)
	for name, change := range map[string]func(*signing.Voucher){
		"community":    func(w *signing.Voucher) { w.Community = "longshan" },
		"number":       func(w *signing.Voucher) { w.Number = "2026-11-009" },
		"date":         func(w *signing.Voucher) { w.Date = w.Date.AddDate(0, 0, 1) },
		"direction":    func(w *signing.Voucher) { w.Direction = "INCOME" },
		"category":     func(w *signing.Voucher) { w.Category = "办公经费" },
		"amount":       func(w *signing.Voucher) { w.Amount++ },
		"summary":      func(w *signing.Voucher) { w.Summary += "。" },
		"counterparty": func(w *signing.Voucher) { w.Counterparty = "" },
		"reverses":     func(w *signing.Voucher) { w.Reverses = "2026-10-001" },
		"capacity":     func(w *signing.Voucher) { w.Capacity = "SUPERVISOR" },
	} {
		t.Run(name, func(t *testing.T) {
			w := v
			change(&w)
			if got, _ := signing.Payload(w, 1); bytes.Equal(got, base) {
				t.Fatalf("changing the %s leaves the payload unchanged", name)
			}
		})
	}
}

// FuzzPayloadLines: whatever the text fields hold, the payload has exactly
// its eleven lines, so no value can forge another field.
func FuzzPayloadLines(f *testing.F) {
	f.Add("会议室桌椅", "岳阳市", "办公用品")
	f.Add("a\ncapacity=SUPERVISOR", "b\\n", "c\r")
	f.Fuzz(func(t *testing.T, summary, counterparty, category string) {
		w := v
		w.Summary, w.Counterparty, w.Category = summary, counterparty, category
		p, err := signing.Payload(w, 1)
		if err != nil {
			t.Fatal(err)
		}
		if n := bytes.Count(p, []byte("\n")); n != 11 || bytes.Contains(p, []byte("\r")) {
			t.Fatalf("payload has %d lines:\n%q", n, p)
		}
	})
}

func FuzzParseKeyAndSignature(f *testing.F) {
	pub, key, _ := ed25519.GenerateKey(nil)
	f.Add(signing.Encode(pub))
	f.Add(signing.Encode(ed25519.Sign(key, []byte("x"))))
	f.Add("not base64")
	f.Fuzz(func(t *testing.T, s string) {
		if k, err := signing.ParsePublicKey(s); err == nil && len(k) != ed25519.PublicKeySize {
			t.Fatalf("accepted a key of %d bytes", len(k))
		}
		if b, err := signing.ParseSignature(s); err == nil && len(b) != ed25519.SignatureSize {
			t.Fatalf("accepted a signature of %d bytes", len(b))
		}
		_ = signing.Verify(s, s, []byte(s)) // never panics
	})
}

func TestKeyFile(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(nil)
	path := filepath.Join(t.TempDir(), "k.pem")
	if err := signing.WriteKey(path, key); err != nil {
		t.Fatal(err)
	}
	if err := signing.WriteKey(path, key); err == nil {
		t.Fatal("a key file was overwritten")
	}
	got, err := signing.ReadKey(path)
	if err != nil || !got.Equal(key) {
		t.Fatalf("read back %v, %v", got, err)
	}
	if _, err := signing.ParseKey([]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")); err == nil {
		t.Fatal("a broken key was read")
	}
	if fp := signing.Fingerprint(signing.PublicOf(key)); len(fp) != 19 || strings.Count(fp, "-") != 3 {
		t.Fatalf("fingerprint %q", fp)
	}
}
