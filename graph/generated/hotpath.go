package generated

// This file is written by hand; go generate keeps it (gqlgen writes only
// generated.go). See graph/internal/hotpath.

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// marshalSliceInOrder marshals the elements of a list in order on the
// calling goroutine, with gqlgen's per-element field context and panic
// recovery, in place of graphql.MarshalSliceConcurrently.
func marshalSliceInOrder(ctx context.Context, length int, _ int64, omitPanicHandler bool, marshalElement func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	ret := make(graphql.Array, length)
	for i := range length {
		childCtx := graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &i})
		if omitPanicHandler {
			ret[i] = marshalElement(childCtx, i)
			continue
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					graphql.AddError(childCtx, graphql.Recover(childCtx, r))
					ret[i] = graphql.Null
				}
			}()
			ret[i] = marshalElement(childCtx, i)
		}()
	}
	return ret
}

// deferredGroupFor returns the @defer bookkeeping of an object with the
// given fields, in place of graphql.NewDeferredGroup. Building it computes
// the object's whole response path and allocates a field set and a map; only
// an object with a deferred field needs that, and the generated code reads
// nothing but len(Defers) of a group no field was added to.
func deferredGroupFor(ctx context.Context, fields []graphql.CollectedField) graphql.DeferredGroup {
	for i := range fields {
		if fields[i].IsDeferred() {
			return graphql.NewDeferredGroup(ctx)
		}
	}
	return graphql.DeferredGroup{}
}
