package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"sunlight/ent"
	"sunlight/ent/community"
	"sunlight/ent/jobrun"
	entreport "sunlight/ent/report"
	"sunlight/ent/signer"
	"sunlight/ent/voucher"
	"sunlight/internal/ledger"
	"sunlight/internal/ledger/signing/signingtest"
	"sunlight/internal/reports/archive"
	"sunlight/internal/reports/pdf"
	"sunlight/internal/reports/publish"
	"sunlight/internal/storage/db"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/money"
	"sunlight/jobs"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// clock is a settable fake clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

func shanghai(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, calendar.Shanghai)
}

type env struct {
	t     *testing.T
	ctx   context.Context
	d     *db.DB
	arch  *archive.Archive
	clock *clock
	codes []string
	// signers are each community's two enrolled signers, by code.
	signers map[string][]signingtest.Signer
}

// newEnv makes two communities, each with a posted voucher in every month
// from July to November 2026.
func newEnv(t *testing.T, dsn string) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), d: dbtest.Open(t, dsn), clock: &clock{}, signers: map[string][]signingtest.Signer{}}
	var err error
	if e.arch, err = archive.Open(e.ctx, "file://"+t.TempDir()); err != nil {
		t.Fatal(err)
	}
	c := e.d.Client
	for i, code := range []string{"east", "west"} {
		com := c.Community.Create().SetName(fmt.Sprintf("测试%d社区", i)).SetCode(code).SetMinSignatures(2).SaveX(e.ctx)
		e.codes = append(e.codes, code)
		e.signers[code] = signingtest.Enrol(e.ctx, t, c, com.ID, signer.CapacityCOMMITTEE, "甲", "乙")
		for m := time.July; m <= time.November; m++ {
			v := c.Voucher.Create().SetCommunityID(com.ID).SetNumber(fmt.Sprintf("%d-%02d", 2026, m)).
				SetOccurredOn(calendar.Date(2026, m, 10)).SetDirection(voucher.DirectionEXPENSE).
				SetCategory("办公经费").SetAmount(money.Yuan(int64(100 * int(m)))).SetSummary("办公经费").SaveX(e.ctx)
			signingtest.SignAll(e.ctx, t, c, v.ID, time.Now(), e.signers[code])
			if _, err := ledger.Post(e.ctx, c, v.ID, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	return e
}

func (e *env) scheduler(d *db.DB, cfg jobs.Config) *jobs.Scheduler {
	r, err := pdf.NewRenderer()
	if err != nil {
		e.t.Fatal(err)
	}
	cfg.Now = e.clock.Now
	if cfg.LookbackMonths == 0 {
		cfg.LookbackMonths = 1
	}
	if cfg.Backoff == 0 {
		cfg.Backoff = time.Millisecond
	}
	return jobs.New(d.Client, e.arch, r, cfg)
}

func (e *env) reports() map[string]*ent.Report {
	out := map[string]*ent.Report{}
	for _, r := range e.d.Client.Report.Query().WithCommunity().AllX(e.ctx) {
		out[r.Edges.Community.Code+" "+r.Period] = r
	}
	return out
}

func (e *env) runs(status jobrun.Status) int {
	return e.d.Client.JobRun.Query().Where(jobrun.StatusEQ(status)).CountX(e.ctx)
}

func TestMonthBoundaryPublishesEachCommunityOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		s := e.scheduler(e.d, jobs.Config{})
		// 23:59 on 31 October in Shanghai: October is not over yet.
		e.clock.Set(shanghai(2026, 10, 31, 23, 59))
		if err := s.CatchUp(e.ctx); err != nil {
			t.Fatal(err)
		}
		if got := e.reports(); got["east 2026-10"] != nil {
			t.Fatal("October was published before it ended in Shanghai")
		}
		// 00:30 on 1 November in Shanghai is still 31 October in UTC: a
		// scheduler on UTC would wait; this one publishes.
		e.clock.Set(time.Date(2026, 10, 31, 16, 30, 0, 0, time.UTC))
		for i := 0; i < 3; i++ {
			if err := s.CatchUp(e.ctx); err != nil {
				t.Fatal(err)
			}
		}
		got := e.reports()
		for _, code := range e.codes {
			r := got[code+" 2026-10"]
			if r == nil || r.Kind != entreport.KindMONTHLY_DISCLOSURE || len(r.Sha256) != 64 || r.Size == 0 {
				t.Fatalf("%s October report = %+v", code, r)
			}
			data, err := e.arch.Get(e.ctx, r.StorageKey)
			if err != nil || int64(len(data)) != r.Size {
				t.Fatalf("stored PDF of %s: %d bytes, %v", code, len(data), err)
			}
		}
		if n := e.d.Client.Report.Query().CountX(e.ctx); n != 4 { // September and October of two communities
			t.Fatalf("%d reports after three ticks, want 4 (one per community and month)", n)
		}
		if n := e.runs(jobrun.StatusSUCCEEDED); n != 4 {
			t.Fatalf("%d successful runs, want 4", n)
		}
		// Publishing closed the month.
		for _, com := range e.d.Client.Community.Query().AllX(e.ctx) {
			if com.ClosedThrough == nil || *com.ClosedThrough != "2026-10" {
				t.Fatalf("%s closed through %v after publishing October", com.Code, com.ClosedThrough)
			}
		}
	})
}

