package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"syscall"
	"testing"

	"sunlight/ent/community"
	"sunlight/graph"
	"sunlight/internal/demo"
	"sunlight/internal/demo/demotest"
	"sunlight/internal/storage/db"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/web/server"
)

// BenchmarkNestedQuery is the shape of the benchmark's q1 on the demo:
// communities, each with assets and their valuations, through the whole
// HTTP handler (parse, validate, execute, encode). Run with -benchmem: the
// allocations per query are the figure to watch.
func BenchmarkNestedQuery(b *testing.B) {
	d := demotest.Open(b, dbtest.SQLite)
	h := graph.NewMux(d.Client, graph.Config{})
	body, _ := json.Marshal(map[string]any{"query": `{ communities(first: 50) { totalCount edges { node { name
		assets(first: 10) { totalCount edges { node { name category acquiredOn originalValue
			valuations(first: 10) { edges { node { asOf value } } } } } } } } } }`})
	benchPost(b, h, body)
}

// BenchmarkDashboard is the benchmark's q4 (bench/queries/sunlight) on the
// demo, through the whole handler: two ledger aggregates of one community
// (read as one batch) and two nested connections with their counts.
func BenchmarkDashboard(b *testing.B) {
	d := demotest.Open(b, dbtest.SQLite)
	benchPost(b, graph.NewMux(d.Client, graph.Config{}), dashboardBody(b, d))
}

// dashboardBody is the request of the benchmark's q4 for the demo's
// community.
func dashboardBody(b *testing.B, d *db.DB) []byte {
	query, err := os.ReadFile("../bench/queries/sunlight/q4_dashboard.graphql")
	if err != nil {
		b.Fatal(err)
	}
	c := d.Client.Community.Query().Where(community.Code(demo.Code)).OnlyIDX(context.Background())
	body, _ := json.Marshal(map[string]any{"query": string(query), "variables": map[string]any{"c": strconv.Itoa(c)}})
	return body
}

// benchPost posts body to h's /graphql b.N times, failing on any error.
func benchPost(b *testing.B, h http.Handler, body []byte) {
	b.ReportAllocs()
	defer reportCPU(b)()
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

// BenchmarkDashboardEdge is BenchmarkDashboard through the whole server
// as serve builds it (token middleware, limits, metrics), with the response
// cache and without: "cached" is the cost of a repeated question, one read
// of the data version and the bytes kept from the first answer.
func BenchmarkDashboardEdge(b *testing.B) {
	d := demotest.Open(b, dbtest.SQLite)
	body := dashboardBody(b, d)
	for _, bc := range []struct {
		name  string
		cache int64
	}{{"cached", 0}, {"uncached", -1}} {
		b.Run(bc.name, func(b *testing.B) {
			benchPost(b, newEdge(b, d, server.Config{ResponseCache: bc.cache}), body)
		})
	}
}

// reportCPU reports the process's CPU time per op (user and system, all
// threads: GC included), the figure a shared machine disturbs least; call
// as defer reportCPU(b)() just before the loop.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e6, "cpu-ms/op")
		}
	}
}

func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
