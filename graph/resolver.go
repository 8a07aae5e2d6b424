// Package graph is Sunlight's GraphQL layer: thin resolvers over the ent
// client and the domain packages (ledger, valuation, governance), the one
// presenter of errors (errors.go) and the gqlgen server with its document
// limits (server.go, limits.go). The HTTP edge around it (auth, HTTP
// limits, CORS, metrics, routes) is internal/web/server.
package graph

import (
	"time"

	"sunlight/ent"
)

// Resolver is the root resolver; one per server.
type Resolver struct {
	client    *ent.Client
	now       func() time.Time
	published Publisher
}

// Publisher tells of reports as they are published (the scheduler).
type Publisher interface {
	Subscribe(ch chan<- *ent.Report) (unsubscribe func())
}

// NewResolver returns a resolver over client. now is the clock (tests pass
// a fixed one); published may be nil when no scheduler runs in the process.
func NewResolver(client *ent.Client, now func() time.Time, published Publisher) *Resolver {
	if now == nil {
		now = time.Now
	}
	return &Resolver{client: client, now: now, published: published}
}
