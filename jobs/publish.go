package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"sunlight/ent"
	"sunlight/ent/jobrun"
	entreport "sunlight/ent/report"
	"sunlight/internal/access/audit"
	"sunlight/internal/ledger"
	"sunlight/internal/reports/publish"
	"sunlight/internal/vocab/calendar"
)

// Outcome is what one call of Publish did.
type Outcome string

// Outcomes of Publish.
const (
	Published Outcome = "PUBLISHED" // this run made and published the report
	Skipped   Outcome = "SKIPPED"   // the report exists already
	Running   Outcome = "RUNNING"   // another run is making it now
	Waiting   Outcome = "WAITING"   // the month cannot close yet: vouchers in it are not posted
	Failed    Outcome = "FAILED"    // the run failed; see the error
)

// isWaiting says whether err is a month that cannot close because vouchers
// in it are still being signed or not posted: people's work to finish, not
// a fault of the books or the platform. The run waits for it (recorded as
// FAILED "waiting: …", logged at WARN) and is tried again at the next
// hourly tick.
func isWaiting(err error) bool { return errors.Is(err, ledger.ErrUnposted) }

// Publish makes, stores and publishes one report, retrying transient
// failures with backoff. Every attempt is a JobRun. A failure that
// outlasts the attempts (a database down for longer) is tried again by the
// check that follows (see Config.CheckSpec).
func (s *Scheduler) Publish(ctx context.Context, kind entreport.Kind, c *ent.Community, p calendar.Period, scheduledFor time.Time) (*ent.Report, Outcome, error) {
	ctx = audit.WithActor(ctx, "scheduler")
	wait := s.cfg.Backoff
	for attempt := 1; ; attempt++ {
		r, outcome, err := s.publishOnce(ctx, kind, c, p, scheduledFor)
		if err == nil || publish.IsDataError(err) || attempt >= s.cfg.MaxAttempts {
			return r, outcome, err
		}
		s.log.Warn("report run failed, retrying", "community", c.Code, "period", p.String(), "attempt", attempt, "wait", wait, "err", err)
		select {
		case <-ctx.Done():
			return nil, Failed, ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// publishOnce is one attempt: claim, generate, store, publish.
func (s *Scheduler) publishOnce(ctx context.Context, kind entreport.Kind, c *ent.Community, p calendar.Period, scheduledFor time.Time) (*ent.Report, Outcome, error) {
	run, err := s.claim(ctx, kind, c, p, scheduledFor)
	if err != nil {
		return nil, Failed, fmt.Errorf("claim %s %s of %s: %w", kind, p, c.Code, err)
	}
	if run.Status == jobrun.StatusSKIPPED {
		s.observeRun(run.Job, string(jobrun.StatusSKIPPED))
		if run.Error == alreadyPublished {
			return nil, Skipped, nil
		}
		return nil, Running, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := s.hold(ctx, run, cancel)
	r, err := s.generateAndPublish(ctx, run, kind, c, p)
	stop()
	if errors.Is(err, publish.ErrPublishedElsewhere) {
		s.finish(run, jobrun.StatusSKIPPED, err)
		s.observeRun(run.Job, string(jobrun.StatusSKIPPED))
		return nil, Skipped, nil
	}
	if err != nil {
		s.finish(run, jobrun.StatusFAILED, err)
		s.observeRun(run.Job, string(jobrun.StatusFAILED))
		if isWaiting(err) {
			return nil, Waiting, err
		}
		return nil, Failed, err
	}
	s.observeRun(run.Job, string(jobrun.StatusSUCCEEDED))
	if s.observer != nil && r.PublishedAt != nil {
		s.observer.Published(kind, *r.PublishedAt)
	}
	if s.relay != nil {
		s.relay.Relay(r)
	} else {
		s.announce(r)
	}
	s.log.Info("report published", "community", c.Code, "kind", string(kind), "period", p.String(), "sha256", r.Sha256, "bytes", r.Size)
	return r, Published, nil
}

// alreadyPublished is the reason recorded on a run skipped because its
// report exists (not because another run is making it).
const alreadyPublished = "already published"

// claim records this run as RUNNING, unless the report exists or another
// run holds it (then the run is recorded as SKIPPED). A RUNNING run older
// than the working timeout is declared abandoned first. The unique key
// (job, community, period, attempt) makes two racing claims collide: one
// wins, the other retries the claim and finds the winner running.
func (s *Scheduler) claim(ctx context.Context, kind entreport.Kind, c *ent.Community, p calendar.Period, scheduledFor time.Time) (*ent.JobRun, error) {
	job := publish.JobOf(kind)
	for try := 0; try < 5; try++ {
		run, err := s.tryClaim(ctx, job, kind, c, p, scheduledFor)
		if err == nil {
			return run, nil
		}
		if !ent.IsConstraintError(err) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("could not claim %s %s of %s after 5 tries", job, p, c.Code)
}

func (s *Scheduler) tryClaim(ctx context.Context, job string, kind entreport.Kind, c *ent.Community, p calendar.Period, scheduledFor time.Time) (*ent.JobRun, error) {
	tx, err := s.client.Tx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	now := s.cfg.Now().UTC()
	exists, err := tx.Report.Query().Where(entreport.CommunityID(c.ID), entreport.KindEQ(kind), entreport.Period(p.String())).Exist(ctx)
	if err != nil {
		return nil, err
	}
	runs, err := tx.JobRun.Query().Where(jobrun.Job(job), jobrun.CommunityID(c.ID), jobrun.Period(p.String())).
		Order(jobrun.ByAttempt()).All(ctx)
	if err != nil {
		return nil, err
	}
	attempt := 1
	status, why := jobrun.StatusRUNNING, ""
	for _, r := range runs {
		attempt = r.Attempt + 1
		if r.Status != jobrun.StatusRUNNING {
			continue
		}
		if reason := s.abandoned(r, now); reason != "" {
			// Conditional, so that of two instances taking over the same
			// run both mark it once; the unique key on the next attempt
			// then lets only one of them claim it.
			err := tx.JobRun.Update().Where(jobrun.ID(r.ID), jobrun.StatusEQ(jobrun.StatusRUNNING)).
				SetStatus(jobrun.StatusFAILED).SetFinishedAt(now).SetError(reason).Exec(ctx)
			if err != nil {
				return nil, err
			}
			s.log.Warn("taking over an abandoned run", "community", c.Code, "job", job, "period", p.String(), "attempt", r.Attempt, "reason", reason)
			continue
		}
		status, why = jobrun.StatusSKIPPED, fmt.Sprintf("attempt %d is running since %s", r.Attempt, r.StartedAt.Format(time.RFC3339))
	}
	if exists {
		status, why = jobrun.StatusSKIPPED, alreadyPublished
	}
	q := tx.JobRun.Create().SetJob(job).SetCommunityID(c.ID).SetPeriod(p.String()).
		SetScheduledFor(scheduledFor.UTC()).SetStartedAt(now).SetAttempt(attempt).SetStatus(status).SetError(why)
	if status == jobrun.StatusSKIPPED {
		q.SetFinishedAt(now)
	} else {
		q.SetLeaseUntil(now.Add(s.cfg.LeaseTTL))
	}
	run, err := q.Save(ctx)
	if err != nil {
		return nil, err
	}
	return run, tx.Commit()
}

func (s *Scheduler) finish(run *ent.JobRun, status jobrun.Status, cause error) {
	// A finished run is recorded even when the caller's context ended. Only
	// a run still RUNNING is finished: one taken over meanwhile keeps the
	// verdict of the instance that took it over.
	ctx, cancel := context.WithTimeout(audit.WithActor(context.Background(), "scheduler"), 10*time.Second)
	defer cancel()
	q := s.client.JobRun.Update().Where(jobrun.ID(run.ID), jobrun.StatusEQ(jobrun.StatusRUNNING)).
		SetStatus(status).SetFinishedAt(s.cfg.Now().UTC()).ClearLeaseUntil()
	switch {
	case errors.Is(cause, publish.ErrPublishedElsewhere):
		q.SetError(cause.Error())
	case isWaiting(cause):
		q.SetError(fmt.Sprintf("waiting: %v", cause))
	case cause != nil:
		kind := "transient"
		if publish.IsDataError(cause) {
			kind = "data"
		}
		q.SetError(fmt.Sprintf("%s error: %v", kind, cause))
	}
	if _, err := q.Save(ctx); err != nil {
		// The database is likely down. The run stays RUNNING there; this
		// instance takes it over at its next attempt instead of waiting
		// for its lease to pass (see abandoned).
		s.release(run.ID)
		s.log.Error("record job run", "run", run.ID, "err", err)
	}
}

// generateAndPublish has package publish close the month, gather, render,
// store and record the report and finish the run, in one transaction:
// either all of it is visible or none.
func (s *Scheduler) generateAndPublish(ctx context.Context, run *ent.JobRun, kind entreport.Kind, c *ent.Community, p calendar.Period) (*ent.Report, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.WorkTimeout)
	defer cancel()
	pub := &publish.Publisher{
		Client: s.client, Archive: s.archive, Renderer: s.renderer, Now: s.cfg.Now,
		AfterRender: s.afterRender,
	}
	if s.observer != nil {
		pub.Rendered = s.observer.Rendered
	}
	return pub.Publish(ctx, publish.Request{
		Kind: kind, Community: c, Period: p,
		Finish: func(ctx context.Context, tx *ent.Client, at time.Time) error {
			// Only a run still held: one taken over by another instance
			// (its lease passed) must not publish too.
			n, err := tx.JobRun.Update().Where(jobrun.ID(run.ID), jobrun.StatusEQ(jobrun.StatusRUNNING)).
				SetStatus(jobrun.StatusSUCCEEDED).SetFinishedAt(at).ClearLeaseUntil().Save(ctx)
			if err != nil {
				return err
			}
			if n == 0 {
				return errLeaseLost
			}
			return nil
		},
	})
}
