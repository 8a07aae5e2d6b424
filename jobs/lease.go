package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"sunlight/ent"
	"sunlight/ent/jobrun"
	"sunlight/internal/access/audit"
)

// A run is held through a lease (JobRun.lease_until): the claim sets it
// LeaseTTL ahead, the instance renews it every LeaseTTL/4 while the run
// works, and any instance takes over a RUNNING run whose lease has passed.
// A process that dies stops renewing, so its run is taken over within
// LeaseTTL plus one check (a minute) instead of after the working timeout
// and the next hourly tick. A live run is never taken over as long as its
// instance can reach the database. Should an instance lose its lease all
// the same (it could not renew for LeaseTTL), it learns so at its next
// renewal and stops, and its transaction cannot finish: the run's SUCCEEDED
// is written only over a RUNNING run, in the publishing transaction, and the
// report's unique key stands behind that.

// errLeaseLost ends a run taken over by another instance.
var errLeaseLost = errors.New("the run was taken over by another instance (its lease had passed)")

// hold keeps run's lease while the run works: it renews it every
// LeaseTTL/4 until the returned stop is called, and cancels the run
// (cancel) if another instance took it over.
func (s *Scheduler) hold(ctx context.Context, run *ent.JobRun, cancel context.CancelFunc) (stop func()) {
	s.mu.Lock()
	s.held[run.ID] = struct{}{}
	s.mu.Unlock()
	done := make(chan struct{})
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		t := time.NewTicker(s.cfg.LeaseTTL / 4)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				if lost, err := s.renew(ctx, run.ID); err != nil {
					// Likely the database is away; the lease lasts a while
					// yet, and the run will fail on its own if it cannot
					// reach the database either.
					s.log.Warn("cannot renew a run's lease", "run", run.ID, "err", err)
				} else if lost {
					s.log.Warn("run taken over by another instance; stopping it", "run", run.ID, "job", run.Job, "period", run.Period)
					cancel()
					return
				}
			}
		}
	}()
	return func() {
		close(done)
		<-ended
		s.mu.Lock()
		delete(s.held, run.ID)
		s.mu.Unlock()
	}
}

// renew moves the lease of run id LeaseTTL ahead of now; lost is true when
// the run is no longer RUNNING (another instance took it over).
func (s *Scheduler) renew(ctx context.Context, id int) (lost bool, err error) {
	ctx, cancel := context.WithTimeout(audit.WithActor(context.WithoutCancel(ctx), "scheduler"), s.cfg.LeaseTTL/4)
	defer cancel()
	n, err := s.client.JobRun.Update().Where(jobrun.ID(id), jobrun.StatusEQ(jobrun.StatusRUNNING)).
		SetLeaseUntil(s.cfg.Now().UTC().Add(s.cfg.LeaseTTL)).Save(ctx)
	if err != nil {
		return false, fmt.Errorf("renew the lease of run %d: %w", id, err)
	}
	return n == 0, nil
}

// renewAll renews the lease of every run this instance is working on now.
func (s *Scheduler) renewAll(ctx context.Context) error {
	s.mu.Lock()
	ids := make([]int, 0, len(s.held))
	for id := range s.held {
		ids = append(ids, id)
	}
	s.mu.Unlock()
	var errs []error
	for _, id := range ids {
		if _, err := s.renew(ctx, id); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// release notes that this instance stopped working on run id but could not
// record so (the database was away): its next claim takes the run over at
// once rather than wait for the lease to pass.
func (s *Scheduler) release(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.released[id] = struct{}{}
}

// abandoned says why RUNNING run r may be taken over at now, or "" if it
// is held.
func (s *Scheduler) abandoned(r *ent.JobRun, now time.Time) string {
	s.mu.Lock()
	_, mine := s.released[r.ID]
	_, held := s.held[r.ID]
	s.mu.Unlock()
	switch {
	case held:
		return ""
	case mine:
		return "abandoned: this instance stopped working on it and could not record why (the database was away)"
	case r.LeaseUntil != nil:
		if now.After(*r.LeaseUntil) {
			return fmt.Sprintf("abandoned: its lease ran out at %s without renewal (its process stopped)", r.LeaseUntil.UTC().Format(time.RFC3339))
		}
		return ""
	case now.Sub(r.StartedAt) > s.cfg.WorkTimeout:
		// A run recorded before runs had leases.
		return fmt.Sprintf("abandoned: still running after the working timeout of %s (its process stopped)", s.cfg.WorkTimeout)
	}
	return ""
}

// abandonedRuns says whether some RUNNING run anywhere may be taken over at
// now: one light query, asked every minute by Check.
func (s *Scheduler) abandonedRuns(ctx context.Context, now time.Time) (bool, error) {
	now = now.UTC()
	ok, err := s.client.JobRun.Query().Where(jobrun.StatusEQ(jobrun.StatusRUNNING), jobrun.Or(
		jobrun.LeaseUntilLT(now),
		jobrun.And(jobrun.LeaseUntilIsNil(), jobrun.StartedAtLT(now.Add(-s.cfg.WorkTimeout))),
	)).Exist(ctx)
	if err != nil {
		return false, fmt.Errorf("look for abandoned runs: %w", err)
	}
	if ok {
		return true, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.released) > 0, nil
}

// Check is the light tick (Config.CheckSpec, every minute): it runs a
// catch-up only when one is owed — a run abandoned by a dead process can be
// taken over, or the last catch-up failed for want of the database and its
// retry is due (after 1, 2, 4 minutes, then every RetryCap) — and otherwise
// costs one query.
func (s *Scheduler) Check(ctx context.Context) error {
	now := s.cfg.Now()
	s.mu.Lock()
	due := !s.retryAt.IsZero() && !now.Before(s.retryAt)
	s.mu.Unlock()
	if !due {
		stale, err := s.abandonedRuns(ctx, now)
		if err != nil {
			s.retryLater(now)
			return err
		}
		if !stale {
			return nil
		}
	}
	return s.CatchUp(ctx)
}

// retryLater schedules the next catch-up after a failure that a retry can
// mend, waiting twice as long as the time before, from a minute up to
// RetryCap.
func (s *Scheduler) retryLater(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.retryWait == 0:
		s.retryWait = time.Minute
	case s.retryWait < s.cfg.RetryCap:
		s.retryWait *= 2
	}
	s.retryWait = min(s.retryWait, s.cfg.RetryCap)
	s.retryAt = now.Add(s.retryWait)
}

// retried clears the retry schedule after a catch-up that a retry could not
// improve on.
func (s *Scheduler) retried() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retryAt, s.retryWait = time.Time{}, 0
	clear(s.released)
}
