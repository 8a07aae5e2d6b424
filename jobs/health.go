package jobs

import (
	"time"

	entreport "sunlight/ent/report"
)

// Observer hears what the scheduler does, for metrics. Its methods must be
// quick and must not block; they are called from the run itself.
type Observer interface {
	// RunFinished is called once per JobRun recorded by this scheduler,
	// with its final status (SUCCEEDED, FAILED or SKIPPED).
	RunFinished(job, status string)
	// Rendered is called after a report's PDF was made.
	Rendered(kind entreport.Kind, took time.Duration, size int)
	// Published is called after a report was published.
	Published(kind entreport.Kind, at time.Time)
}

// SetObserver installs o (nil: none). Call it before Start.
func (s *Scheduler) SetObserver(o Observer) { s.observer = o }

func (s *Scheduler) observeRun(job, status string) {
	if s.observer != nil {
		s.observer.RunFinished(job, status)
	}
}

// Health is what readiness probes ask of the scheduler.
type Health struct {
	Running  bool      // started and not stopped
	LastTick time.Time // when the last tick began (zero: none yet)
	Ticking  bool      // a tick is running now
}

// Health reports whether the scheduler runs.
func (s *Scheduler) Health() Health {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Health{Running: s.running, LastTick: s.lastTick, Ticking: s.ticks > 0}
}

// Healthy reports whether the scheduler is started and not stopped.
func (s *Scheduler) Healthy() bool { return s.Health().Running }
