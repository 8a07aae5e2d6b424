package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sunlight/internal/demo"
	"sunlight/internal/demo/demotest"
	"sunlight/internal/reports/archive"
	"sunlight/internal/reports/pdf"
	"sunlight/internal/storage/db"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/jobs"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestVerifyNamesATamperedReport publishes the demo's reports, verifies
// them, flips one byte of a stored PDF and expects verify to fail naming it.
func TestVerifyNamesATamperedReport(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dsn := "file:" + filepath.Join(dir, "s.db")
	archURL := "file://" + filepath.Join(dir, "reports")
	var out bytes.Buffer
	if err := run(ctx, []string{"demo", "--db", dsn}, &out); err != nil {
		t.Fatalf("demo: %v", err)
	}
	d, err := db.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	a, err := archive.Open(ctx, archURL)
	if err != nil {
		t.Fatal(err)
	}
	r, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return calendar.StartOf(demo.Today) }
	if err := jobs.New(d.Client, a, r, jobs.Config{Now: now, LookbackMonths: 2}).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	oct := d.Client.Report.Query().AllX(ctx)
	d.Close()

	out.Reset()
	if err := run(ctx, []string{"verify", "--db", dsn, "--archive", archURL}, &out); err != nil {
		t.Fatalf("verify of untouched reports: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "0 not") {
		t.Fatalf("verify output: %s", out.String())
	}

	var victim string
	for _, rep := range oct {
		if rep.Period == "2026-10" && strings.HasPrefix(rep.StorageKey, demo.Code+"/") {
			victim = filepath.Join(dir, "reports", rep.StorageKey)
		}
	}
	data, err := os.ReadFile(victim)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0x01
	if err := os.WriteFile(victim, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err = run(ctx, []string{"verify", "--db", dsn, "--archive", archURL}, &out)
	if err == nil {
		t.Fatalf("verify passed a tampered PDF:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "MISMATCH  gezishi MONTHLY_DISCLOSURE 2026-10") || !strings.Contains(out.String(), "the stored file changed") {
		t.Fatalf("verify does not name the tampered report:\n%s", out.String())
	}
	// Only the file changed: regenerating still gives the recorded hash and
	// the books are as published, so verify blames the file alone.
	if strings.Contains(out.String(), "records") || strings.Contains(out.String(), "the books changed") {
		t.Fatalf("verify blames the records for a changed file:\n%s", out.String())
	}
}

func TestReportCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dsn := demotest.DSN(t, dbtest.SQLite)
	var out bytes.Buffer
	pdfPath := filepath.Join(dir, "oct.pdf")
	for i := 0; i < 2; i++ {
		out.Reset()
		if err := run(ctx, []string{"report", "monthly", "--db", dsn, "--community", "gezishi", "--month", "2026-10", "--out", pdfPath}, &out); err != nil {
			t.Fatal(err)
		}
	}
	first := strings.Fields(out.String())[0]
	if b, _ := os.ReadFile(pdfPath); !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatal("report monthly did not write a PDF")
	}
	for _, bad := range [][]string{
		{"report", "monthly", "--db", dsn, "--community", "nowhere", "--month", "2026-10", "--out", pdfPath},
		{"report", "monthly", "--db", dsn, "--community", "gezishi", "--month", "2026-13", "--out", pdfPath},
		{"report", "yearly", "--db", dsn, "--community", "gezishi", "--year", "20x5", "--out", pdfPath},
		// Not ended: a month in progress is no disclosure.
		{"report", "monthly", "--db", dsn, "--community", "gezishi", "--month", "2099-01", "--out", pdfPath},
		{"report", "monthly", "--db", dsn, "--community", "gezishi", "--month", "2026-10", "--published-on", "2026-10-31", "--out", pdfPath},
	} {
		if err := run(ctx, bad, &out); err == nil {
			t.Errorf("%v succeeded", bad)
		}
	}
	out.Reset()
	if err := run(ctx, []string{"report", "monthly", "--db", dsn, "--community", "gezishi", "--month", "2026-10", "--out", pdfPath}, &out); err != nil {
		t.Fatal(err)
	}
	if got := strings.Fields(out.String())[0]; got != first {
		t.Fatalf("the same report twice: %s then %s", first, got)
	}
}
