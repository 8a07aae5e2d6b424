package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"sunlight/dbtest"
	"sunlight/demo"
	"sunlight/graph"
)

// BenchmarkNestedQuery is the shape of the benchmark's q1 on the demo:
// communities, each with assets and their valuations, through the whole
// HTTP handler (parse, validate, execute, encode). Run with -benchmem: the
// allocations per query are the figure to watch.
func BenchmarkNestedQuery(b *testing.B) {
	d := dbtest.Open(b, dbtest.SQLiteDSN(b))
	if err := demo.Load(context.Background(), d.Client); err != nil {
		b.Fatal(err)
	}
	h := graph.NewMux(d.Client, graph.Config{Limits: graph.Limits{RateLimit: -1}})
	body, _ := json.Marshal(map[string]any{"query": `{ communities(first: 50) { totalCount edges { node { name
		assets(first: 10) { totalCount edges { node { name category acquiredOn originalValue
			valuations(first: 10) { edges { node { asOf value } } } } } } } } } }`})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
}
