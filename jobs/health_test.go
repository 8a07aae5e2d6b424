package jobs_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	entreport "sunlight/ent/report"
	"sunlight/internal/reports/publish"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/jobs"
)

type countingObserver struct {
	mu        sync.Mutex
	runs      map[string]int
	rendered  int
	bytes     int
	published map[entreport.Kind]time.Time
}

func (o *countingObserver) RunFinished(job, status string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.runs[job+" "+status]++
}

func (o *countingObserver) Rendered(kind entreport.Kind, took time.Duration, size int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.rendered++
	o.bytes += size
}

func (o *countingObserver) Published(kind entreport.Kind, at time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.published[kind] = at
}

func TestObserverHearsRunsRendersAndPublishes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.clock.Set(shanghai(2026, 11, 1, 2, 0))
		s := e.scheduler(e.d, jobs.Config{})
		o := &countingObserver{runs: map[string]int{}, published: map[entreport.Kind]time.Time{}}
		s.SetObserver(o)
		if err := s.CatchUp(e.ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.CatchUp(e.ctx); err != nil { // nothing left: no runs at all
			t.Fatal(err)
		}
		if got := o.runs[publish.MonthlyJob+" SUCCEEDED"]; got != 2 {
			t.Errorf("succeeded monthly runs = %d, want 2 (%v)", got, o.runs)
		}
		if o.rendered != 2 || o.bytes < 1000 {
			t.Errorf("rendered %d reports of %d bytes, want 2 real PDFs", o.rendered, o.bytes)
		}
		if o.published[entreport.KindMONTHLY_DISCLOSURE].IsZero() {
			t.Error("no publish time for the monthly disclosure")
		}
	})
}

// Shutdown right after Start waits for the catch-up on start, even one
// that has not begun yet.
func TestShutdownWaitsForTheStartUpTick(t *testing.T) {
	e := newEnv(t, dbtest.SQLiteDSN(t))
	e.clock.Set(shanghai(2026, 11, 1, 2, 0))
	s := e.scheduler(e.d, jobs.Config{})
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown = %v", err)
	}
	if n := e.d.Client.Report.Query().CountX(e.ctx); n != 2 {
		t.Fatalf("%d reports when Shutdown returned, want the start-up tick's 2", n)
	}
}

// Shutdown waits for the run in progress, and gives up at its deadline.
func TestShutdownWaitsForTheRunningTick(t *testing.T) {
	e := newEnv(t, dbtest.SQLiteDSN(t))
	e.clock.Set(shanghai(2026, 11, 1, 2, 0))
	s := e.scheduler(e.d, jobs.Config{})
	entered := make(chan struct{}, 10)
	release := make(chan struct{})
	s.SetAfterRender(func(ctx context.Context, kind entreport.Kind, code string, p calendar.Period) error {
		entered <- struct{}{}
		<-release
		return nil
	})
	runCtx, cancelRun := context.WithCancel(context.Background())
	defer cancelRun()
	if err := s.Start(runCtx); err != nil {
		t.Fatal(err)
	}
	if !s.Healthy() {
		t.Fatal("a started scheduler is not healthy")
	}
	<-entered // the catch-up on start is rendering its first report

	short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.Shutdown(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown with a run in progress = %v, want the deadline", err)
	}
	if s.Healthy() {
		t.Fatal("a scheduler shutting down still says it is healthy")
	}
	if h := s.Health(); !h.Ticking || h.LastTick.IsZero() {
		t.Fatalf("health = %+v, want a tick in progress", h)
	}
	close(release)
	long, cancel2 := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel2()
	if err := s.Shutdown(long); err != nil {
		t.Fatalf("Shutdown once the run can finish: %v", err)
	}
	if s.Health().Ticking {
		t.Fatal("tick still running after Shutdown returned")
	}
	// The run that was in progress finished: both reports are published.
	if n := e.d.Client.Report.Query().CountX(e.ctx); n != 2 {
		t.Fatalf("%d reports after a graceful shutdown, want 2", n)
	}
}
