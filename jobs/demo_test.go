package jobs_test

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"sunlight/ent/jobrun"
	"sunlight/internal/demo/demotest"
	"sunlight/internal/reports/archive"
	"sunlight/internal/reports/pdf"
	"sunlight/internal/storage/dbtest"
	"sunlight/jobs"
)

// records is a slog.Handler that keeps every record.
type records struct {
	mu  sync.Mutex
	all []slog.Record
}

func (r *records) Enabled(context.Context, slog.Level) bool { return true }
func (r *records) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.all = append(r.all, rec.Clone())
	return nil
}
func (r *records) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *records) WithGroup(string) slog.Handler      { return r }

func (r *records) at(level slog.Level) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, rec := range r.all {
		if rec.Level != level {
			continue
		}
		line := rec.Message
		rec.Attrs(func(a slog.Attr) bool { line += " " + a.String(); return true })
		out = append(out, line)
	}
	return out
}

// TestFreshDemoLogsNoError: the demo as `serve --demo` loads it, with the
// scheduler's first tick at several "nows" — the day after the demo's
// books end, after November, months later — logs no ERROR. gezishi's
// November, whose two vouchers are still being signed, waits (a WARN and a
// run recorded "waiting: …"), and what is published is what the README says.
func TestFreshDemoLogsNoError(t *testing.T) {
	for _, tc := range []struct {
		name string
		now  time.Time
		want []string // gezishi's monthly disclosures published
	}{
		{"the day after the books end", shanghai(2026, 11, 26, 9, 0), []string{"2026-10"}},
		{"November has ended", shanghai(2026, 12, 2, 9, 0), []string{"2026-10"}},
		{"months later", shanghai(2027, 3, 15, 9, 0), []string{"2026-10"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dsn := demotest.DSN(t, dbtest.SQLite)
			d := dbtest.Open(t, dsn)
			ctx := context.Background()
			arch, err := archive.Open(ctx, "file://"+t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			r, err := pdf.NewRenderer()
			if err != nil {
				t.Fatal(err)
			}
			logs := &records{}
			// Other packages (the renderer, publish) log to the default logger.
			was := slog.Default()
			slog.SetDefault(slog.New(logs))
			defer slog.SetDefault(was)
			now := tc.now
			s := jobs.New(d.Client, arch, r, jobs.Config{Now: func() time.Time { return now }, Logger: slog.New(logs)})
			if err := s.CatchUp(ctx); err != nil {
				t.Fatalf("first tick: %v", err)
			}
			if errs := logs.at(slog.LevelError); len(errs) > 0 {
				t.Fatalf("a fresh demo logged ERROR:\n%s", strings.Join(errs, "\n"))
			}
			var published []string
			for _, line := range logs.at(slog.LevelInfo) {
				if strings.HasPrefix(line, "report published") {
					published = append(published, line)
				}
			}
			t.Logf("published on first start at %s:\n%s", tc.now.Format(time.DateTime), strings.Join(published, "\n"))
			t.Logf("warnings:\n%s", strings.Join(logs.at(slog.LevelWarn), "\n"))
			var gezishi []string
			for _, line := range published {
				if strings.Contains(line, "community=gezishi") && strings.Contains(line, "kind=MONTHLY_DISCLOSURE") {
					i := strings.Index(line, "period=")
					gezishi = append(gezishi, line[i+len("period="):i+len("period=2026-10")])
				}
			}
			if !slices.Equal(gezishi, tc.want) {
				t.Errorf("gezishi's monthly disclosures published: %v, want %v", gezishi, tc.want)
			}
			if !tc.now.Before(shanghai(2026, 12, 1, 0, 0)) {
				waiting := d.Client.JobRun.Query().Where(jobrun.Period("2026-11"), jobrun.ErrorHasPrefix("waiting: ")).CountX(ctx)
				if waiting != 1 {
					t.Errorf("%d runs of November recorded as waiting for its vouchers, want 1", waiting)
				}
			}
		})
	}
}
