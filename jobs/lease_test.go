package jobs_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"sunlight/ent/community"
	"sunlight/ent/jobrun"
	entreport "sunlight/ent/report"
	"sunlight/internal/reports/publish"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/jobs"
)

// takeoverWithin is the promise of item 9: a run whose process died is
// redone within the lease (2 minutes) and one check (a minute) of its last
// renewal, not after the working timeout and the next hourly tick.
const takeoverWithin = 3 * time.Minute

// TestDeadRunIsTakenOverWithinMinutes: east's October is RUNNING, held by
// an instance whose process died right after its last renewal. While the
// lease lasts nobody takes the run over; once it has passed, the minute's
// check of another instance does, well before the working timeout.
func TestDeadRunIsTakenOverWithinMinutes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.clock.Set(shanghai(2026, 11, 1, 2, 0))
		com := e.d.Client.Community.Query().Where(community.Code("east")).OnlyX(e.ctx)
		renewed := e.clock.Now().UTC()
		dead := e.d.Client.JobRun.Create().SetJob(publish.MonthlyJob).SetCommunityID(com.ID).SetPeriod("2026-10").
			SetScheduledFor(renewed).SetStartedAt(renewed).SetLeaseUntil(renewed.Add(2 * time.Minute)).SaveX(e.ctx)
		s := e.scheduler(e.d, jobs.Config{WorkTimeout: time.Hour})

		// One minute after: the lease still holds, the run is not taken.
		e.clock.Set(renewed.Add(time.Minute))
		if err := s.CatchUp(e.ctx); err != nil {
			t.Fatal(err)
		}
		if e.reports()["east 2026-10"] != nil || e.d.Client.JobRun.GetX(e.ctx, dead.ID).Status != jobrun.StatusRUNNING {
			t.Fatal("a run whose lease had not passed was taken over")
		}
		// Every minute after, the check, until it publishes.
		var took time.Duration
		for took = 2 * time.Minute; took <= time.Hour; took += time.Minute {
			e.clock.Set(renewed.Add(took))
			if err := s.Check(e.ctx); err != nil {
				t.Fatal(err)
			}
			if e.reports()["east 2026-10"] != nil {
				break
			}
		}
		t.Logf("taken over and published %s after the dead instance's last renewal", took)
		if took > takeoverWithin {
			t.Fatalf("taken over after %s, want within %s", took, takeoverWithin)
		}
		got := e.d.Client.JobRun.GetX(e.ctx, dead.ID)
		if got.Status != jobrun.StatusFAILED || !strings.Contains(got.Error, "lease ran out") {
			t.Fatalf("dead run = %s %q, want FAILED for its lease", got.Status, got.Error)
		}
		if n := e.d.Client.Report.Query().Where(entreport.Period("2026-10")).CountX(e.ctx); n != 2 {
			t.Fatalf("%d October reports, want one per community", n)
		}
	})
}

