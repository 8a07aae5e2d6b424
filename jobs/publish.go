package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"sunlight/ent"
	"sunlight/ent/community"
	"sunlight/ent/jobrun"
	entreport "sunlight/ent/report"
	"sunlight/internal/access/audit"
	"sunlight/internal/ledger"
	"sunlight/internal/reports/archive"
	"sunlight/internal/reports/disclosure"
	"sunlight/internal/reports/pdf"
	"sunlight/internal/storage/dberr"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
)

// Outcome is what one call of Publish did.
type Outcome string

// Outcomes of Publish.
const (
	Published Outcome = "PUBLISHED" // this run made and published the report
	Skipped   Outcome = "SKIPPED"   // the report exists already
	Running   Outcome = "RUNNING"   // another run is making it now
	Failed    Outcome = "FAILED"    // the run failed; see the error
)

// dataError marks a failure that a retry cannot mend (bad data, a rule of
// the ledger): recorded with its reason, not retried.
type dataError struct{ err error }

func (e dataError) Error() string { return e.err.Error() }
func (e dataError) Unwrap() error { return e.err }

func isDataError(err error) bool {
	if dberr.Transient(err) {
		return false
	}
	var d dataError
	var g *pdf.GlyphError
	return errors.As(err, &d) || errors.As(err, &g) || fail.CodeOf(err) != "" || ent.IsValidationError(err) || dberr.Classify(err) != dberr.Other
}

func jobOf(kind entreport.Kind) string {
	if kind == entreport.KindYEARLY_ASSET_GROWTH {
		return YearlyJob
	}
	return MonthlyJob
}

