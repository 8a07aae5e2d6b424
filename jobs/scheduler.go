// Package jobs is the scheduler that publishes reports on its own: every
// community's monthly disclosure on the 1st of the month for the month
// before, and the yearly asset-growth summaries on 1 January, in
// Asia/Shanghai whatever the server's zone. Each report is made at most
// once — the database's unique keys decide, so restarts and several
// instances sharing one PostgreSQL never publish twice — and every run is
// recorded as a JobRun. Periods missed while the server was down are caught
// up on start and at every tick. What one run does to publish (close the
// month, gather, render, store, record, all in one transaction) is package
// internal/reports/publish; this package schedules, claims and retries.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"sunlight/ent"
	entreport "sunlight/ent/report"
	"sunlight/internal/reports/archive"
	"sunlight/internal/reports/pdf"
	"sunlight/internal/vocab/calendar"
)

// Config tunes the scheduler. The zero value is the production default.
type Config struct {
	// Location is the zone schedules are read in (default Asia/Shanghai).
	Location *time.Location
	// MonthlySpec and YearlySpec are cron specs (minute hour dom month dow).
	MonthlySpec string // default "0 2 1 * *": 02:00 on the 1st
	YearlySpec  string // default "0 3 1 1 *": 03:00 on 1 January
	// RetrySpec is an extra catch-up tick: a month that waited for its
	// vouchers to be posted, or failed on its data, is tried again within
	// the hour instead of at the next monthly tick.
	RetrySpec string // default "17 * * * *": hourly
	// CheckSpec is the light tick: one query a minute, and a catch-up only
	// when a run abandoned elsewhere can be taken over or a catch-up that
	// failed for want of the database is due again (see Check).
	CheckSpec string // default "* * * * *": every minute
	// WorkTimeout bounds one run. A RUNNING run recorded without a lease
	// (by a version before leases) and older than this is taken as
	// abandoned.
	WorkTimeout time.Duration // default 10 minutes
	// LeaseTTL is how long a run stays held without renewal: the instance
	// working on it renews it every LeaseTTL/4; once it has passed (the
	// process died) another instance takes the run over.
	LeaseTTL time.Duration // default 2 minutes
	// RetryCap bounds the wait between catch-ups after a failure a retry
	// can mend (the database down): 1, 2, 4 minutes, then every RetryCap.
	RetryCap time.Duration // default 4 minutes
	// MaxAttempts is how many runs a transient failure gets in a row
	// within one catch-up; the check retries after that.
	MaxAttempts int // default 3
	// Backoff is the wait before the second attempt; it doubles after.
	Backoff time.Duration // default 5 seconds
	// Logger logs the scheduler's events (default slog.Default()).
	Logger *slog.Logger
	// LookbackMonths bounds catch-up for a community with no published or
	// closed month yet.
	LookbackMonths int // default 12
	// Workers is how many communities a catch-up publishes at once; each
	// community's reports stay in order (its hash chain), communities are
	// independent. Default 1. A report spends most of its time waiting on
	// the database (measured: 40 % of one core busy publishing one after
	// another on PostgreSQL), so more than the cores helps there; on SQLite
	// a report renders inside its write transaction, which holds the one
	// write lock, so more than 1 only queues (cmd/sunlight chooses by
	// database).
	Workers int
	// Now is the clock (tests set it).
	Now func() time.Time
}

