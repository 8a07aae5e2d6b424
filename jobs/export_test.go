package jobs

import (
	"context"
	"time"

	entreport "sunlight/ent/report"
	"sunlight/internal/vocab/calendar"
)

// SetAfterRender lets tests interrupt a run between rendering and storing.
func (s *Scheduler) SetAfterRender(f func(ctx context.Context, kind entreport.Kind, code string, p calendar.Period) error) {
	s.afterRender = f
}

// SetNow gives the feed the tests' clock, which stamps published_at.
func (f *Feed) SetNow(now func() time.Time) { f.now = now }

// OnPoll has fn called after each of the feed's background polls; call
// it before Start.
func (f *Feed) OnPoll(fn func()) { f.polled = fn }

// ScheduledWithin says how many of the scheduler's cron entries fire
// within d from now.
func (s *Scheduler) ScheduledWithin(d time.Duration) int {
	n := 0
	for _, e := range s.cron.Entries() {
		if e.Schedule.Next(time.Now()).Before(time.Now().Add(d)) {
			n++
		}
	}
	return n
}

// RenewLeases renews now the lease of every run the scheduler is working
// on, as its renewal loop does every LeaseTTL/4 of real time.
func (s *Scheduler) RenewLeases(ctx context.Context) error { return s.renewAll(ctx) }
