package graph_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"sunlight/internal/demo/demotest"
)

// TestBenchmarkQuestionsStatements runs the questions of the
// PostGraphile comparison (bench/queries/sunlight, issue 8) on the demo and
// counts their SQL statements: the figures in bench/README.md rest on these
// counts, which do not depend on how many rows there are, so a change that
// brings back an N+1 or splits an aggregate fails here, not only in a
// benchmark run.
func TestBenchmarkQuestionsStatements(t *testing.T) {
	want := map[string]int64{
		"q1_communities_assets": 3, // communities, their count, assets of all of them
		"q2_ledger_page":        2, // the page, its count
		"q3_month_totals":       1, // one GROUP BY over month sums and open vouchers
		"q4_dashboard":          6, // both aggregates at once; the community; meetings and assets, each with its count
		"q5_district_month":     2, // the district's communities; one GROUP BY over all of them
	}
	files, err := filepath.Glob("../bench/queries/sunlight/*.graphql")
	if err != nil || len(files) != len(want) {
		t.Fatalf("bench questions: %v, %v; want %d files", files, err, len(want))
	}
	demotest.Each(t, func(t *testing.T, dsn string) {
		s := demoServer(t, dsn)
		s.h = s.edge // no token: only the query's statements count
		for _, f := range files {
			name := strings.TrimSuffix(filepath.Base(f), ".graphql")
			t.Run(name, func(t *testing.T) {
				query, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				raw, err := os.ReadFile(strings.TrimSuffix(f, ".graphql") + ".variables.json")
				if err != nil {
					t.Fatal(err)
				}
				// The benchmark names its community @c007 and c007's district
				// (岳阳楼区 in `demo --scale`); here they are the demo's.
				raw = []byte(strings.NewReplacer(`"@c007"`, strconv.Quote(strconv.Itoa(s.gz)),
					`"岳阳楼区"`, `"南湖新区"`).Replace(string(raw)))
				var vars map[string]any
				if err := json.Unmarshal(raw, &vars); err != nil {
					t.Fatal(err)
				}
				before := s.count.Statements()
				r := s.do(string(query), vars)
				n := s.count.Statements() - before
				if len(r.Errors) > 0 {
					t.Fatalf("%s failed: %+v", name, r.Errors)
				}
				if len(r.Data) < 20 {
					t.Fatalf("%s answered %s", name, r.Data)
				}
				if n != want[name] {
					t.Errorf("%s took %d SQL statements, want %d", name, n, want[name])
				}
			})
		}
	})
}