// TestLiveRunIsNeverTakenOver: an instance is slow inside its publishing
// transaction (longer than the lease, longer than the working timeout of the
// fake clock) but alive, renewing its lease. Another instance's catch-ups and
// checks meanwhile do not take the run over; the slow one publishes once.
// PostgreSQL only: on SQLite the publishing transaction holds the whole
// database, so nobody else can even look.
func TestLiveRunIsNeverTakenOver(t *testing.T) {
	dsn := dbtest.PostgresURL(t)
	e := newEnv(t, dsn)
	e.clock.Set(shanghai(2026, 11, 1, 2, 0))
	a := e.scheduler(e.d, jobs.Config{WorkTimeout: 10 * time.Minute})
	inside, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	a.SetAfterRender(func(ctx context.Context, _ entreport.Kind, code string, _ calendar.Period) error {
		if code == "east" {
			once.Do(func() { close(inside); <-release })
		}
		return nil
	})
	done := make(chan error, 1)
	go func() { done <- a.CatchUp(e.ctx) }()
	<-inside
	// Another instance: its own pool on the same database.
	bInst := e.scheduler(dbtest.Open(t, dsn), jobs.Config{WorkTimeout: 10 * time.Minute})
	for range 30 {
		// A minute passes; the live instance renews (every 30 s in real
		// life, once a minute is enough here), the other checks.
		e.clock.Set(e.clock.Now().Add(time.Minute))
		if err := a.RenewLeases(e.ctx); err != nil {
			t.Fatal(err)
		}
		// Were the check to take the run over, its claim would wait for
		// the slow instance's lock on east: bounded, so that fails too.
		ctx, cancel := context.WithTimeout(e.ctx, time.Minute)
		err := bInst.Check(ctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := e.d.Client.JobRun.Query().Where(jobrun.ErrorContains("abandoned")).CountX(e.ctx); n != 0 {
		t.Fatalf("%d runs declared abandoned while their instance renewed them", n)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	east := e.d.Client.Community.Query().Where(community.Code("east")).OnlyX(e.ctx)
	if n := e.d.Client.Report.Query().Where(entreport.CommunityID(east.ID), entreport.Period("2026-10")).CountX(e.ctx); n != 1 {
		t.Fatalf("%d reports of east's October, want 1", n)
	}
	runs := e.d.Client.JobRun.Query().Where(jobrun.CommunityID(east.ID), jobrun.Period("2026-10"), jobrun.StatusEQ(jobrun.StatusSUCCEEDED)).AllX(e.ctx)
	if len(runs) != 1 || runs[0].Attempt != 1 {
		t.Fatalf("succeeded runs of east's October = %+v, want the slow instance's first attempt only", runs)
	}
}

// TestConcurrentTakeoversPublishOnce: eight instances find the same dead
// run at the same moment; exactly one takes it over and publishes.
func TestConcurrentTakeoversPublishOnce(t *testing.T) {
	dsn := dbtest.PostgresURL(t)
	e := newEnv(t, dsn)
	e.clock.Set(shanghai(2026, 11, 1, 2, 0))
	east := e.d.Client.Community.Query().Where(community.Code("east")).OnlyX(e.ctx)
	at := e.clock.Now().UTC()
	dead := e.d.Client.JobRun.Create().SetJob(publish.MonthlyJob).SetCommunityID(east.ID).SetPeriod("2026-10").
		SetScheduledFor(at).SetStartedAt(at).SetLeaseUntil(at.Add(2 * time.Minute)).SaveX(e.ctx)
	e.clock.Set(at.Add(3 * time.Minute))
	var scheds []*jobs.Scheduler
	for i := range 8 {
		d := e.d
		if i%2 == 1 {
			d = dbtest.Open(t, dsn) // another instance: its own pool
		}
		scheds = append(scheds, e.scheduler(d, jobs.Config{}))
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	outcomes := make(chan jobs.Outcome, len(scheds))
	for _, s := range scheds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, o, err := s.Publish(e.ctx, entreport.KindMONTHLY_DISCLOSURE, east, calendar.Month(2026, 10), at)
			if err != nil {
				t.Errorf("publish: %v", err)
			}
			outcomes <- o
		}()
	}
	close(start)
	wg.Wait()
	close(outcomes)
	published := 0
	for o := range outcomes {
		if o == jobs.Published {
			published++
		}
	}
	if n := e.d.Client.Report.Query().Where(entreport.CommunityID(east.ID)).CountX(e.ctx); n != 1 || published != 1 {
		t.Fatalf("%d reports, %d instances said published; want exactly 1", n, published)
	}
	if got := e.d.Client.JobRun.GetX(e.ctx, dead.ID); got.Status != jobrun.StatusFAILED {
		t.Fatalf("dead run is %s, want FAILED", got.Status)
	}
	if n := e.d.Client.JobRun.Query().Where(jobrun.CommunityID(east.ID), jobrun.StatusEQ(jobrun.StatusSUCCEEDED)).CountX(e.ctx); n != 1 {
		t.Fatalf("%d succeeded runs, want 1", n)
	}
	if n := e.d.Client.JobRun.Query().Where(jobrun.CommunityID(east.ID), jobrun.StatusEQ(jobrun.StatusRUNNING)).CountX(e.ctx); n != 0 {
		t.Fatalf("%d runs left RUNNING", n)
	}
}

// resumeWithin is the promise of item 11: publishing resumes within this
// long of the database coming back (the check's waits grow 1, 2, 4 minutes
// and stay at 4, checked every minute).
const resumeWithin = 5 * time.Minute

// TestPublishingResumesAfterTheDatabaseWasDown: the database goes away in
// the middle of a run (at the month close, after the claim) and stays away
// for 40 minutes of the scheduler's clock; the run fails as transient, not
// as bad data, and once the database is back the checks publish everything
// within minutes, with no run left RUNNING.
func TestPublishingResumesAfterTheDatabaseWasDown(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		d, outage := dbtest.OpenWithOutage(t, dsn)
		e.clock.Set(shanghai(2026, 11, 1, 2, 0))
		s := e.scheduler(d, jobs.Config{MaxAttempts: 2})
		var once sync.Once
		s.SetAfterRender(func(ctx context.Context, _ entreport.Kind, _ string, _ calendar.Period) error {
			once.Do(outage.Down) // inside the publishing transaction
			return nil
		})
		if err := s.CatchUp(e.ctx); err == nil {
			t.Fatal("catch-up with the database down reported success")
		}
		if n := e.d.Client.JobRun.Query().Where(jobrun.ErrorHasPrefix("data error")).CountX(e.ctx); n != 0 {
			t.Fatalf("%d runs recorded a database outage as a data error", n)
		}
		// Down for 40 minutes: the checks fail and wait longer each time.
		downAt := e.clock.Now()
		for m := 1; m <= 40; m++ {
			e.clock.Set(downAt.Add(time.Duration(m) * time.Minute))
			_ = s.Check(e.ctx)
		}
		if n := e.d.Client.Report.Query().CountX(e.ctx); n != 0 {
			t.Fatalf("%d reports published with the database down", n)
		}
		outage.Up()
		back := e.clock.Now()
		var took time.Duration
		for took = time.Minute; took <= time.Hour; took += time.Minute {
			e.clock.Set(back.Add(took))
			if err := s.Check(e.ctx); err != nil {
				t.Fatalf("check %s after the database came back: %v", took, err)
			}
			if e.d.Client.Report.Query().CountX(e.ctx) == 2 {
				break
			}
		}
		t.Logf("published %s after the database came back", took)
		if took > resumeWithin {
			t.Fatalf("published %s after the database came back, want within %s", took, resumeWithin)
		}
		if n := e.runs(jobrun.StatusRUNNING); n != 0 {
			t.Fatalf("%d runs left RUNNING", n)
		}
		// Nothing owed any more: the next check costs one query and runs nothing.
		runs := e.d.Client.JobRun.Query().CountX(e.ctx)
		e.clock.Set(e.clock.Now().Add(10 * time.Minute))
		if err := s.Check(e.ctx); err != nil {
			t.Fatal(err)
		}
		if n := e.d.Client.JobRun.Query().CountX(e.ctx); n != runs {
			t.Fatalf("a check with nothing owed recorded %d runs", n-runs)
		}
	})
}

