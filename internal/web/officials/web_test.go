package officials_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"sunlight/ent"
	"sunlight/internal/demo"
	"sunlight/internal/demo/demotest"
	"sunlight/internal/reports/archive"
	"sunlight/internal/reports/pdf"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/web/officials"
	"sunlight/jobs"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// published serves the demo with October 2026 published by the scheduler.
func published(t *testing.T) (*httptest.Server, *ent.Client) {
	t.Helper()
	ctx := context.Background()
	d := demotest.Open(t, dbtest.SQLite)
	a, err := archive.Open(ctx, "file://"+t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return calendar.StartOf(demo.Today) }
	s := jobs.New(d.Client, a, r, jobs.Config{Now: now, LookbackMonths: 1})
	if err := s.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	officials.New(d.Client, a, now).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, d.Client
}

func october(t *testing.T, client *ent.Client) *ent.Report {
	t.Helper()
	for _, r := range client.Report.Query().WithCommunity().AllX(context.Background()) {
		if r.Edges.Community.Code == demo.Code && r.Period == "2026-10" {
			return r
		}
	}
	t.Fatal("October 2026 of gezishi was not published")
	return nil
}

func TestDownload(t *testing.T) {
	srv, client := published(t)
	rep := october(t, client)
	url := srv.URL + officials.DownloadURL(rep.ID)

	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	sum := sha256.Sum256(body)
	if resp.StatusCode != 200 || hex.EncodeToString(sum[:]) != rep.Sha256 {
		t.Fatalf("GET %s: %d, %d bytes, sha %x; want 200 and sha %s", url, resp.StatusCode, len(body), sum, rep.Sha256)
	}
	for h, want := range map[string]string{
		"Content-Type":        "application/pdf",
		"ETag":                `"` + rep.Sha256 + `"`,
		"Content-Disposition": "filename*=UTF-8''%E9%98%81%E5%AD%90%E5%B8%82%E7%A4%BE%E5%8C%BA-2026%E5%B9%B410%E6%9C%88-%E8%B4%A2%E5%8A%A1%E5%85%AC%E5%BC%80.pdf",
	} {
		if got := resp.Header.Get(h); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want it to contain %q", h, got, want)
		}
	}

	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Range", "bytes=0-7")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	part, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || string(part) != string(body[:8]) {
		t.Fatalf("range request: %d %q", resp.StatusCode, part)
	}

	req, _ = http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("If-None-Match", `"`+rep.Sha256+`"`)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Fatalf("If-None-Match with the ETag: %d, want 304", resp.StatusCode)
	}

	for _, path := range []string{"/reports/999999.pdf", "/reports/abc.pdf", "/reports/1"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
}

func TestDistrictPage(t *testing.T) {
	srv, _ := published(t)
	resp, err := http.Get(srv.URL + "/reports?month=2026-10")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(b)
	for _, want := range []string{"南湖新区 各社区 2026-10", "阁子市社区", "龙山社区", "已发布 4 / 4", "64,388.00"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	resp, err = http.Get(srv.URL + "/reports?month=2026-11")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "已发布 0 / 4") || !strings.Contains(string(b), "未发布") {
		t.Error("November (not yet published) is not shown as missing")
	}
	resp, err = http.Get(srv.URL + "/reports?month=banana")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "月份格式应为") {
		t.Errorf("a bad month gives %d without the explanation", resp.StatusCode)
	}
}

// TestPublishedInBeijingTime: the page gives the publication time in
// Beijing time, not the server's UTC: October was published at midnight of
// 25 November in Shanghai, 16:00 on the 24th in UTC.
func TestPublishedInBeijingTime(t *testing.T) {
	srv, _ := published(t)
	resp, err := http.Get(srv.URL + "/reports?community=gezishi&month=2026-10&kind=monthly")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(b)
	if !strings.Contains(page, "发布于 2026-11-25 00:00（北京时间）") || strings.Contains(page, "UTC") {
		i := strings.Index(page, "发布于")
		if i < 0 {
			t.Fatalf("the page shows no publication time (HTTP %d)", resp.StatusCode)
		}
		t.Fatalf("the page says %q, want 发布于 2026-11-25 00:00（北京时间）", page[i:min(len(page), i+60)])
	}
}

