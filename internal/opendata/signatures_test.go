package opendata_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"sunlight/ent/community"
	"sunlight/ent/voucher"
	"sunlight/internal/demo"
	"sunlight/internal/demo/demotest"
	"sunlight/internal/ledger"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/web/server"
)

// TestSignaturesCheckWithoutSunlight: the public downloads the year's
// signatures from the real server without a token, and checks every one
// with nothing but Ed25519: here with crypto/ed25519 alone, and with the
// README's Node script (docs/check-signatures.js), which also catches a
// payload altered after the fact.
func TestSignaturesCheckWithoutSunlight(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		d := dbtest.Open(t, dsn)
		srv := httptest.NewServer(server.New(server.Config{RateLimit: -1, Log: slog.New(slog.DiscardHandler)}, server.Deps{DB: d}))
		defer srv.Close()
		resp, err := http.Get(srv.URL + "/open-data/gezishi/2026/signatures.json")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("signatures.json: %d %s", resp.StatusCode, body)
		}
		var rows []struct {
			Voucher, Signer, Capacity, Method, Signature, Payload string
			PublicKey                                             string `json:"public_key"`
		}
		if err := json.Unmarshal(body, &rows); err != nil {
			t.Fatal(err)
		}
		c := d.Client.Community.Query().Where(community.Code(demo.Code)).OnlyX(ctx)
		posted := d.Client.Voucher.Query().Where(ledger.PostedIn(c.ID, ledger.PeriodSpan(calendar.Year(2026)))).CountX(ctx)
		if posted == 0 || len(rows) != 9*posted {
			t.Fatalf("%d signatures exported for %d posted vouchers, want 9 each", len(rows), posted)
		}
		for _, r := range rows {
			var pub, sig, payload []byte
			for _, f := range []struct {
				s   string
				out *[]byte
			}{{r.PublicKey, &pub}, {r.Signature, &sig}, {r.Payload, &payload}} {
				if *f.out, err = base64.StdEncoding.DecodeString(f.s); err != nil {
					t.Fatalf("row %+v: %v", r, err)
				}
			}
			if r.Method != "ED25519" || len(pub) != 32 || !ed25519.Verify(pub, payload, sig) {
				t.Fatalf("signature of %s on %s does not verify", r.Signer, r.Voucher)
			}
			if !strings.Contains(string(payload), "\nnumber="+r.Voucher+"\n") || !strings.Contains(string(payload), "\ncapacity="+r.Capacity+"\n") {
				t.Fatalf("the payload signed for %s is not that voucher's:\n%s", r.Voucher, payload)
			}
			if !strings.Contains(r.Signer, "*") {
				t.Fatalf("signer %s is not masked", r.Signer)
			}
		}
		if n := d.Client.Voucher.Query().Where(voucher.StatusNEQ(voucher.StatusPOSTED)).CountX(ctx); n == 0 {
			t.Fatal("the demo has no unposted voucher to leave out")
		}

		node, err := exec.LookPath("node")
		if err != nil {
			if os.Getenv("SUNLIGHT_REQUIRE_NODE") != "" {
				t.Fatal("node is required (SUNLIGHT_REQUIRE_NODE) and missing")
			}
			t.Skip("node is not installed: the README's check script is not run")
		}
		dir := t.TempDir()
		file := filepath.Join(dir, "signatures.json")
		if err := os.WriteFile(file, body, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(node, "../../docs/check-signatures.js", file).CombinedOutput()
		if err != nil || !strings.Contains(string(out), " signatures verify, 0 fail") {
			t.Fatalf("check-signatures.js: %v\n%s", err, out)
		}
		// One voucher's amount changed in the export: the script says which.
		var raw []map[string]any
		_ = json.Unmarshal(body, &raw)
		p, _ := base64.StdEncoding.DecodeString(raw[0]["payload"].(string))
		raw[0]["payload"] = base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(p), "amount_fen=", "amount_fen=1", 1)))
		altered, _ := json.Marshal(raw)
		if err := os.WriteFile(file, altered, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err = exec.Command(node, "../../docs/check-signatures.js", file).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "FAILS voucher "+rows[0].Voucher) {
			t.Fatalf("check-signatures.js passed an altered payload: %v\n%s", err, out)
		}
	})
}