func TestScheduleIsInShanghaiWhateverTheServerZone(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata for America/New_York")
	}
	old := time.Local
	time.Local = ny
	defer func() { time.Local = old }()
	s := jobs.New(nil, nil, nil, jobs.Config{})
	m, y, err := s.Next(time.Date(2026, 11, 25, 12, 0, 0, 0, ny))
	if err != nil {
		t.Fatal(err)
	}
	if want := shanghai(2026, 12, 1, 2, 0); !m.Equal(want) {
		t.Fatalf("next monthly run %s, want %s", m, want)
	}
	if want := shanghai(2027, 1, 1, 3, 0); !y.Equal(want) {
		t.Fatalf("next yearly run %s, want %s", y, want)
	}
}

func TestTwoSchedulersPublishOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		other := dbtest.Open(t, dsn) // a second instance: its own pool on the same database
		e.clock.Set(shanghai(2026, 11, 1, 2, 0))
		a, b := e.scheduler(e.d, jobs.Config{}), e.scheduler(other, jobs.Config{})
		com := e.d.Client.Community.Query().FirstX(e.ctx)
		oct := calendar.Month(2026, 10)
		var wg sync.WaitGroup
		outcomes := make(chan jobs.Outcome, 8)
		for i := 0; i < 8; i++ {
			s := a
			if i%2 == 1 {
				s = b
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, o, err := s.Publish(e.ctx, entreport.KindMONTHLY_DISCLOSURE, com, oct, time.Now())
				if err != nil {
					t.Errorf("publish: %v", err)
				}
				outcomes <- o
			}()
		}
		wg.Wait()
		close(outcomes)
		published := 0
		for o := range outcomes {
			switch o {
			case jobs.Published:
				published++
			case jobs.Skipped, jobs.Running:
			default:
				t.Errorf("outcome %s", o)
			}
		}
		if n := e.d.Client.Report.Query().CountX(e.ctx); n != 1 || published != 1 {
			t.Fatalf("%d reports, %d runs said published; want exactly 1", n, published)
		}
		if n := e.runs(jobrun.StatusSKIPPED); n != 7 {
			t.Fatalf("%d skipped runs recorded, want 7", n)
		}
	})
}

func TestRestartCatchesUpMissedMonthsInChainOrder(t *testing.T) {
	for _, workers := range []int{1, 4} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, dsn string) {
				e := newEnv(t, dsn)
				e.clock.Set(shanghai(2026, 9, 1, 2, 0))
				if err := e.scheduler(e.d, jobs.Config{Workers: workers}).CatchUp(e.ctx); err != nil {
					t.Fatal(err)
				}
				// Down from 1 September until 3 December: restart.
				e.clock.Set(shanghai(2026, 12, 3, 9, 0))
				if err := e.scheduler(e.d, jobs.Config{Workers: workers}).CatchUp(e.ctx); err != nil {
					t.Fatal(err)
				}
				e.checkChains(shanghai(2026, 8, 1, 0, 0), 4)
			})
		})
	}
}

