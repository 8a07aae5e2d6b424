package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"sunlight/ent/signature"
	"sunlight/ent/signer"
	"sunlight/ent/voucher"
	"sunlight/internal/access/auth"
	"sunlight/internal/access/token"
	"sunlight/internal/demo/demotest"
	"sunlight/internal/ledger"
	"sunlight/internal/ledger/signing"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/web/server"
)

// TestSignerKeygenRegisterSign: a signer makes a key with the CLI, registers
// it with the enrolment code, signs a draft over GraphQL, and signs a
// payload file offline; the server stores the signature only once.
func TestSignerKeygenRegisterSign(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		d := dbtest.Open(t, dsn)
		srv := httptest.NewServer(server.New(server.Config{RateLimit: -1, Log: slog.New(slog.DiscardHandler)}, server.Deps{DB: d}))
		defer srv.Close()
		url := srv.URL + "/graphql"
		dir := t.TempDir()
		key := filepath.Join(dir, "me.pem")

		var out bytes.Buffer
		if err := run(ctx, []string{"signer", "keygen", "--out", key}, &out); err != nil {
			t.Fatal(err)
		}
		pub := regexp.MustCompile(`public key:  (\S+)`).FindStringSubmatch(out.String())
		if pub == nil {
			t.Fatalf("keygen printed no public key:\n%s", out.String())
		}
		if err := run(ctx, []string{"signer", "keygen", "--out", key}, &out); err == nil {
			t.Fatal("keygen overwrote a key file")
		}
		if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("key file: %v, %v", fi, err)
		}

		com := d.Client.Voucher.Query().Where(voucher.StatusEQ(voucher.StatusDRAFT)).QueryCommunity().FirstX(ctx)
		draft := d.Client.Voucher.Query().Where(voucher.StatusEQ(voucher.StatusDRAFT), voucher.CommunityID(com.ID)).FirstX(ctx)
		e, err := ledger.Enrol(ctx, d.Client, ledger.Enrolment{CommunityID: com.ID, Name: "新会计", Capacity: signer.CapacityACCOUNTANT, ValidFrom: draft.OccurredOn}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		out.Reset()
		if err := run(ctx, []string{"signer", "register", "--code", e.Code, "--key", key, "--url", url}, &out); err != nil {
			t.Fatalf("register: %v", err)
		}
		if got := d.Client.Signer.GetX(ctx, e.Signer.ID); got.PublicKey == nil || *got.PublicKey != pub[1] {
			t.Fatalf("registered key %v, keygen printed %s", got.PublicKey, pub[1])
		}

		tok, _, err := token.Issue(ctx, d.Client, token.New{Name: "文书", Role: auth.CommunityStaff, Community: com.Code, TTL: time.Hour}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		sign := []string{"sign", "--voucher", fmt.Sprint(draft.ID), "--signer", fmt.Sprint(e.Signer.ID), "--key", key, "--url", url, "--token", tok}
		out.Reset()
		if err := run(ctx, sign, &out); err != nil {
			t.Fatalf("sign: %v\n%s", err, out.String())
		}
		if !strings.Contains(out.String(), "金额：") || !strings.Contains(out.String(), "signed voucher "+draft.Number+" (SIGNING)") {
			t.Fatalf("sign output:\n%s", out.String())
		}
		if err := run(ctx, sign, &out); err == nil || !strings.Contains(err.Error(), "CONFLICT: 新会计 has already signed") {
			t.Fatalf("signing twice: %v", err)
		}
		if n := d.Client.Signature.Query().Where(signature.VoucherID(draft.ID), signature.SignerID(e.Signer.ID)).CountX(ctx); n != 1 {
			t.Fatalf("%d signatures stored, want 1", n)
		}

		// Offline: the payload as a file, the signature printed.
		p, err := ledger.PayloadFor(ctx, d.Client, draft.ID, e.Signer.ID)
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, "payload.txt")
		if err := os.WriteFile(file, p.Bytes, 0o644); err != nil {
			t.Fatal(err)
		}
		out.Reset()
		if err := run(ctx, []string{"sign", "--payload", file, "--key", key}, &out); err != nil {
			t.Fatal(err)
		}
		sig := regexp.MustCompile(`signature: (\S+)`).FindStringSubmatch(out.String())
		if sig == nil || !signing.Verify(pub[1], sig[1], p.Bytes) {
			t.Fatalf("offline signature does not verify:\n%s", out.String())
		}
	})
}