func (c *Config) defaults() {
	if c.Location == nil {
		c.Location = calendar.Shanghai
	}
	if c.MonthlySpec == "" {
		c.MonthlySpec = "0 2 1 * *"
	}
	if c.YearlySpec == "" {
		c.YearlySpec = "0 3 1 1 *"
	}
	if c.RetrySpec == "" {
		c.RetrySpec = "17 * * * *"
	}
	if c.CheckSpec == "" {
		c.CheckSpec = "* * * * *"
	}
	if c.WorkTimeout == 0 {
		c.WorkTimeout = 10 * time.Minute
	}
	if c.LeaseTTL == 0 {
		c.LeaseTTL = 2 * time.Minute
	}
	if c.RetryCap == 0 {
		c.RetryCap = 4 * time.Minute
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 3
	}
	if c.Backoff == 0 {
		c.Backoff = 5 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.LookbackMonths == 0 {
		c.LookbackMonths = 12
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Workers < 1 {
		c.Workers = 1
	}
}

// Scheduler publishes reports.
type Scheduler struct {
	client   *ent.Client
	archive  *archive.Archive
	renderer *pdf.Renderer
	cfg      Config
	cron     *cron.Cron
	log      *slog.Logger

	announcer       // reportPublished
	relay     *Feed // when set, reports are announced through it instead

	mu       sync.Mutex
	lastTick time.Time
	running  bool           // between Start and Shutdown
	ticks    int            // ticks in progress
	tickWG   sync.WaitGroup // ticks in progress, for Shutdown
	observer Observer

	held      map[int]struct{} // runs this instance works on (their leases renewed)
	released  map[int]struct{} // runs it stopped but could not record (see release)
	retryAt   time.Time        // when Check runs a catch-up again after a failure (zero: none owed)
	retryWait time.Duration    // the wait before retryAt

	// hooks for tests: called inside the publishing transaction after
	// rendering, before storing (package publish).
	afterRender func(ctx context.Context, kind entreport.Kind, code string, p calendar.Period) error
}

// New returns a scheduler; Start runs it.
func New(client *ent.Client, a *archive.Archive, r *pdf.Renderer, cfg Config) *Scheduler {
	cfg.defaults()
	return &Scheduler{
		client: client, archive: a, renderer: r, cfg: cfg,
		log:  cfg.Logger.With("component", "scheduler"),
		held: map[int]struct{}{}, released: map[int]struct{}{},
	}
}

// Start catches up on missed periods, then runs the cron schedules until
// ctx ends or Shutdown is called.
func (s *Scheduler) Start(ctx context.Context) error {
	parser := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)
	s.cron = cron.New(cron.WithLocation(s.cfg.Location), cron.WithParser(parser),
		cron.WithChain(cron.Recover(cronLogger{s.log}), cron.SkipIfStillRunning(cronLogger{s.log})))
	// Each tick catches up everything due, not only "last month": a tick
	// missed (machine asleep, process down) is made up by the next one.
	tick := func() {
		if s.beginTick() {
			s.tick(ctx, s.CatchUp)
		}
	}
	check := func() {
		if s.beginCheck() {
			s.tick(ctx, s.Check)
		}
	}
	for _, spec := range []struct {
		name, spec string
		fn         func()
	}{
		{"monthly", s.cfg.MonthlySpec, tick}, {"yearly", s.cfg.YearlySpec, tick},
		{"retry", s.cfg.RetrySpec, tick}, {"check", s.cfg.CheckSpec, check},
	} {
		if _, err := s.cron.AddFunc(spec.spec, spec.fn); err != nil {
			return fmt.Errorf("%s schedule %q: %w", spec.name, spec.spec, err)
		}
	}
	s.mu.Lock()
	s.running = true
	s.mu.Unlock()
	// The start-up tick is counted before Start returns, so a Shutdown
	// right after Start waits for it too.
	first := s.beginTick() // false only if Shutdown came first
	s.cron.Start()
	go func() {
		if first {
			s.tick(ctx, s.CatchUp)
		}
		<-ctx.Done()
		_ = s.Shutdown(context.Background())
	}()
	s.log.Info("scheduler started", "monthly", s.cfg.MonthlySpec, "yearly", s.cfg.YearlySpec, "zone", s.cfg.Location.String())
	return nil
}

// beginTick counts a tick in progress, unless the scheduler is shutting
// down: no tick begins once Shutdown has started waiting for them.
func (s *Scheduler) beginTick() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.running {
		return false
	}
	s.lastTick = s.cfg.Now()
	s.ticks++
	s.tickWG.Add(1)
	return true
}

// beginCheck is beginTick for the light check, which has nothing to do
// while a tick of this instance runs (that tick takes over and retries
// what the check would).
func (s *Scheduler) beginCheck() bool {
	s.mu.Lock()
	busy := s.ticks > 0
	s.mu.Unlock()
	return !busy && s.beginTick()
}

// tick runs one catch-up (or check) that beginTick counted.
func (s *Scheduler) tick(ctx context.Context, run func(context.Context) error) {
	defer func() {
		s.mu.Lock()
		s.ticks--
		s.mu.Unlock()
		s.tickWG.Done()
	}()
	if err := run(ctx); err != nil {
		s.log.Error("scheduled run failed", "err", err)
	}
}

// Shutdown stops the schedules and waits for the ticks in progress (the
// catch-up on start included) to finish, or for ctx to end, whichever comes
// first. It returns ctx's error when a tick was still running; the caller
// then cancels the context it passed to Start to abort it, and may call
// Shutdown again to wait for it to unwind. It is safe to call more than once.
func (s *Scheduler) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.running = false
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		if s.cron != nil {
			<-s.cron.Stop().Done()
		}
		s.tickWG.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("scheduler: a run was still in progress: %w", ctx.Err())
	}
}

// Next returns when the monthly and yearly schedules fire next after t.
func (s *Scheduler) Next(t time.Time) (monthly, yearly time.Time, err error) {
	parser := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)
	m, err := parser.Parse(s.cfg.MonthlySpec)
	if err != nil {
		return
	}
	y, err := parser.Parse(s.cfg.YearlySpec)
	if err != nil {
		return
	}
	t = t.In(s.cfg.Location)
	return m.Next(t), y.Next(t), nil
}

// RelayThrough makes the scheduler announce its reports through f, which
// also hears the reports of other instances: subscribers of this process
// then hear every report once, whoever published it.
func (s *Scheduler) RelayThrough(f *Feed) { s.relay = f }

type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug(msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error(msg, append(kv, "err", err)...)
}