// checkChains fails the test unless every community has exactly n monthly
// reports from the month of first on, one per month, each naming the one
// before as its predecessor, and one successful run each.
func (e *env) checkChains(first time.Time, n int) {
	e.t.Helper()
	got := e.reports()
	for _, code := range e.codes {
		var prev *ent.Report
		for i, p := 0, calendar.MonthOf(calendar.DayOf(first)); i < n; i, p = i+1, p.Next() {
			r := got[code+" "+p.String()]
			if r == nil {
				e.t.Fatalf("%s %s not published: %v", code, p, keys(got))
			}
			if prev != nil && r.PrevSha256 != prev.Sha256 {
				e.t.Fatalf("%s: the chain is broken at %s", code, p)
			}
			prev = r
		}
	}
	if total := e.d.Client.Report.Query().CountX(e.ctx); total != n*len(e.codes) {
		e.t.Fatalf("%d reports, want %d (each month of each community once)", total, n*len(e.codes))
	}
	if runs := e.runs(jobrun.StatusSUCCEEDED); runs != n*len(e.codes) {
		e.t.Fatalf("%d successful runs, want %d", runs, n*len(e.codes))
	}
}

// TestConcurrentCatchUpsPublishEachReportOnce: two instances, each
// catching up four communities at once, run their catch-ups at the same
// moment, three times over: every month of every community is published
// once, in chain order, whoever won each race.
func TestConcurrentCatchUpsPublishEachReportOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		other := dbtest.Open(t, dsn)
		e.clock.Set(shanghai(2026, 12, 1, 2, 0))
		a, b := e.scheduler(e.d, jobs.Config{Workers: 4, LookbackMonths: 5}), e.scheduler(other, jobs.Config{Workers: 4, LookbackMonths: 5})
		for round := 0; round < 3; round++ {
			var wg sync.WaitGroup
			start := make(chan struct{})
			for _, s := range []*jobs.Scheduler{a, b, a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					// A catch-up that meets the other's run in progress
					// stops that community for this tick (RUNNING, not an
					// error); the next round goes on from there.
					if err := s.CatchUp(e.ctx); err != nil {
						t.Errorf("round %d: %v", round, err)
					}
				}()
			}
			close(start)
			wg.Wait()
		}
		e.checkChains(shanghai(2026, 7, 1, 0, 0), 5)
	})
}

func keys(m map[string]*ent.Report) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestKilledRunLeavesNothingAndIsRetried(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.clock.Set(shanghai(2026, 11, 1, 2, 0))
		s := e.scheduler(e.d, jobs.Config{MaxAttempts: 1})
		s.SetAfterRender(func(ctx context.Context, _ entreport.Kind, code string, _ calendar.Period) error {
			return errors.New("process killed mid-generation")
		})
		if err := s.CatchUp(e.ctx); err == nil {
			t.Fatal("a killed run reported success")
		}
		if n := e.d.Client.Report.Query().CountX(e.ctx); n != 0 {
			t.Fatalf("%d reports visible after a killed run", n)
		}
		if com := e.d.Client.Community.Query().FirstX(e.ctx); com.ClosedThrough != nil {
			t.Fatalf("a killed run closed the month: %v", *com.ClosedThrough)
		}
		// A process that died outright leaves its run RUNNING: the next
		// scheduler finds it past the working timeout and takes over.
		com := e.d.Client.Community.Query().FirstX(e.ctx)
		e.d.Client.JobRun.Create().SetJob(publish.MonthlyJob).SetCommunityID(com.ID).SetPeriod("2026-10").
			SetScheduledFor(e.clock.Now()).SetStartedAt(e.clock.Now().Add(-time.Hour)).SetAttempt(9).SaveX(e.ctx)
		retry := e.scheduler(e.d, jobs.Config{WorkTimeout: 10 * time.Minute})
		if err := retry.CatchUp(e.ctx); err != nil {
			t.Fatal(err)
		}
		if n := e.d.Client.Report.Query().CountX(e.ctx); n != 2 {
			t.Fatalf("%d reports after the retry, want 2", n)
		}
		abandoned := e.d.Client.JobRun.Query().Where(jobrun.Attempt(9)).OnlyX(e.ctx)
		if abandoned.Status != jobrun.StatusFAILED || !strings.Contains(abandoned.Error, "abandoned") {
			t.Fatalf("stale run = %s %q, want FAILED abandoned", abandoned.Status, abandoned.Error)
		}
	})
}