// TestRunTakenOverCannotPublish: an instance that lost its lease (another
// took its run over while it was stalled inside its transaction) cannot
// publish: its run is finished only while still RUNNING, in the same
// transaction, so the report is not recorded, and its PDF is removed.
// PostgreSQL only: on SQLite nobody else can write during the transaction.
func TestRunTakenOverCannotPublish(t *testing.T) {
	e := newEnv(t, dbtest.PostgresURL(t))
	e.clock.Set(shanghai(2026, 11, 1, 2, 0))
	s := e.scheduler(e.d, jobs.Config{MaxAttempts: 1})
	s.SetAfterRender(func(ctx context.Context, _ entreport.Kind, code string, _ calendar.Period) error {
		if code == "east" {
			// What another instance's takeover writes, while this one stalls.
			e.d.Client.JobRun.Update().Where(jobrun.StatusEQ(jobrun.StatusRUNNING)).
				SetStatus(jobrun.StatusFAILED).SetError("abandoned: taken over by the test").ExecX(e.ctx)
		}
		return nil
	})
	err := s.CatchUp(e.ctx)
	if err == nil || !strings.Contains(err.Error(), "taken over") {
		t.Fatalf("catch-up = %v, want the lost lease named", err)
	}
	got := e.reports()
	if got["east 2026-10"] != nil {
		t.Fatal("an instance whose run was taken over published it")
	}
	if got["west 2026-10"] == nil {
		t.Fatal("the other community was not published")
	}
	keys, err := e.arch.List(e.ctx, "east/")
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 0 {
		t.Fatalf("the run that lost its lease left %v in the archive", keys)
	}
}
