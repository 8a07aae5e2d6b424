package publish_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	entreport "sunlight/ent/report"
	"sunlight/internal/demo"
	"sunlight/internal/demo/demotest"
	"sunlight/internal/reports/archive"
	"sunlight/internal/reports/chain"
	"sunlight/internal/reports/disclosure"
	"sunlight/internal/reports/pdf"
	"sunlight/internal/reports/publish"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestFrozenInputsRenderTheSameBytes: the inputs kept with a report render
// exactly what rendering the gathered report gives, so a report rendered
// from its inputs at publishing, by verify later, and `sunlight report`
// from the records agree byte for byte.
func TestFrozenInputsRenderTheSameBytes(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		d := dbtest.Open(t, dsn)
		c, err := disclosure.Community(ctx, d.Client, demo.Code)
		if err != nil {
			t.Fatal(err)
		}
		r, err := pdf.NewRenderer()
		if err != nil {
			t.Fatal(err)
		}
		// Late for both: the real date and the due date are printed.
		at := calendar.StartOf(calendar.Date(2027, time.January, 2)).Add(9 * time.Hour)
		for _, tc := range []struct {
			kind entreport.Kind
			p    calendar.Period
		}{
			{entreport.KindMONTHLY_DISCLOSURE, calendar.Month(2026, 10)},
			{entreport.KindYEARLY_ASSET_GROWTH, calendar.Year(2025)},
		} {
			t.Run(string(tc.kind), func(t *testing.T) {
				direct, _, err := disclosure.RenderAt(ctx, d.Client, r, c, tc.kind, tc.p, at)
				if err != nil {
					t.Fatal(err)
				}
				inputs, err := publish.Gather(ctx, d.Client, c, tc.kind, tc.p, at)
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%s inputs: %d bytes of JSON", tc.kind, len(inputs))
				frozen, _, err := publish.Render(r, tc.kind, inputs)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(direct, frozen) {
					t.Fatalf("rendered from its frozen inputs the %s differs from the one rendered from the records (%d vs %d bytes)", tc.kind, len(frozen), len(direct))
				}
				again, err := publish.Gather(ctx, d.Client, c, tc.kind, tc.p, at)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(inputs, again) {
					t.Fatal("gathering the same records twice gave two encodings")
				}
			})
		}
	})
}

// TestLateReportPrintsItsRealDate: October published on 2 December (at
// 01:30 in Shanghai, still 1 December in UTC) prints 公布日期 2 December with
// its due date, keeps that date in its frozen inputs, and verify regenerates
// it byte for byte; a month that has not ended is refused.
func TestLateReportPrintsItsRealDate(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		d := dbtest.Open(t, dsn)
		a, err := archive.Open(ctx, "file://"+t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		r, err := pdf.NewRenderer()
		if err != nil {
			t.Fatal(err)
		}
		c, err := disclosure.Community(ctx, d.Client, demo.Code)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, time.December, 1, 17, 30, 0, 0, time.UTC)
		p := &publish.Publisher{Client: d.Client, Archive: a, Renderer: r, Now: func() time.Time { return now }}

		if _, err := p.Publish(ctx, publish.Request{Kind: entreport.KindMONTHLY_DISCLOSURE, Community: c, Period: calendar.Month(2026, 12)}); err == nil ||
			!strings.Contains(err.Error(), "has not ended") || !publish.IsDataError(err) {
			t.Fatalf("publishing December on 2 December: %v; want a data error saying it has not ended", err)
		}

		rep, err := p.Publish(ctx, publish.Request{Kind: entreport.KindMONTHLY_DISCLOSURE, Community: c, Period: calendar.Month(2026, 10)})
		if err != nil {
			t.Fatal(err)
		}
		v, err := publish.Decode(rep.Kind, []byte(rep.Inputs))
		if err != nil {
			t.Fatal(err)
		}
		m := v.(*pdf.Monthly)
		if !m.PublishedOn.Equal(calendar.Date(2026, time.December, 2)) || !m.DueOn.Equal(calendar.Date(2026, time.November, 1)) {
			t.Errorf("frozen dates: published %s, due %s; want 2026-12-02 and 2026-11-01", m.PublishedOn, m.DueOn)
		}
		data, err := a.Get(ctx, rep.StorageKey)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(pdfText(t, data)), "")
		if want := "公布日期2026年12月2日（应于2026年11月1日公布）"; !strings.Contains(text, want) {
			t.Errorf("the PDF does not print %q:\n%s", want, text)
		}
		findings, err := chain.Verify(ctx, d.Client, a, r, demo.Code)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range findings {
			if f.ReportID == rep.ID && !f.OK {
				t.Errorf("verify of the late report: %v", f.Problems)
			}
		}
	})
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (apt-get install poppler-utils); .ci/run installs it")
	}
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}