func TestDataErrorIsRecordedNotRetried(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		com := e.d.Client.Community.Query().FirstX(e.ctx)
		// An unposted voucher in October: the month cannot close (月月清).
		e.d.Client.Voucher.Create().SetCommunityID(com.ID).SetNumber("DRAFT").SetOccurredOn(calendar.Date(2026, 10, 30)).
			SetDirection(voucher.DirectionEXPENSE).SetCategory("办公用品").SetAmount(100).SetSummary("未入账").SaveX(e.ctx)
		e.clock.Set(shanghai(2026, 11, 1, 2, 0))
		s := e.scheduler(e.d, jobs.Config{MaxAttempts: 3})
		// Vouchers still being signed are people's work to finish, not a
		// failure: the month waits (a WARN), and the catch-up is not in error.
		if err := s.CatchUp(e.ctx); err != nil {
			t.Fatalf("catch-up error = %v, want the month to wait", err)
		}
		runs := e.d.Client.JobRun.Query().Where(jobrun.CommunityID(com.ID), jobrun.Period("2026-10")).AllX(e.ctx)
		if len(runs) != 1 || runs[0].Status != jobrun.StatusFAILED || !strings.HasPrefix(runs[0].Error, "waiting: ") || !strings.Contains(runs[0].Error, "not posted") {
			t.Fatalf("runs = %+v, want one FAILED waiting for the unposted voucher (not retried)", runs)
		}
		if e.d.Client.Report.Query().Where(entreport.CommunityID(com.ID), entreport.Period("2026-10")).ExistX(e.ctx) {
			t.Fatal("a report was published although the month could not close")
		}
	})
}

func TestSubscribersHearOfPublishing(t *testing.T) {
	e := newEnv(t, dbtest.SQLiteDSN(t))
	e.clock.Set(shanghai(2026, 11, 1, 2, 0))
	s := e.scheduler(e.d, jobs.Config{})
	ch := make(chan *ent.Report, 10)
	stop := s.Subscribe(ch)
	defer stop()
	if err := s.CatchUp(e.ctx); err != nil {
		t.Fatal(err)
	}
	if len(ch) != 2 {
		t.Fatalf("%d notifications, want 2", len(ch))
	}
}

// TestFeedAnnouncesReportsOfAnotherProcess: a server without the scheduler
// hears, through the reports table, what a scheduler elsewhere publishes,
// once each, and not what was published before it started.
func TestFeedAnnouncesReportsOfAnotherProcess(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		s := e.scheduler(e.d, jobs.Config{})
		e.clock.Set(shanghai(2026, 10, 15, 9, 0)) // September is published
		if err := s.CatchUp(e.ctx); err != nil {
			t.Fatal(err)
		}
		before := e.d.Client.Report.Query().CountX(e.ctx)
		if before == 0 {
			t.Fatal("nothing published before the feed started")
		}

		// The other process: its own client on the same database.
		other, err := db.Open(e.ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		feed := jobs.NewFeed(other.Client, 10*time.Millisecond)
		feed.SetNow(e.clock.Now)
		ctx, cancel := context.WithCancel(e.ctx)
		defer cancel()
		if err := feed.Start(ctx); err != nil {
			t.Fatal(err)
		}
		ch := make(chan *ent.Report, 16)
		defer feed.Subscribe(ch)()

		e.clock.Set(time.Date(2026, 10, 31, 16, 30, 0, 0, time.UTC)) // October ends in Shanghai
		if err := s.CatchUp(e.ctx); err != nil {
			t.Fatal(err)
		}
		want := e.d.Client.Report.Query().CountX(e.ctx) - before
		if want != 2 {
			t.Fatalf("%d reports published after the feed started, want October of both communities", want)
		}
		got := map[int]string{}
		deadline := time.After(10 * time.Second)
		for len(got) < want {
			select {
			case r := <-ch:
				if _, dup := got[r.ID]; dup {
					t.Fatalf("report %d announced twice", r.ID)
				}
				if r.Period != "2026-10" {
					t.Fatalf("announced %s, published before the feed started", r.Period)
				}
				got[r.ID] = r.Period
			case <-deadline:
				t.Fatalf("heard %d of the %d new reports", len(got), want)
			}
		}
		select {
		case r := <-ch:
			t.Fatalf("one announcement too many: %d %s", r.ID, r.Period)
		case <-time.After(100 * time.Millisecond):
		}
	})
}