// Publish makes, stores and publishes one report, retrying transient
// failures with backoff. Every attempt is a JobRun.
func (s *Scheduler) Publish(ctx context.Context, kind entreport.Kind, c *ent.Community, p calendar.Period, scheduledFor time.Time) (*ent.Report, Outcome, error) {
	ctx = audit.WithActor(ctx, "scheduler")
	wait := s.cfg.Backoff
	for attempt := 1; ; attempt++ {
		r, outcome, err := s.publishOnce(ctx, kind, c, p, scheduledFor)
		if err == nil || isDataError(err) || attempt >= s.cfg.MaxAttempts {
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
	r, err := s.generateAndPublish(ctx, run, kind, c, p)
	if errors.Is(err, errPublishedElsewhere) {
		s.finish(run, jobrun.StatusSKIPPED, err)
		s.observeRun(run.Job, string(jobrun.StatusSKIPPED))
		return nil, Skipped, nil
	}
	if err != nil {
		s.finish(run, jobrun.StatusFAILED, err)
		s.observeRun(run.Job, string(jobrun.StatusFAILED))
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

var errPublishedElsewhere = errors.New("published by another run")

// alreadyPublished is the reason recorded on a run skipped because its
// report exists (not because another run is making it).
const alreadyPublished = "already published"

// claim records this run as RUNNING, unless the report exists or another
// run holds it (then the run is recorded as SKIPPED). A RUNNING run older
// than the working timeout is declared abandoned first. The unique key
// (job, community, period, attempt) makes two racing claims collide: one
// wins, the other retries the claim and finds the winner running.
func (s *Scheduler) claim(ctx context.Context, kind entreport.Kind, c *ent.Community, p calendar.Period, scheduledFor time.Time) (*ent.JobRun, error) {
	job := jobOf(kind)
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
		if now.Sub(r.StartedAt) > s.cfg.WorkTimeout {
			err := tx.JobRun.UpdateOne(r).SetStatus(jobrun.StatusFAILED).SetFinishedAt(now).
				SetError(fmt.Sprintf("abandoned: still running after the working timeout of %s (its process stopped)", s.cfg.WorkTimeout)).Exec(ctx)
			if err != nil {
				return nil, err
			}
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
	}
	run, err := q.Save(ctx)
	if err != nil {
		return nil, err
	}
	return run, tx.Commit()
}

func (s *Scheduler) finish(run *ent.JobRun, status jobrun.Status, cause error) {
	// A finished run is recorded even when the caller's context ended.
	ctx, cancel := context.WithTimeout(audit.WithActor(context.Background(), "scheduler"), 10*time.Second)
	defer cancel()
	q := s.client.JobRun.UpdateOne(run).SetStatus(status).SetFinishedAt(s.cfg.Now().UTC())
	switch {
	case errors.Is(cause, errPublishedElsewhere):
		q.SetError(cause.Error())
	case cause != nil:
		kind := "transient"
		if isDataError(cause) {
			kind = "data"
		}
		q.SetError(fmt.Sprintf("%s error: %v", kind, cause))
	}
	if err := q.Exec(ctx); err != nil {
		s.log.Error("record job run", "run", run.ID, "err", err)
	}
}

// generateAndPublish renders the report, stores the PDF, then in one
// transaction records the report, closes the month and finishes the run:
// either all of it is visible or none.
func (s *Scheduler) generateAndPublish(ctx context.Context, run *ent.JobRun, kind entreport.Kind, c *ent.Community, p calendar.Period) (*ent.Report, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.WorkTimeout)
	defer cancel()
	started := s.cfg.Now().UTC()
	renderStart := time.Now()
	data, prev, err := s.render(ctx, kind, c, p)
	if err != nil {
		return nil, err
	}
	if s.observer != nil {
		s.observer.Rendered(kind, time.Since(renderStart), len(data))
	}
	if s.afterRender != nil {
		if err := s.afterRender(ctx, kind, c.Code, p); err != nil {
			return nil, err
		}
	}
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	key := archive.Key(c.Code, string(kind), p.String(), hash)
	if err := s.archive.Put(ctx, key, data); err != nil {
		return nil, err
	}
	tx, err := s.client.Tx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	// The chain must still end where the report says it does.
	if now, err := disclosure.PrevSHA256(ctx, tx.Client(), c.ID, kind, p); err != nil {
		return nil, err
	} else if now != prev {
		return nil, fmt.Errorf("the chain of %s moved while the report was made; making it again", c.Code)
	}
	published := s.cfg.Now().UTC()
	r, err := tx.Report.Create().SetCommunityID(c.ID).SetKind(kind).SetPeriod(p.String()).
		SetNumber(disclosure.Number(c, kind, p)).SetStatus(entreport.StatusPUBLISHED).
		SetSha256(hash).SetPrevSha256(prev).SetSize(int64(len(data))).SetStorageKey(key).
		SetGeneratedAt(started).SetPublishedAt(published).Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, errPublishedElsewhere
	}
	if err != nil {
		return nil, err
	}
	if kind == entreport.KindMONTHLY_DISCLOSURE {
		if err := closeMonth(ctx, tx.Client(), c.ID, p, published); err != nil {
			return nil, dataError{err}
		}
	}
	if err := tx.JobRun.UpdateOne(run).SetStatus(jobrun.StatusSUCCEEDED).SetFinishedAt(published).Exec(ctx); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return r, nil
}

// closeMonth closes p unless the community closed it already.
func closeMonth(ctx context.Context, client *ent.Client, communityID int, p calendar.Period, now time.Time) error {
	c, err := client.Community.Query().Where(community.ID(communityID)).Select(community.FieldClosedThrough).Only(ctx)
	if err != nil {
		return err
	}
	if c.ClosedThrough != nil {
		if closed, err := calendar.ParsePeriod(*c.ClosedThrough); err == nil && !closed.Before(p) {
			return nil
		}
	}
	_, err = ledger.CloseMonth(ctx, client, communityID, p, now)
	return err
}

// render gathers and renders the report, returning the PDF and the chain
// link it printed; a renderer failure is a data error.
func (s *Scheduler) render(ctx context.Context, kind entreport.Kind, c *ent.Community, p calendar.Period) ([]byte, string, error) {
	data, prev, err := disclosure.Render(ctx, s.client, s.renderer, c, kind, p)
	var re disclosure.RenderError
	if errors.As(err, &re) {
		return nil, "", dataError{err}
	}
	return data, prev, err
}
