package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"sunlight/ent"
	entreport "sunlight/ent/report"
)

// Feed announces the reports another process publishes: a `sunlight serve`
// started with --scheduler=false, beside a `sunlight jobs` (or several
// servers behind a balancer, one of them scheduling), reads the reports
// table every interval and tells its reportPublished subscribers what is
// new. Polling works the same on SQLite and PostgreSQL, survives restarts
// and lost connections, and costs one small query per interval; reports are
// published monthly, so a few seconds of delay do not matter.
//
// A report is new when its id has not been seen; ids are read back a window
// in time (published_at), so a transaction that commits after a later one
// is not missed.
type Feed struct {
	client   *ent.Client
	interval time.Duration
	window   time.Duration
	now      func() time.Time

	announcer // reportPublished

	mu   sync.Mutex
	seen map[int]time.Time // report id → published_at, within the window

	polled func() // for tests: called after each background poll
}

// NewFeed returns a feed over client that polls every interval (0: 5 s).
func NewFeed(client *ent.Client, interval time.Duration) *Feed {
	if interval <= 0 {
		interval = 5 * time.Second
	}
	return &Feed{
		client: client, interval: interval, window: 10*interval + time.Minute, now: time.Now,
		seen: map[int]time.Time{},
	}
}

// Start reads the reports published so far, which it will not announce,
// and polls in the background until ctx ends.
func (f *Feed) Start(ctx context.Context) error {
	if err := f.poll(ctx, false); err != nil {
		return err
	}
	go f.run(ctx)
	return nil
}

func (f *Feed) run(ctx context.Context) {
	t := time.NewTicker(f.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := f.poll(ctx, true); err != nil && ctx.Err() == nil {
				slog.WarnContext(ctx, "report feed", "err", err)
			}
			if f.polled != nil {
				f.polled()
			}
		}
	}
}

// poll reads the reports published within the window and, when announce
// is set, announces those not seen before.
func (f *Feed) poll(ctx context.Context, announce bool) error {
	since := f.now().Add(-f.window)
	rs, err := f.client.Report.Query().
		Where(entreport.StatusEQ(entreport.StatusPUBLISHED), entreport.PublishedAtGTE(since)).
		Order(entreport.ByID()).All(ctx)
	if err != nil {
		return fmt.Errorf("read reports published since %s: %w", since.Format(time.RFC3339), err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range rs {
		if _, ok := f.seen[r.ID]; ok {
			continue
		}
		f.seen[r.ID] = *r.PublishedAt
		if announce {
			f.announce(r)
		}
	}
	for id, at := range f.seen {
		if at.Before(since) {
			delete(f.seen, id)
		}
	}
	return nil
}

// Relay announces r now, for a scheduler in this process (Scheduler.
// RelayThrough), and marks it seen so the next poll does not announce it
// again: local reports are heard at once, the other instances' within an
// interval, each once.
func (f *Feed) Relay(r *ent.Report) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.seen[r.ID]; ok {
		return
	}
	at := f.now()
	if r.PublishedAt != nil {
		at = *r.PublishedAt
	}
	f.seen[r.ID] = at
	f.announce(r)
}
