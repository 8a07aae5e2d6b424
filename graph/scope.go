package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"sunlight/internal/access/auth"
	"sunlight/internal/vocab/fail"
)

// scopeCommunity refuses any top-level field whose communityID argument
// names a community the viewer may not see. The aggregates read through
// the privacy policies too, so a confined viewer would only get zeros; the
// refusal says so plainly instead, in one place for every such field, and
// costs nothing below the root.
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
	if err != nil || auth.CanSeeCommunity(ctx, id) {
		return next(ctx)
	}
	// AddError sets the field's path and goes through presentError.
	graphql.AddError(ctx, fail.NotFoundf("community %d does not exist or you may not see it", id))
	return graphql.Null
}
