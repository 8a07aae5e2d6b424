package graph

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"sunlight/ent"
	"sunlight/ent/community"
	"sunlight/internal/vocab/fail"
)

// scopeCommunity refuses any top-level field whose communityID argument
// names a community the viewer cannot read: one that does not exist, or
// one the viewer may not see. Whether the viewer sees it is the Community
// privacy policy's decision (package policy), read here as it is everywhere
// else, so the aggregates never answer zeros for a community that is not
// there, whoever asks. One read per community per operation, at the root.
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
	seen, err := communitySeen(ctx, id)
	if err == nil && seen {
		return next(ctx)
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

// communities remembers, for one operation, which communities the viewer
// reads (transactioner puts it in the context with the client).
type communities struct {
	client *ent.Client
	mu     sync.Mutex
	seen   map[int]bool
}

type communitiesKey struct{}

func withCommunities(ctx context.Context, client *ent.Client) context.Context {
	return context.WithValue(ctx, communitiesKey{}, &communities{client: client, seen: map[int]bool{}})
}

func communitySeen(ctx context.Context, id int) (bool, error) {
	c, _ := ctx.Value(communitiesKey{}).(*communities)
	if c == nil {
		return true, nil // not through NewHandler: nothing to ask
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if seen, ok := c.seen[id]; ok {
		return seen, nil
	}
	client := ent.FromContext(ctx) // the transaction of a mutation
	if client == nil {
		client = c.client
	}
	seen, err := client.Community.Query().Where(community.ID(id)).Exist(ctx)
	if err != nil {
		return false, err
	}
	c.seen[id] = seen
	return seen, nil
}
