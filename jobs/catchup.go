package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"entgo.io/ent/dialect/sql"
	"golang.org/x/sync/errgroup"

	"sunlight/ent"
	"sunlight/ent/assetvaluation"
	"sunlight/ent/jobrun"
	entreport "sunlight/ent/report"
	"sunlight/internal/ledger"
	"sunlight/internal/reports/chain"
	"sunlight/internal/reports/publish"
	"sunlight/internal/vocab/calendar"
)

// CatchUp publishes every report that is due by now and not yet published:
// for each community the months after its last published month (or, before
// its first, after its last closed month) up to last month, in order, so the
// hash chain runs in order; and last year's summary. It is what every tick
// runs, so a missed tick costs nothing but delay. Config.Workers communities
// are caught up at once.
//
// A catch-up that failed where a retry can help (the database away, a run
// that outlasted its attempts) leaves a retry owed, which Check makes
// within minutes; a month that waits for its vouchers is not a failure
// (logged at WARN) and is tried again at the hourly tick.
func (s *Scheduler) CatchUp(ctx context.Context) (err error) {
	var errs []error
	defer func() {
		if ctx.Err() != nil {
			return
		}
		for _, e := range errs {
			if !publish.IsDataError(e) {
				s.retryLater(s.cfg.Now())
				return
			}
		}
		s.retried()
	}()
	now := s.cfg.Now()
	today := calendar.DayOf(now)
	lastMonth := calendar.MonthOf(today).Prev()
	lastYear := calendar.Year(today.Year() - 1)
	communities, err := s.client.Community.Query().Order(ent.Asc("code")).All(ctx)
	if err != nil {
		errs = append(errs, err)
		return fmt.Errorf("list communities: %w", err)
	}
	var (
		mu      sync.Mutex
		missing = map[entreport.Kind]int{}
		g       errgroup.Group
	)
	g.SetLimit(s.cfg.Workers)
	for _, c := range communities {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			cerrs := s.catchUpCommunity(ctx, c, lastMonth, lastYear)
			gaps := s.reportMissing(ctx, c)
			mu.Lock()
			defer mu.Unlock()
			errs = append(errs, cerrs...)
			for kind, n := range gaps {
				missing[kind] += n
			}
			return nil // a community's failure is not the others'
		})
	}
	_ = g.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	s.observeMissing(missing)
	return errors.Join(errs...)
}

