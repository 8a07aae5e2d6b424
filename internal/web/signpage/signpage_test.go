package signpage_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sunlight/ent/signature"
	"sunlight/ent/signer"
	"sunlight/ent/voucher"
	"sunlight/internal/access/auth"
	"sunlight/internal/access/token"
	"sunlight/internal/demo/demotest"
	"sunlight/internal/ledger"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/web/server"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestSigningPageInChromium: in headless Chromium a signer registers a key
// made by the browser (WebCrypto Ed25519, non-extractable) with its
// enrolment code, reads a draft voucher in Chinese with the amount in
// capitals, and signs it; the server stores a signature that verifies with
// the key the browser registered, and the page cannot export the private key.
func TestSigningPageInChromium(t *testing.T) {
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("SUNLIGHT_REQUIRE_BROWSER") == "1" {
			t.Fatal("chromium is not installed (apt-get install chromium)")
		}
		t.Skip("browser test skipped: chromium is not installed (apt-get install chromium); .ci/run installs it")
	}
	ctx := context.Background()
	d := demotest.Open(t, dbtest.SQLite)
	srv := httptest.NewServer(server.New(server.Config{RateLimit: -1, Log: slog.New(slog.DiscardHandler)}, server.Deps{DB: d}))
	t.Cleanup(srv.Close)

	draft := d.Client.Voucher.Query().Where(voucher.StatusEQ(voucher.StatusDRAFT)).WithCommunity().FirstX(ctx)
	e, err := ledger.Enrol(ctx, d.Client, ledger.Enrolment{CommunityID: draft.CommunityID, Name: "浏览器签字人", Capacity: signer.CapacityREPRESENTATIVE, ValidFrom: draft.OccurredOn}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := token.Issue(ctx, d.Client, token.New{Name: "文书", Role: auth.CommunityStaff, Community: draft.Edges.Community.Code, TTL: time.Hour}, time.Now())
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")))
	allocCtx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	// The first call starts the browser and must not carry a timeout.
	if err := chromedp.Do(bctx, chromedp.Navigate(srv.URL+"/sign")); err != nil {
		t.Fatalf("open the page: %v", err)
	}
	bctx, cancelT := context.WithTimeout(bctx, 60*time.Second)
	defer cancelT()

	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, actions...); err != nil {
			shown, _ := chromedp.Run(bctx, chromedp.Text("body"))
			t.Fatalf("%s: %v\n%s", what, err, shown)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return s
	}
	step("register a key", chromedp.WaitVisible("#register"), chromedp.SendKeys("#code", e.Code), chromedp.Click("#register"),
		chromedp.WaitVisible(`#key-status.ok`))
	status := text("#key-status")
	step("read the voucher", chromedp.SendKeys("#voucher", strconv.Itoa(draft.ID)), chromedp.SendKeys("#token", tok),
		chromedp.Click("#load"), chromedp.WaitVisible("#do-sign"))
	shown, capitals := text("#payload-text"), text("#capitals")
	step("sign", chromedp.Click("#do-sign"), chromedp.WaitVisible(`#result.ok`))
	result := text("#result")
	if !strings.Contains(status, "浏览器签字人") || !strings.Contains(shown, "凭证号："+draft.Number) || !strings.Contains(shown, "签字身份：居民代表") ||
		!strings.HasSuffix(capitals, "整") || !strings.Contains(result, "已签字：凭证 "+draft.Number+"，状态 SIGNING") {
		t.Fatalf("page shows %q, %q, %q, %q", status, shown, capitals, result)
	}

	// The key the browser registered verifies the stored signature.
	who := d.Client.Signer.GetX(ctx, e.Signer.ID)
	sig := d.Client.Signature.Query().Where(signature.VoucherID(draft.ID), signature.SignerID(who.ID)).OnlyX(ctx)
	p, err := ledger.PayloadFor(ctx, d.Client, draft.ID, who.ID)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := base64.StdEncoding.DecodeString(*who.PublicKey)
	raw, _ := base64.StdEncoding.DecodeString(*sig.Ed25519Signature)
	if !ed25519.Verify(pub, p.Bytes, raw) {
		t.Fatal("the stored signature does not verify with the key the browser registered")
	}
	// The private key stays in the browser, and cannot be exported even there.
	exported, err := chromedp.Run(bctx, chromedp.Evaluate[string](`(async () => {
		const d = await new Promise((ok) => { const r = indexedDB.open("sunlight-signer", 1); r.onsuccess = () => ok(r.result); });
		const me = await new Promise((ok) => { const r = d.transaction("keys").objectStore("keys").get("me"); r.onsuccess = () => ok(r.result); });
		try { await crypto.subtle.exportKey("pkcs8", me.privateKey); return "exported"; } catch (e) { return "refused: " + me.privateKey.extractable; }
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if exported != "refused: false" {
		t.Fatalf("the private key: %s", exported)
	}
}