// TestOfficialsPageInChromium opens the page in headless Chromium, picks
// the community and the month, downloads the PDF and checks its bytes.
func TestOfficialsPageInChromium(t *testing.T) {
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("SUNLIGHT_REQUIRE_BROWSER") == "1" {
			t.Fatal("chromium is not installed (apt-get install chromium)")
		}
		t.Skip("browser test skipped: chromium is not installed (apt-get install chromium); .ci/run installs it")
	}
	srv, client := published(t)
	rep := october(t, client)
	dir := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")))
	allocCtx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	// The first call starts the browser and must not carry a timeout.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/reports")); err != nil {
		t.Fatalf("open the page: %v", err)
	}
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	defer cancelT()

	downloads := filepath.Join(dir, "downloads")
	allow := true
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: &allow,
	}); err != nil {
		t.Fatalf("allow downloads: %v", err)
	}
	err = chromedp.Do(ctx,
		chromedp.WaitVisible("#pick"),
		chromedp.SetValue("#community", demo.Code),
		chromedp.SetValue("#month", "2026-10"),
		chromedp.Click("#show"),
		chromedp.WaitVisible("#download"),
	)
	if err != nil {
		t.Fatalf("pick community and month: %v", err)
	}
	sha, err := chromedp.Run(ctx, chromedp.Text("#sha256"))
	if err != nil {
		t.Fatal(err)
	}
	href, err := chromedp.Run(ctx, chromedp.AttributeValue("#download", "href"))
	if err != nil {
		t.Fatal(err)
	}
	district, err := chromedp.Run(ctx, chromedp.Text("#district"))
	if err != nil {
		t.Fatal(err)
	}
	if sha != rep.Sha256 || href.Value != officials.DownloadURL(rep.ID) {
		t.Fatalf("page shows sha %q and link %q, want %s and %s", sha, href.Value, rep.Sha256, officials.DownloadURL(rep.ID))
	}
	if !strings.Contains(district, "阁子市社区") || !strings.Contains(district, "已发布") {
		t.Fatalf("district table: %q", district)
	}
	done := make(chan string, 1)
	go func() {
		for ev, err := range chromedp.BrowserEvents(ctx, browser.DownloadProgress) {
			if err != nil {
				return
			}
			if ev.State == browser.DownloadProgressStateCompleted {
				done <- ev.GUID
				return
			}
		}
	}()
	if err := chromedp.Do(ctx, chromedp.Click("#download")); err != nil {
		t.Fatalf("click download: %v", err)
	}
	var guid string
	select {
	case guid = <-done:
	case <-ctx.Done():
		t.Fatal("the download did not finish")
	}
	data, err := os.ReadFile(filepath.Join(downloads, guid))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%x", sha256.Sum256(data)); got != rep.Sha256 {
		t.Fatalf("downloaded %d bytes with sha %s, want %s", len(data), got, rep.Sha256)
	}
}

// TestMonthBeforeTheChainIsNotPending: gezishi's September 2026 was closed
// before its chain began (October is its first disclosure), so it will
// never be published here and is not shown as pending; November, open, is.
func TestMonthBeforeTheChainIsNotPending(t *testing.T) {
	srv, _ := published(t)
	for _, tc := range []struct {
		month, want, not string
	}{
		{"2026-09", "本月未在本平台公开", "该期报告尚未发布"},
		{"2026-11", "该期报告尚未发布", "本月未在本平台公开"},
		{"2026-10", `id="download"`, "本月未在本平台公开"},
	} {
		t.Run(tc.month, func(t *testing.T) {
			resp, err := http.Get(srv.URL + "/reports?community=" + demo.Code + "&month=" + tc.month)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if page := string(b); !strings.Contains(page, tc.want) || strings.Contains(page, tc.not) {
				t.Errorf("%s: want %q and not %q in the page", tc.month, tc.want, tc.not)
			}
		})
	}
}
