package graph_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"sunlight/internal/demo/demotest"
	"sunlight/internal/storage/dbtest"
)

// TestDeferOverSSE keeps @defer working: the generated executor only builds
// the per-object @defer bookkeeping when a field of the object is deferred
// (graph/internal/hotpath), so a deferred edge must still arrive as its own
// incremental payload with its label and path.
func TestDeferOverSSE(t *testing.T) {
	s := demoServer(t, demotest.DSN(t, dbtest.SQLite))
	body, _ := json.Marshal(map[string]any{
		"query": `query($c: ID!) { node(id: $c) { id ... on Community {
			name
			... @defer(label: "assets") { assets(first: 1) { totalCount } } } } }`,
		"variables": map[string]any{"c": s.gz},
	})
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)

	type payload struct {
		Data    map[string]any `json:"data"`
		Label   string         `json:"label"`
		Path    []any          `json:"path"`
		HasNext bool           `json:"hasNext"`
		Errors  []any          `json:"errors"`
	}
	var got []payload
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		if rest, ok := strings.CutPrefix(line, "data: "); ok {
			var p payload
			if err := json.Unmarshal([]byte(rest), &p); err != nil {
				t.Fatalf("event %q: %v", rest, err)
			}
			got = append(got, p)
		}
	}
	if len(got) != 2 {
		t.Fatalf("want the initial payload and one deferred payload, got %d:\n%s", len(got), rec.Body)
	}
	first, later := got[0], got[1]
	if !first.HasNext || len(first.Errors) > 0 {
		t.Fatalf("initial payload: %+v", first)
	}
	node, _ := first.Data["node"].(map[string]any)
	if node["name"] != "阁子市社区" || node["assets"] != nil {
		t.Fatalf("initial payload must carry the name and not yet the assets: %v", first.Data)
	}
	if later.HasNext || later.Label != "assets" || len(later.Path) != 1 || later.Path[0] != "node" {
		t.Fatalf("deferred payload: %+v", later)
	}
	assets, _ := later.Data["assets"].(map[string]any)
	if assets["totalCount"] != float64(9) {
		t.Fatalf("deferred assets: %v, want totalCount 9", later.Data)
	}
}
