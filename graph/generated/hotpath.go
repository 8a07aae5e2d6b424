package generated

// This file is written by hand; go generate keeps it (gqlgen writes only
// generated.go). See graph/internal/hotpath.

import (
	"context"
	"sync/atomic"

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

// resolveInOrder resolves field i of an object now, on the calling
// goroutine, where gqlgen's ResolveConcurrently would schedule it on a
// goroutine of its own; a deferred field is left to ResolveConcurrently.
func resolveInOrder(ctx context.Context, out *graphql.FieldSet, field graphql.CollectedField, oc *graphql.OperationContext, deferred *graphql.DeferredGroup, i int, recoverFromPanic, nonNull bool, resolve func(ctx context.Context) graphql.Marshaler) {
	if field.IsDeferred() {
		out.ResolveConcurrently(oc, deferred, i, recoverFromPanic, nonNull, resolve)
		return
	}
	settle(out, i, nonNull, recovering(ctx, oc, recoverFromPanic, resolve))
}

// resolveRootInOrder resolves root field i now, under the operation's root
// middleware, in place of gqlgen's ResolveRootConcurrently.
func resolveRootInOrder(ctx context.Context, out *graphql.FieldSet, oc *graphql.OperationContext, i int, recoverFromPanic, nonNull bool, resolve func(ctx context.Context) graphql.Marshaler) {
	settle(out, i, nonNull, oc.RootResolverMiddleware(ctx, func(ctx context.Context) graphql.Marshaler {
		return recovering(ctx, oc, recoverFromPanic, resolve)
	}))
}

// recovering runs resolve; a panic is reported and resolves to null, as in
// gqlgen's scheduled fields.
func recovering(ctx context.Context, oc *graphql.OperationContext, recoverFromPanic bool, resolve func(ctx context.Context) graphql.Marshaler) (res graphql.Marshaler) {
	if recoverFromPanic {
		defer func() {
			if r := recover(); r != nil {
				oc.Error(ctx, oc.Recover(ctx, r))
				res = graphql.Null
			}
		}()
	}
	return resolve(ctx)
}

// settle stores a field's value and, as gqlgen's Dispatch does, counts it
// against the object when a non-null field came back null (which nulls the
// object) or a nullable one was marked required.
func settle(out *graphql.FieldSet, i int, nonNull bool, v graphql.Marshaler) {
	out.Values[i] = v
	invalid := graphql.Marshaler(graphql.RequiredNull)
	if nonNull {
		invalid = graphql.Null
	}
	if v == invalid {
		atomic.AddUint32(&out.Invalids, 1)
	}
}
