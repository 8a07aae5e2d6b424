package server_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sunlight/ent"
	"sunlight/internal/demo"
	"sunlight/internal/demo/demotest"
	"sunlight/internal/reports/archive"
	"sunlight/internal/reports/pdf"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/web/officials"
	"sunlight/internal/web/server"
	"sunlight/jobs"
)

// TestChangedArchiveFileIsRefused: one byte of a published PDF changed in
// the file archive is never served under the recorded hash: the download
// and the page refuse it, the metric counts it, /readyz fails until the
// file is repaired.
func TestChangedArchiveFileIsRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d := demotest.Open(t, dbtest.SQLite)
	a, err := archive.Open(ctx, "file://"+dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return calendar.StartOf(demo.Today) }
	if err := jobs.New(d.Client, a, r, jobs.Config{Now: now, LookbackMonths: 1}).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	var rep *ent.Report
	for _, x := range d.Client.Report.Query().WithCommunity().AllX(ctx) {
		if x.Edges.Community.Code == demo.Code && x.Period == "2026-10" {
			rep = x
		}
	}
	if rep == nil {
		t.Fatal("October 2026 of gezishi was not published")
	}
	h := server.New(server.Config{RateLimit: -1, Log: quiet()}, server.Deps{DB: d, Archive: a})
	download := officials.DownloadURL(rep.ID)
	page := "/reports?community=" + demo.Code + "&month=2026-10"

	if rec := do(t, h, http.MethodGet, download, "", nil); rec.Code != http.StatusOK {
		t.Fatalf("untouched file: %d, want 200", rec.Code)
	}
	path := filepath.Join(dir, filepath.FromSlash(rep.StorageKey))
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	changed := append([]byte(nil), orig...)
	changed[len(changed)/2] ^= 0x01
	if err := os.WriteFile(path, changed, 0o644); err != nil {
		t.Fatal(err)
	}

	rec := do(t, h, http.MethodGet, download, "", nil)
	body := rec.Body.String()
	if rec.Code != http.StatusInternalServerError || strings.HasPrefix(body, "%PDF") ||
		rec.Header().Get("X-Content-SHA256") != "" || rec.Header().Get("ETag") != "" ||
		!strings.Contains(body, "SHA-256 不一致") || !strings.Contains(body, "does not match") {
		t.Fatalf("changed file: %d, headers %v, body %.80q; want a 500 refusal in Chinese and English without the hash headers",
			rec.Code, rec.Header(), body)
	}
	if rec := do(t, h, http.MethodGet, page, "", nil); !strings.Contains(rec.Body.String(), `id="changed"`) ||
		strings.Contains(rec.Body.String(), `id="download"`) {
		t.Errorf("the page still offers the changed file:\n%s", rec.Body.String())
	}
	if rec := do(t, h, http.MethodGet, "/readyz", "", nil); rec.Code != http.StatusServiceUnavailable ||
		!strings.Contains(rec.Body.String(), `"archive"`) {
		t.Errorf("/readyz with a changed file: %d %s; want 503 naming the archive", rec.Code, rec.Body.String())
	}
	// One from the download, one from the page.
	if rec := do(t, h, http.MethodGet, "/metrics", "", nil); !strings.Contains(rec.Body.String(), "sunlight_report_integrity_failures_total 2") {
		t.Errorf("metrics do not count the two refusals:\n%s", grep(rec.Body.String(), "sunlight_report_integrity"))
	}

	if err := os.WriteFile(path, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	if rec := do(t, h, http.MethodGet, "/readyz", "", nil); rec.Code != http.StatusOK {
		t.Errorf("/readyz after the repair: %d %s; want 200", rec.Code, rec.Body.String())
	}
	if rec := do(t, h, http.MethodGet, download, "", nil); rec.Code != http.StatusOK || rec.Body.Len() != len(orig) {
		t.Errorf("download after the repair: %d, %d bytes; want 200, %d", rec.Code, rec.Body.Len(), len(orig))
	}
}
