package graph

import (
	"context"

	"sunlight/ent"
	"sunlight/internal/vocab/fail"
)

// reportPublished relays the scheduler's announcements to one subscriber,
// filtered by community, until the subscriber goes away.
func (r *Resolver) reportPublished(ctx context.Context, communityID *int) (<-chan *ent.Report, error) {
	if r.published == nil {
		return nil, fail.Conflictf("this server runs no report scheduler; subscribe to the instance started with the scheduler on")
	}
	in := make(chan *ent.Report, 16)
	out := make(chan *ent.Report, 16)
	stop := r.published.Subscribe(in)
	go func() {
		defer close(out)
		defer stop()
		for {
			select {
			case <-ctx.Done():
				return
			case rep := <-in:
				if communityID != nil && rep.CommunityID != *communityID {
					continue
				}
				// Read back under the subscriber's viewer: the Report policy
				// decides, as for a query (reports are published monthly,
				// so one read each costs nothing).
				seen, err := r.client.Report.Get(ctx, rep.ID)
				if err != nil {
					continue
				}
				rep = seen
				select {
				case out <- rep:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}
