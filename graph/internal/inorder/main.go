// Command inorder rewrites two hot spots of gqlgen's generated executor, as
// measured in the benchmark profiles (bench/README.md). Run by go generate
// after gqlgen.
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
package main

import (
	"bytes"
	"log"
	"os"
)

// rewrites are applied in order; each must find its pattern (or its
// replacement, when the file was already rewritten) so that a gqlgen
// upgrade that changes the generated code fails loudly here.
var rewrites = []struct{ from, to string }{
	{"graphql.MarshalSliceConcurrently(", "marshalSliceInOrder("},
	{"deferred := graphql.NewDeferredGroup(ctx)", "deferred := deferredGroupFor(ctx, fields)"},
}

func main() {
	const path = "generated/generated.go"
	src, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range rewrites {
		out := bytes.ReplaceAll(src, []byte(r.from), []byte(r.to))
		if bytes.Equal(out, src) && !bytes.Contains(src, []byte(r.to)) {
			log.Fatalf("inorder: gqlgen no longer generates %q; check graph/generated/inorder.go", r.from)
		}
		src = out
	}
	if err := os.WriteFile(path, src, 0o644); err != nil {
		log.Fatal(err)
	}
}
