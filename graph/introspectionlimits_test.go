package graph_test

import (
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql/introspection"

	"sunlight/graph"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/web/server"
)

// TestLimitsCountIntrospection: an introspection query is held to the depth
// and cost limits like any other (it was counted as one field, so nesting
// fields { type { fields … } } past the depth limit was answered in full),
// while the standard introspection query that GraphiQL and codegen send
// still passes the default limits: ofType chains count no level.
func TestLimitsCountIntrospection(t *testing.T) {
	d := dbtest.Open(t, dbtest.SQLiteDSN(t))
	// 13 levels: __type, then fields { type } six times.
	nested := `{ __type(name: "Community") {` + strings.Repeat(` fields { type {`, 6) + ` name` + strings.Repeat(` } }`, 6) + ` } }`
	ofTypes := `{ __type(name: "Community") { fields { type {` + strings.Repeat(` ofType {`, 20) + ` name` + strings.Repeat(` }`, 20) + ` } } } }`
	tests := []struct {
		name     string
		limits   graph.Limits
		query    string
		wantCode string
	}{
		{"the standard introspection query, default limits", graph.Limits{}, introspection.Query, ""},
		{"introspection 13 levels deep", graph.Limits{}, nested, string(fail.TooDeep)},
		{"introspection 13 levels deep through a fragment", graph.Limits{},
			`{ ...Q } fragment Q on Query { __schema { types {` + strings.Repeat(` fields { type {`, 5) + ` name` + strings.Repeat(` } }`, 5) + ` } } }`, string(fail.TooDeep)},
		{"a depth limit of 3 refuses a 4-level introspection", graph.Limits{MaxDepth: 3}, `{ __schema { types { fields { name } } } }`, string(fail.TooDeep)},
		{"a depth limit of 3 takes a 3-level one", graph.Limits{MaxDepth: 3}, `{ __schema { types { name } } }`, ""},
		{"20 ofType below fields { type } count no level", graph.Limits{}, ofTypes, ""},
		{"the standard introspection query costs what it selects", graph.Limits{MaxComplexity: 50}, introspection.Query, string(fail.Complexity)},
		{"a small introspection within a small cost", graph.Limits{MaxComplexity: 50}, `{ __schema { queryType { name } } }`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newEdge(t, d, server.Config{GraphQL: graph.Config{Limits: tt.limits}})
			rec, r := post(t, h, queryBody(tt.query, nil), nil)
			if r.code() != tt.wantCode {
				t.Fatalf("HTTP %d, code %q (%+v), want %q", rec.Code, r.code(), r.Errors, tt.wantCode)
			}
			if tt.wantCode == "" && len(r.Data) < 20 {
				t.Fatalf("no answer: %s", rec.Body)
			}
		})
	}
}
