package officials_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sunlight/ent/community"
	"sunlight/internal/demo"
	"sunlight/internal/ledger"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/web/officials"
)

// TestMonthByMonthView: with a community picked, the page lists its twelve
// months to the chosen one with the ledger's income and expense and a link
// to each published disclosure.
func TestMonthByMonthView(t *testing.T) {
	srv, client := published(t)
	rep := october(t, client)
	resp, err := http.Get(srv.URL + "/reports?community=" + demo.Code + "&month=2026-10")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	if n := strings.Count(page, `<tr data-period="`); n != 12 {
		t.Errorf("the month view has %d months, want 12", n)
	}
	// gezishi's months to September were closed before its chain began
	// (October is its first disclosure): they will never be published here.
	for _, want := range []string{`id="months"`, `<tr data-period="2025-11">`, `<tr data-period="2026-10">`, `href="` + officials.DownloadURL(rep.ID) + `">下载 PDF`,
		`<td>2026-09</td><td class="num">75,332.00</td>`, `未在本平台公开`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if resp, err := http.Get(srv.URL + "/reports"); err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(b), `id="months"`) {
			t.Error("a month view without a community picked")
		}
	}
}

// TestOfficialsPageWidths opens the page in headless Chromium at 1280 and
// 390 px wide: the page never scrolls sideways (a wide table scrolls
// inside its card), the district table keeps names on one line, and the
// month-by-month view shows the figures ledgerTotals gives for each month.
func TestOfficialsPageWidths(t *testing.T) {
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("SUNLIGHT_REQUIRE_BROWSER") == "1" {
			t.Fatal("chromium is not installed (apt-get install chromium)")
		}
		t.Skip("browser test skipped: chromium is not installed (apt-get install chromium); .ci/run installs it")
	}
	srv, client := published(t)
	ctx := context.Background()
	c := client.Community.Query().Where(community.Code(demo.Code)).OnlyX(ctx)
	// What the API's ledgerTotals answers for each month of the view.
	want := map[string][2]string{}
	for m := calendar.Month(2025, 11); !calendar.Month(2026, 10).Before(m); m = m.Next() {
		tot, err := ledger.TotalsFor(ctx, client, c.ID, m)
		if err != nil {
			t.Fatal(err)
		}
		want[m.String()] = [2]string{tot.Income.Grouped(), tot.Expense.Grouped()}
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
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start the browser: %v", err)
	}
	for _, width := range []int64{1280, 390} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(bctx, 60*time.Second)
			defer cancel()
			err := chromedp.Do(ctx,
				chromedp.EmulateViewport(width, 900),
				chromedp.Navigate(srv.URL+"/reports?community="+demo.Code+"&month=2026-10"),
				chromedp.WaitVisible("#months"),
			)
			if err != nil {
				t.Fatal(err)
			}
			overflow, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth]`))
			if err != nil {
				t.Fatal(err)
			}
			if overflow[0] > overflow[1] {
				t.Errorf("at %d px the page is %d px wide: it scrolls sideways", width, overflow[0])
			}
			// Nor does a table overflow its card: it scrolls inside it.
			cards, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[...document.querySelectorAll('section')].map(s => s.scrollWidth - s.clientWidth)`))
			if err != nil {
				t.Fatal(err)
			}
			for i, over := range cards {
				if over > 0 {
					t.Errorf("at %d px card %d overflows by %d px", width, i, over)
				}
			}
			// A community's name is on one line: its cell is one line high.
			lines, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => {
				const td = document.querySelector('#district tbody td');
				const lh = parseFloat(getComputedStyle(td).lineHeight) || 20;
				return [td.getBoundingClientRect().height, lh];
			})()`))
			if err != nil {
				t.Fatal(err)
			}
			if lines[0] > 2.2*lines[1]+12 {
				t.Errorf("at %d px a community name takes several lines (cell %.0f px high)", width, lines[0])
			}
			rows, err := chromedp.Run(ctx, chromedp.Evaluate[[][]string](`[...document.querySelectorAll('#months tbody tr')].map(tr => [...tr.cells].map(td => td.textContent.trim()))`))
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 12 {
				t.Fatalf("the month view has %d rows, want 12", len(rows))
			}
			for _, r := range rows {
				w, ok := want[r[0]]
				if !ok || r[1] != w[0] || r[2] != w[1] {
					t.Errorf("month %s shows income %s expense %s; ledgerTotals gives %v", r[0], r[1], r[2], w)
				}
			}
			if shots := os.Getenv("OFFICIALS_PNG_DIR"); shots != "" {
				png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err == nil {
					err = os.WriteFile(filepath.Join(shots, fmt.Sprintf("officials-%d.png", width)), png, 0o644)
				}
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
}
