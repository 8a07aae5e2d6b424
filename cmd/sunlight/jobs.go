package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"entgo.io/ent/dialect"

	"sunlight/internal/reports/archive"
	"sunlight/internal/reports/pdf"
	"sunlight/internal/storage/db"
	"sunlight/internal/vocab/calendar"
	"sunlight/jobs"
)

// schedulerFlags are the settings of the report scheduler, shared by
// `serve` and `jobs`.
type schedulerFlags struct {
	archiveURL string
	font       *string
	monthly    string
	yearly     string
	zone       string
	lookback   int
	timeout    time.Duration
	workers    int
}

func addSchedulerFlags(fs *flag.FlagSet) *schedulerFlags {
	f := &schedulerFlags{}
	fs.StringVar(&f.archiveURL, "archive", env("SUNLIGHT_ARCHIVE", archive.DefaultURL), "where published PDFs are kept: file://FOLDER or s3://BUCKET?endpoint=…&region=… (SUNLIGHT_ARCHIVE)")
	f.font = fontFlag(fs)
	fs.StringVar(&f.monthly, "schedule-monthly", env("SUNLIGHT_SCHEDULE_MONTHLY", "0 2 1 * *"), "cron spec of the monthly disclosures (SUNLIGHT_SCHEDULE_MONTHLY)")
	fs.StringVar(&f.yearly, "schedule-yearly", env("SUNLIGHT_SCHEDULE_YEARLY", "0 3 1 1 *"), "cron spec of the yearly summaries (SUNLIGHT_SCHEDULE_YEARLY)")
	fs.StringVar(&f.zone, "schedule-zone", env("SUNLIGHT_SCHEDULE_ZONE", "Asia/Shanghai"), "time zone the schedules are read in (SUNLIGHT_SCHEDULE_ZONE)")
	fs.IntVar(&f.lookback, "catch-up-months", envInt("SUNLIGHT_CATCH_UP_MONTHS", 12), "how many past months a community with no published report catches up (SUNLIGHT_CATCH_UP_MONTHS)")
	fs.IntVar(&f.workers, "publish-workers", envInt("SUNLIGHT_PUBLISH_WORKERS", 0), "how many communities a catch-up publishes at once; 0: 1 on SQLite, twice the cores on PostgreSQL (SUNLIGHT_PUBLISH_WORKERS)")
	fs.DurationVar(&f.timeout, "job-timeout", envDuration("SUNLIGHT_JOB_TIMEOUT", 10*time.Minute), "working timeout of one report run; a run that takes longer is stopped and retried (SUNLIGHT_JOB_TIMEOUT)")
	return f
}

// openArchive opens the report archive the flags name.
func (f *schedulerFlags) openArchive(ctx context.Context) (*archive.Archive, error) {
	return archive.Open(ctx, f.archiveURL)
}

// newScheduler checks the report font and builds the scheduler (not
// started) over the archive a.
func (f *schedulerFlags) newScheduler(d *db.DB, a *archive.Archive) (*jobs.Scheduler, error) {
	r, err := newRenderer(*f.font)
	if err != nil {
		return nil, err
	}
	loc := calendar.Shanghai
	if f.zone != "Asia/Shanghai" {
		if loc, err = time.LoadLocation(f.zone); err != nil {
			return nil, fmt.Errorf("schedule zone %q: %w", f.zone, err)
		}
	}
	if f.workers < 0 {
		return nil, fmt.Errorf("--publish-workers %d: want 0 (chosen by database) or more", f.workers)
	}
	return jobs.New(d.Client, a, r, jobs.Config{
		Location: loc, MonthlySpec: f.monthly, YearlySpec: f.yearly,
		LookbackMonths: f.lookback, WorkTimeout: f.timeout,
		Workers: publishWorkers(f.workers, d.Dialect),
	}), nil
}

// publishWorkers is the number of communities published at once: n if set,
// else by database. On PostgreSQL a report mostly waits on round trips and
// communities lock only their own rows, so twice the cores keeps them busy
// (the pool has four connections a core, so GraphQL keeps half); on SQLite
// a report renders while holding the one write lock, so one.
func publishWorkers(n int, d string) int {
	switch {
	case n > 0:
		return n
	case d == dialect.Postgres:
		return 2 * runtime.GOMAXPROCS(0)
	default:
		return 1
	}
}

// startScheduler starts s on a context of its own, so that a signal lets
// the report in progress finish within grace instead of cutting it off;
// the returned func stops it so.
func startScheduler(ctx context.Context, s *jobs.Scheduler, grace time.Duration) (stop func(), err error) {
	schedCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	if err := s.Start(schedCtx); err != nil {
		cancel()
		return nil, err
	}
	return func() {
		defer cancel()
		sctx, cancelWait := context.WithTimeout(context.Background(), grace)
		defer cancelWait()
		if err := s.Shutdown(sctx); err != nil {
			slog.Warn("scheduler: giving up on the run in progress", "err", err)
			cancel()
			// The run aborts at its next statement; wait for it briefly.
			unwind, cancelUnwind := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancelUnwind()
			_ = s.Shutdown(unwind)
		}
	}, nil
}

// jobsCmd runs only the scheduler, for a deployment that keeps it apart
// from the API servers.
func jobsCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("jobs", flag.ContinueOnError)
	dsn := dbFlag(fs)
	sf := addSchedulerFlags(fs)
	grace := graceFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	d, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer d.Close()
	a, err := sf.openArchive(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	s, err := sf.newScheduler(d, a)
	if err != nil {
		return err
	}
	stop, err := startScheduler(ctx, s, *grace)
	if err != nil {
		return err
	}
	<-ctx.Done()
	slog.Info("scheduler stopping: waiting for the run in progress", "at most", *grace)
	stop()
	return nil
}

// fontFlag is the report font of every command that renders reports.
func fontFlag(fs *flag.FlagSet) *string {
	return fs.String("report-font", env("SUNLIGHT_REPORT_FONT", ""), "a plain TrueType .ttf to set reports in instead of the embedded WenQuanYi Micro Hei (SUNLIGHT_REPORT_FONT)")
}

// newRenderer builds the report renderer with the embedded font, or the
// .ttf at fontFile; the font is checked here, at start-up, not at the
// first report.
func newRenderer(fontFile string) (*pdf.Renderer, error) {
	if fontFile == "" {
		return pdf.NewRenderer()
	}
	return pdf.NewRenderer(pdf.WithFontFile(fontFile))
}