// catchUpCommunity publishes c's due months in order, then last year's
// summary, and returns what failed.
func (s *Scheduler) catchUpCommunity(ctx context.Context, c *ent.Community, lastMonth, lastYear calendar.Period) []error {
	var errs []error
	from, err := s.firstDue(ctx, c, lastMonth)
	if err != nil {
		return []error{err}
	}
	for p := from; !lastMonth.Before(p) && ctx.Err() == nil; p = p.Next() {
		if gone, err := s.publishedOnce(ctx, publish.MonthlyJob, c, p); err != nil || gone {
			// Its report was published and is gone: a finding for
			// people (logged by reportMissing, named by verify), not
			// something to publish again silently.
			if err != nil {
				errs = append(errs, err)
				break
			}
			continue
		}
		_, outcome, err := s.Publish(ctx, entreport.KindMONTHLY_DISCLOSURE, c, p, dueAt(p, 2))
		switch {
		case outcome == Waiting:
			s.log.Warn("month waits for its vouchers to be posted before it can close and be published",
				"community", c.Code, "period", p.String(), "reason", err)
		case err != nil:
			errs = append(errs, fmt.Errorf("%s %s: %w", c.Code, p, err))
		}
		if outcome == Failed || outcome == Running || outcome == Waiting {
			// Later months chain to this one: publishing them now would
			// name the month before as their predecessor, a fork in
			// the chain. The next tick goes on from here.
			break
		}
	}
	if ctx.Err() != nil {
		return errs
	}
	if err := s.catchUpYear(ctx, c, lastYear); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// dueAt is when a period's report falls due: hour o'clock Shanghai on the
// first day after it.
func dueAt(p calendar.Period, hour int) time.Time {
	return calendar.StartOf(p.End()).Add(time.Duration(hour) * time.Hour)
}

// firstDue is the first month c has not published: the month after its
// last published monthly disclosure, so that a month closed by hand before
// the scheduler came is published too. A community without one starts
// after its last closed month (closed before its chain began), or
// LookbackMonths back.
func (s *Scheduler) firstDue(ctx context.Context, c *ent.Community, lastMonth calendar.Period) (calendar.Period, error) {
	var anchor calendar.Period
	last, err := s.client.Report.Query().Where(
		entreport.CommunityID(c.ID), entreport.KindEQ(entreport.KindMONTHLY_DISCLOSURE), entreport.StatusEQ(entreport.StatusPUBLISHED),
	).Order(entreport.ByPeriod(sql.OrderDesc())).First(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return anchor, fmt.Errorf("reports of %s: %w", c.Code, err)
	}
	if last != nil {
		if p, err := calendar.ParsePeriod(last.Period); err == nil {
			anchor = p
		}
	} else if c.ClosedThrough != nil {
		if closed, err := calendar.ParsePeriod(*c.ClosedThrough); err == nil {
			anchor = closed
		}
	}
	if last != nil && !anchor.IsZero() {
		// A chain that exists goes on where it stopped, whatever the
		// go-live month says: published reports are never left behind.
		return anchor.Next(), nil
	}
	from := lastMonth
	if !anchor.IsZero() {
		from = anchor.Next()
	} else {
		for i := 1; i < s.cfg.LookbackMonths; i++ {
			from = from.Prev()
		}
	}
	if live, ok := ledger.GoLive(c); ok && from.Before(live) {
		from = live
	}
	return from, nil
}

// publishedOnce says whether a run of job recorded c's report of p as
// published: if that report is not there now, it was removed.
func (s *Scheduler) publishedOnce(ctx context.Context, job string, c *ent.Community, p calendar.Period) (bool, error) {
	ok, err := s.client.JobRun.Query().Where(jobrun.Job(job), jobrun.CommunityID(c.ID), jobrun.Period(p.String()),
		jobrun.StatusEQ(jobrun.StatusSUCCEEDED)).Exist(ctx)
	if err != nil {
		return false, fmt.Errorf("runs of %s %s: %w", c.Code, p, err)
	}
	return ok, nil
}

// catchUpYear publishes year's summary if c has an inventory by its end.
func (s *Scheduler) catchUpYear(ctx context.Context, c *ent.Community, year calendar.Period) error {
	done, err := s.client.Report.Query().Where(entreport.CommunityID(c.ID), entreport.KindEQ(entreport.KindYEARLY_ASSET_GROWTH), entreport.Period(year.String())).Exist(ctx)
	if err != nil || done {
		return err
	}
	if gone, err := s.publishedOnce(ctx, publish.YearlyJob, c, year); err != nil || gone {
		return err // removed after publishing: reported missing, not made again
	}
	valued, err := s.client.AssetValuation.Query().Where(assetvaluation.CommunityID(c.ID), assetvaluation.AsOfLTE(year.Last())).Exist(ctx)
	if err != nil || !valued {
		return err
	}
	_, _, err = s.Publish(ctx, entreport.KindYEARLY_ASSET_GROWTH, c, year, dueAt(year, 3))
	if err != nil {
		return fmt.Errorf("%s %s: %w", c.Code, year, err)
	}
	return nil
}

// MissingObserver is an Observer that also hears, after every tick, how
// many reports of each kind are missing (see chain.Missing).
type MissingObserver interface {
	ReportsMissing(kind entreport.Kind, n int)
}

// reportMissing logs, as an ERROR every tick, each report of c that should
// exist and does not (a deleted row, a month closed by hand and never
// published), and counts them by kind. Catch-up does not publish it again:
// people must look at it (sunlight verify names the same).
func (s *Scheduler) reportMissing(ctx context.Context, c *ent.Community) map[entreport.Kind]int {
	if ctx.Err() != nil {
		return nil
	}
	gaps, err := chain.Missing(ctx, s.client, c)
	if err != nil {
		s.log.Warn("cannot check for missing reports", "community", c.Code, "err", err)
		return nil
	}
	missing := map[entreport.Kind]int{}
	for _, g := range gaps {
		missing[g.Kind]++
		s.log.Error("report missing", "community", c.Code, "kind", string(g.Kind), "period", g.Period.String(), "finding", g.String())
	}
	return missing
}

func (s *Scheduler) observeMissing(missing map[entreport.Kind]int) {
	o, ok := s.observer.(MissingObserver)
	if !ok {
		return
	}
	for _, kind := range []entreport.Kind{entreport.KindMONTHLY_DISCLOSURE, entreport.KindYEARLY_ASSET_GROWTH} {
		o.ReportsMissing(kind, missing[kind])
	}
}
