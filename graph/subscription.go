package graph

import (
	"context"

	"sunlight/auth"
	"sunlight/ent"
	"sunlight/fail"
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
				// The same rule as for queries: a confined viewer hears only
				// of its own communities' reports.
				if !auth.CanSeeCommunity(ctx, rep.CommunityID) {
					continue
				}
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
