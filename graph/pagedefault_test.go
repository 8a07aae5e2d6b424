package graph_test

import (
	"strings"
	"testing"

	"sunlight/graph"
	"sunlight/internal/demo/demotest"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/web/server"
)

// TestUnpagedConnectionsGetTheDefaultPage: a connection asked without first
// or last returns the default page (here 5), at the root, nested and inside
// fragments, with pageInfo saying there is more; first and last given are
// left alone.
func TestUnpagedConnectionsGetTheDefaultPage(t *testing.T) {
	s := demoServer(t, demotest.DSN(t, dbtest.SQLite))
	s.h = asPlatform(t, s.d, newEdge(t, s.d, server.Config{GraphQL: graph.Config{Limits: graph.Limits{DefaultPageSize: 5}}}))
	type conn struct {
		TotalCount int
		PageInfo   struct{ HasNextPage, HasPreviousPage bool }
		Edges      []struct{ Node struct{ ID string } }
	}
	var out struct {
		Vouchers, Last, First conn
		Node                  struct {
			Assets    conn
			Contracts conn
		}
	}
	s.ok(`query($c: ID!) {
		vouchers { totalCount pageInfo { hasNextPage } edges { node { id } } }
		last: vouchers(last: 3) { totalCount edges { node { id } } }
		first: vouchers(first: 7) { edges { node { id } } }
		node(id: $c) { ... on Community { assets { totalCount pageInfo { hasNextPage } edges { node { id } } } } ...F }
	}
	fragment F on Community { contracts { totalCount pageInfo { hasNextPage } edges { node { id } } } }`, map[string]any{"c": s.gz}, &out)
	tests := []struct {
		name      string
		c         conn
		want, min int
	}{
		{"root vouchers, unpaged", out.Vouchers, 5, 6},
		{"root vouchers, last: 3", out.Last, 3, 0},
		{"root vouchers, first: 7", out.First, 7, 0},
		{"nested assets, unpaged", out.Node.Assets, 5, 6},
		{"contracts in a fragment, unpaged", out.Node.Contracts, 5, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.c.Edges) != tt.want {
				t.Fatalf("%d edges, want %d", len(tt.c.Edges), tt.want)
			}
			if tt.min > 0 && (tt.c.TotalCount < tt.min || !tt.c.PageInfo.HasNextPage) {
				t.Fatalf("totalCount %d, hasNextPage %v: the demo must hold more than a page here", tt.c.TotalCount, tt.c.PageInfo.HasNextPage)
			}
		})
	}
}

// TestNullPagesAreRefused: first and last both null (literally, or through
// variables left unset) cannot get around the default page.
func TestNullPagesAreRefused(t *testing.T) {
	s := demoServer(t, demotest.DSN(t, dbtest.SQLite))
	for _, tt := range []struct {
		name, query string
	}{
		{"literal null", `{ vouchers(first: null) { edges { node { id } } } }`},
		{"unset variable", `query($n: Int) { vouchers(first: $n) { edges { node { id } } } }`},
		{"nested, null variables", `query($n: Int, $m: Int) { communities(first: 1) { edges { node { assets(first: $n, last: $m) { totalCount } } } } }`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do(tt.query, nil)
			if r.code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "both null") || string(r.Data) != "null" && len(r.Data) > 0 {
				t.Fatalf("got %s %+v", r.Data, r.Errors)
			}
		})
	}
}
