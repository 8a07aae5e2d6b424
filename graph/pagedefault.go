package graph

import (
	"context"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// pagedCache is the query cache with one addition: a connection asked
// without first or last gets first: size, written into the document once,
// when it has been parsed and validated (gqlgen adds every new document to
// the cache before it runs it, and only reads it afterwards). Without it
// entgql returns every record of such a connection: at district scale a
// million vouchers for `vouchers { edges { … } }`.
type pagedCache struct {
	graphql.Cache[*ast.QueryDocument]
	size int
}

func (c pagedCache) Add(ctx context.Context, key string, doc *ast.QueryDocument) {
	for _, op := range doc.Operations {
		pageConnections(op.SelectionSet, c.size)
	}
	for _, f := range doc.Fragments {
		pageConnections(f.SelectionSet, c.size)
	}
	c.Cache.Add(ctx, key, doc)
}

// pageConnections gives every connection field of set (and of the sets
// under it) without first and last the argument first: size.
func pageConnections(set ast.SelectionSet, size int) {
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			if d := s.Definition; d != nil && d.Arguments.ForName("first") != nil && d.Arguments.ForName("last") != nil &&
				s.Arguments.ForName("first") == nil && s.Arguments.ForName("last") == nil {
				s.Arguments = append(s.Arguments, &ast.Argument{
					Name:     "first",
					Value:    &ast.Value{Kind: ast.IntValue, Raw: strconv.Itoa(size), Position: s.Position},
					Position: s.Position,
				})
			}
			pageConnections(s.SelectionSet, size)
		case *ast.InlineFragment:
			pageConnections(s.SelectionSet, size)
		}
		// Fragment spreads: their definitions are paged on their own.
	}
}
