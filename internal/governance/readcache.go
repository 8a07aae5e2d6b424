package governance

import "context"

// readCache holds what one GraphQL operation has read for its lists, so
// that a field asked on every element of a list reads once for the list:
// the leases of a market's stalls (CurrentLease), the histories of a
// community's matters (TimelineInList).
type readCache struct {
	leases    leases
	timelines timelines
}

type readCacheKey struct{}

// WithReadCache returns ctx for one operation, under which CurrentLease and
// TimelineInList read a whole market's or community's rows at their first
// call and keep them.
func WithReadCache(ctx context.Context) context.Context {
	return context.WithValue(ctx, readCacheKey{}, &readCache{})
}
