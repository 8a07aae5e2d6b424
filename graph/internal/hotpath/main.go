// Command hotpath rewrites three hot spots of gqlgen's generated executor,
// found in the benchmark profiles (bench/README.md). go generate runs it
// after gqlgen; the helpers it calls are in graph/generated/hotpath.go.
//
//   - List elements are marshalled one after another instead of one
//     goroutine each. Every list this API returns is already loaded (entgql
//     eager-loads edges in the connection query), so the goroutines bought
//     nothing and cost a goroutine, its stack growth and scheduling per
//     element: 17% of the CPU of a nested query.
//   - Every object built gqlgen's @defer bookkeeping (its whole response
//     path, a field set and a map) whether or not the query deferred
//     anything: 12% of the CPU of the nested query. It is now built only for
//     an object one of whose fields is deferred.
//   - Fields were resolved concurrently: every root field of a query and
//     every edge of an object but the first in a goroutine of its own. The
//     edges are loaded already, and each new goroutine grew its stack again
//     through gqlgen, ent, database/sql and pgx (runtime.copystack was 9% of
//     the dashboard query's CPU). They now run one after another on the
//     request's goroutine; a deferred field still goes to its own payload.
//     A query's root fields thus take the sum of their times instead of
//     the longest, but hold one pooled connection instead of one each.
//   - A plain scalar field (a struct field of the object, no resolver, no
//     directive, a scalar or enum type) went through graphql.ResolveField:
//     a field context, a context value, a deferred recover, closures and the
//     value boxed twice, about eight allocations for reading obj.Name. It is
//     now marshalled straight from the struct field. What that skips is
//     field middleware (the server's one, refuseUnreadable in graph/refused.go,
//     refuses only fields of an entity type, never a plain scalar), the
//     field's own entry in an error path (these marshalers report no
//     errors) and panic recovery around a struct field read.
package main

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"regexp"
	"strings"
)

// rewrites are applied in order; each must find its pattern (or its
// replacement, when the file was already rewritten) so that a gqlgen
// upgrade that changes the generated code fails loudly here.
var rewrites = []struct{ from, to string }{
	{"graphql.MarshalSliceConcurrently(", "marshalSliceInOrder("},
	{"deferred := graphql.NewDeferredGroup(ctx)", "deferred := deferredGroupFor(ctx, fields)"},
	{"out.ResolveConcurrently(ec.OperationContext, &deferred, i,", "resolveInOrder(ctx, out, field, ec.OperationContext, &deferred, i,"},
	{"out.ResolveRootConcurrently(innerCtx, ec.OperationContext, i,", "resolveRootInOrder(innerCtx, out, ec.OperationContext, i,"},
}

// plainField matches a generated field function whose resolver reads a
// struct field and which has no middleware chain (directives).
var plainField = regexp.MustCompile(`(?m)^func \(ec \*executionContext\) (_\S+)\(ctx context\.Context, field graphql\.CollectedField, obj (\S+)\) \(ret graphql\.Marshaler\) \{
	return graphql\.ResolveField\(
		ctx,
		ec\.OperationContext,
		field,
		func\(ctx context\.Context, field graphql\.CollectedField\) \(\*graphql\.FieldContext, error\) \{
			return ec\.(fieldContext_\S+)\(ctx, field\)
		\},
		func\(ctx context\.Context\) \(any, error\) \{
			return obj\.(\w+), nil
		\},
		nil,
		func\(ctx context\.Context, selections ast\.SelectionSet, v ([^)]+)\) graphql\.Marshaler \{
			return ec\.(marshal\S+)\(ctx, selections, v\)
		\},
		(?:true|false),
		(?:true|false),
	\)
\}
`)

// scalarContext matches the field-context function of a scalar or enum
// field: gqlgen gives those no child fields.
var scalarContext = regexp.MustCompile(`(?m)^func \(ec \*executionContext\) (fieldContext_\S+)\(_ context\.Context, field graphql\.CollectedField\) \(fc \*graphql\.FieldContext, err error\) \{
	return graphql\.NewScalarFieldContext\(`)

func main() {
	const path = "generated/generated.go"
	src, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range rewrites {
		out := bytes.ReplaceAll(src, []byte(r.from), []byte(r.to))
		if bytes.Equal(out, src) && !bytes.Contains(src, []byte(r.to)) {
			log.Fatalf("hotpath: gqlgen no longer generates %q; check graph/generated/hotpath.go", r.from)
		}
		src = out
	}
	src, n := plainFields(src)
	if n == 0 && !bytes.Contains(src, []byte(plainMarker)) {
		log.Fatal("hotpath: found no plain scalar field to rewrite; has gqlgen changed its field functions?")
	}
	if err := os.WriteFile(path, src, 0o644); err != nil {
		log.Fatal(err)
	}
}

const plainMarker = "// A plain scalar field: marshalled straight from the struct (graph/internal/hotpath)."

// plainFields rewrites the plain scalar field functions of src and says how
// many it rewrote.
func plainFields(src []byte) ([]byte, int) {
	scalar := map[string]bool{}
	for _, m := range scalarContext.FindAllSubmatch(src, -1) {
		scalar[string(m[1])] = true
	}
	n := 0
	out := plainField.ReplaceAllFunc(src, func(fn []byte) []byte {
		m := plainField.FindSubmatch(fn)
		name, obj, fieldCtx, goField, typ, marshal := string(m[1]), string(m[2]), string(m[3]), string(m[4]), string(m[5]), string(m[6])
		switch {
		case !scalar[fieldCtx]:
			return fn // an object or list: its children need this field's context
		case strings.HasPrefix(typ, "[]"):
			return fn // list elements get field contexts of their own
		case strings.HasPrefix(typ, "*") && !strings.HasPrefix(marshal, "marshalO"):
			return fn // a nil for a non-null field reports an error at this field's path
		}
		n++
		return fmt.Appendf(nil, "func (ec *executionContext) %s(ctx context.Context, field graphql.CollectedField, obj %s) (ret graphql.Marshaler) {\n\t%s\n\treturn ec.%s(ctx, field.Selections, obj.%s)\n}\n",
			name, obj, plainMarker, marshal, goField)
	})
	return out, n
}
