// Command inorder rewrites gqlgen's generated executor to marshal list
// elements one after another instead of one goroutine each. Every list this
// API returns is already loaded (entgql eager-loads edges in the connection
// query), so the goroutines bought nothing and cost a goroutine, its stack
// growth and scheduling per element: 17% of the CPU of a nested query in
// the benchmark profile (bench/README.md). Run by go generate after gqlgen.
package main

import (
	"bytes"
	"log"
	"os"
)

func main() {
	const path = "generated/generated.go"
	src, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	out := bytes.ReplaceAll(src, []byte("graphql.MarshalSliceConcurrently("), []byte("marshalSliceInOrder("))
	if bytes.Equal(out, src) && !bytes.Contains(src, []byte("marshalSliceInOrder(")) {
		log.Fatal("inorder: gqlgen no longer calls graphql.MarshalSliceConcurrently; check graph/generated/inorder.go")
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		log.Fatal(err)
	}
}
