package graph

import (
	"context"
	"fmt"
	"sync"

	"entgo.io/ent/privacy"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"sunlight/ent"
	"sunlight/internal/access/auth"
	"sunlight/internal/vocab/fail"
)

// scopeCommunity refuses any top-level field whose communityID argument
// names a community the viewer cannot read: one the viewer may not see (the
// viewer's communities, the rule the privacy policies filter by), or one
// that does not exist, whoever asks. So the aggregates never answer zeros
// for a community that is not there, and every viewer hears NOT_FOUND, with
// the field's path and location, in one place for every such field.
func scopeCommunity(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	rc := graphql.GetRootFieldContext(ctx)
	if rc == nil {
		return next(ctx)
	}
	raw, ok := rc.Field.ArgumentMap(graphql.GetOperationContext(ctx).Variables)["communityID"]
	if !ok || raw == nil {
		return next(ctx)
	}
	id, err := graphql.UnmarshalIntID(raw)
	if err != nil {
		return next(ctx) // the field's own argument error says so
	}
	var exists bool
	if auth.CanSeeCommunity(ctx, id) {
		exists, err = communityExists(ctx, id)
		if err == nil && exists {
			return next(ctx)
		}
	}
	if err == nil {
		err = fail.NotFoundf("community %d does not exist or you may not see it", id)
	}
	e := gqlerror.WrapPath(ast.Path{ast.PathName(rc.Field.Alias)}, err)
	if p := rc.Field.Position; p != nil {
		e.Locations = []gqlerror.Location{{Line: p.Line, Column: p.Column}}
	}
	graphql.AddError(ctx, e)
	return graphql.Null
}

// knownCommunities are the IDs of the communities of each database, read
// all at once when an ID is not among them. Communities are created
// seldom and never deleted through the API, so a request costs no statement
// for this once the process has seen its community.
var knownCommunities sync.Map // *ent.Client → *communityIDs

type communityIDs struct {
	mu  sync.Mutex
	ids map[int]bool
}

type clientKey struct{}

// withClient gives the operation the client communityExists reads with
// (transactioner, limits.go).
func withClient(ctx context.Context, client *ent.Client) context.Context {
	return context.WithValue(ctx, clientKey{}, client)
}

func communityExists(ctx context.Context, id int) (bool, error) {
	client, _ := ctx.Value(clientKey{}).(*ent.Client)
	if client == nil {
		return true, nil // not through NewHandler: nothing to ask
	}
	v, _ := knownCommunities.LoadOrStore(client, &communityIDs{})
	known := v.(*communityIDs)
	known.mu.Lock()
	seen := known.ids[id]
	known.mu.Unlock()
	if seen {
		return true, nil
	}
	// Read through the operation's own transaction when it has one (a
	// mutation): a second connection per request could wait forever for a
	// pool that the requests' open transactions hold. And never under the
	// mutex, which would hold every other request's transaction too.
	reader := client
	if tx := ent.FromContext(ctx); tx != nil {
		reader = tx
	}
	// Every ID, whatever the viewer may see: which it may see is decided
	// above, by the viewer's communities.
	ids, err := reader.Community.Query().IDs(privacy.DecisionContext(ctx, privacy.Allow))
	if err != nil {
		return false, fmt.Errorf("read the communities: %w", err)
	}
	all := make(map[int]bool, len(ids))
	for _, i := range ids {
		all[i] = true
	}
	if reader == client {
		// A transaction may see a community it created and then rolls
		// back: only what the plain client read is remembered.
		known.mu.Lock()
		known.ids = all
		known.mu.Unlock()
	}
	return all[id], nil
}
