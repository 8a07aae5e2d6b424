package graph

import (
	"context"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"sunlight/auth"
	"sunlight/fail"
)

// scopeCommunity refuses any top-level field whose communityID argument
// names a community the viewer may not see. The aggregates read through
// the privacy policies too, so a confined viewer would only get zeros; the
// refusal says so plainly instead, in one place for every such field, and
// costs nothing below the root.
func scopeCommunity(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	rc := graphql.GetRootFieldContext(ctx)
	v, confined := auth.FromContext(ctx)
	if rc == nil || !confined || !v.Confined() {
		return next(ctx)
	}
	args := rc.Field.ArgumentMap(graphql.GetOperationContext(ctx).Variables)
	raw, ok := args["communityID"]
	if !ok || raw == nil {
		return next(ctx)
	}
	id, err := graphql.UnmarshalIntID(raw)
	if err != nil || v.SeesCommunity(id) {
		return next(ctx)
	}
	err = fail.NotFoundf("community %s does not exist or you may not see it", strconv.Itoa(id))
	graphql.AddError(ctx, &gqlerror.Error{Err: err, Message: err.Error(), Path: graphql.GetPath(ctx)})
	return graphql.Null
}