// TestCatchUpWaitsForAMonthInProgressElsewhere: while another run holds
// October, a catch-up must not publish November, which would chain to
// September and fork the chain; once October is out, November follows it.
func TestCatchUpWaitsForAMonthInProgressElsewhere(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.clock.Set(shanghai(2026, 10, 1, 2, 0)) // September published
		if err := e.scheduler(e.d, jobs.Config{}).CatchUp(e.ctx); err != nil {
			t.Fatal(err)
		}
		com := e.d.Client.Community.Query().Where(community.Code("east")).OnlyX(e.ctx)
		// Another instance is making east's October right now.
		e.clock.Set(shanghai(2026, 12, 1, 2, 0))
		e.d.Client.JobRun.Create().SetJob(publish.MonthlyJob).SetCommunityID(com.ID).SetPeriod("2026-10").
			SetScheduledFor(e.clock.Now().UTC()).SetStartedAt(e.clock.Now().UTC()).SaveX(e.ctx)
		s := e.scheduler(e.d, jobs.Config{})
		if err := s.CatchUp(e.ctx); err != nil {
			t.Fatal(err)
		}
		got := e.reports()
		if got["east 2026-11"] != nil {
			t.Fatal("November was published while October was still being made: the chain forks")
		}
		if got["west 2026-11"] == nil {
			t.Fatal("the other community waited too")
		}
		// The other run died; after the working timeout October and then
		// November are published, in chain order.
		e.clock.Set(e.clock.Now().Add(2 * time.Hour))
		if err := s.CatchUp(e.ctx); err != nil {
			t.Fatal(err)
		}
		got = e.reports()
		oct, nov := got["east 2026-10"], got["east 2026-11"]
		if oct == nil || nov == nil || nov.PrevSha256 != oct.Sha256 {
			t.Fatalf("after the timeout: October %v, November %v; November must name October", oct, nov)
		}
	})
}

// TestFailedRunsAreRetriedWithinTheHour: besides the monthly and yearly
// ticks an hourly one catches up, so a run that failed or waited for
// another is not left until next month.
func TestFailedRunsAreRetriedWithinTheHour(t *testing.T) {
	e := newEnv(t, dbtest.SQLiteDSN(t))
	e.clock.Set(shanghai(2026, 11, 15, 9, 0))
	s := e.scheduler(e.d, jobs.Config{})
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	if n := s.ScheduledWithin(61 * time.Minute); n < 1 {
		t.Fatal("no tick within the hour: a failed run would wait for the next month")
	}
}

// TestRelayedReportsAreHeardOnce: a scheduler relaying through the feed
// announces its report at once, and the feed's next polls do not announce
// it again.
func TestRelayedReportsAreHeardOnce(t *testing.T) {
	e := newEnv(t, dbtest.SQLiteDSN(t))
	e.clock.Set(shanghai(2026, 10, 15, 9, 0))
	feed := jobs.NewFeed(e.d.Client, 10*time.Millisecond)
	feed.SetNow(e.clock.Now)
	polls := make(chan struct{}, 1)
	feed.OnPoll(func() {
		select {
		case polls <- struct{}{}:
		default:
		}
	})
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	if err := feed.Start(ctx); err != nil {
		t.Fatal(err)
	}
	ch := make(chan *ent.Report, 16)
	defer feed.Subscribe(ch)()
	s := e.scheduler(e.d, jobs.Config{})
	s.RelayThrough(feed)
	if err := s.CatchUp(e.ctx); err != nil {
		t.Fatal(err)
	}
	want := e.d.Client.Report.Query().CountX(e.ctx)
	if want == 0 {
		t.Fatal("nothing published")
	}
	if len(ch) != want {
		t.Fatalf("%d announcements right after publishing %d reports, want one each at once", len(ch), want)
	}
	// Three polls ended after publishing: the first signal may be older,
	// the second poll may have begun before, the third began after.
	for range 3 {
		select {
		case <-polls:
		case <-time.After(30 * time.Second):
			t.Fatal("the feed stopped polling")
		}
	}
	if len(ch) != want {
		t.Fatalf("%d announcements after the feed polled, want still %d", len(ch), want)
	}
}
