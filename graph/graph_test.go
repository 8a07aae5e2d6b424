package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"sunlight/graph"
	"sunlight/internal/demo"
	"sunlight/internal/demo/demotest"
	"sunlight/internal/storage/db"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/web/server"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// response is a GraphQL response as a client sees it.
type response struct {
	Data   json.RawMessage `json:"data"`
	Errors []responseError `json:"errors"`
}

type responseError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
	Path       []any          `json:"path"`
	Locations  []struct{ Line, Column int }
}

// path is the error's path as a dotted string.
func (e responseError) path() string {
	parts := make([]string, len(e.Path))
	for i, p := range e.Path {
		parts[i] = fmt.Sprint(p)
	}
	return strings.Join(parts, ".")
}

func (r response) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

type gqlServer struct {
	t     *testing.T
	d     *db.DB
	count *dbtest.Counter // statements sent by d
	h     http.Handler
	// edge is the server without the platform's token: a PUBLIC caller,
	// whose requests cost no statement for a token.
	edge http.Handler
	gz   int // global ID of 阁子市社区
}

// demoServer serves the demo database at dsn (package demotest) through
// the one HTTP edge.
func demoServer(t *testing.T, dsn string) *gqlServer {
	t.Helper()
	d, count := dbtest.OpenCounting(t, dsn)
	now := func() time.Time { return calendar.StartOf(demo.Today).Add(10 * time.Hour) }
	edge := newEdge(t, d, server.Config{GraphQL: graph.Config{Now: now}})
	s := &gqlServer{t: t, d: d, count: count, h: asPlatform(t, d, edge), edge: edge}
	var out struct {
		Community struct{ ID string } `json:"community"`
	}
	s.ok(`{ community(code: "gezishi") { id } }`, nil, &out)
	if err := json.Unmarshal([]byte(out.Community.ID), &s.gz); err != nil {
		t.Fatalf("community id %q: %v", out.Community.ID, err)
	}
	// The first field naming a community by ID reads the IDs of all
	// (graph/scope.go), once a process: done here, so that the tests that
	// count statements count those of a running server.
	s.ok(`query($c: ID!) { ledgerTotals(communityID: $c, period: "2026-10") { income } }`, map[string]any{"c": s.gz}, nil)
	return s
}

func (s *gqlServer) do(query string, vars map[string]any) response {
	s.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	if rec.Code >= 500 {
		s.t.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
	}
	var r response
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		s.t.Fatalf("decode response %q: %v", rec.Body, err)
	}
	return r
}

// ok runs a query that must succeed and decodes its data into out.
func (s *gqlServer) ok(query string, vars map[string]any, out any) {
	s.t.Helper()
	r := s.do(query, vars)
	if len(r.Errors) > 0 {
		s.t.Fatalf("query failed: %+v\n%s", r.Errors, query)
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			s.t.Fatalf("decode data: %v", err)
		}
	}
}

func TestDemoOverGraphQL(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		s := demoServer(t, dsn)
		var out struct {
			Communities struct {
				Edges []struct {
					Node struct {
						Name   string
						Assets struct{ TotalCount int }
					}
				}
			}
		}
		s.ok(`{ communities(where: {code: "gezishi"}) { edges { node { name assets(first: 20) { totalCount } } } } }`, nil, &out)
		if len(out.Communities.Edges) != 1 {
			t.Fatalf("got %d communities with code gezishi", len(out.Communities.Edges))
		}
		n := out.Communities.Edges[0].Node
		if n.Name != "阁子市社区" || n.Assets.TotalCount != 9 {
			t.Fatalf("got %s with %d assets, want 阁子市社区 with 9", n.Name, n.Assets.TotalCount)
		}

		var tot struct {
			LedgerTotals struct {
				Expense    string
				Categories []struct {
					Direction, Category, Amount, AmountInCapitals string
				}
			}
		}
		s.ok(`query($c: ID!) { ledgerTotals(communityID: $c, period: "2026-10") { expense categories { direction category amount amountInCapitals } } }`, map[string]any{"c": s.gz}, &tot)
		want := map[string]string{"办公经费": "26868.00", "集体公益福利支出": "36360.00", "办公用品": "1160.00"}
		got := map[string]string{}
		for _, c := range tot.LedgerTotals.Categories {
			if c.Direction == "EXPENSE" {
				got[c.Category] = c.Amount
			}
			if c.Category == "办公经费" && c.AmountInCapitals != "贰万陆仟捌佰陆拾捌元整" {
				t.Errorf("办公经费 in capitals = %s", c.AmountInCapitals)
			}
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("October 2026 %s = %q, want %s (the article's board)", k, got[k], v)
			}
		}
		if len(got) != 3 || tot.LedgerTotals.Expense != "64388.00" {
			t.Errorf("October 2026 expense categories %v, total %s; want exactly the three of the board, 64388.00", got, tot.LedgerTotals.Expense)
		}

		var gov struct {
			GovernanceCounts struct{ DeliberationMeetings, ProjectsDecided, NeedsResolved int }
		}
		s.ok(`query($c: ID!) { governanceCounts(communityID: $c, period: "2026") { deliberationMeetings projectsDecided needsResolved } }`, map[string]any{"c": s.gz}, &gov)
		if g := gov.GovernanceCounts; g.DeliberationMeetings != 9 || g.ProjectsDecided != 5 || g.NeedsResolved != 4 {
			t.Errorf("2026 governance counts = %+v, want 9 / 5 / 4", g)
		}

		var assets struct {
			AssetGrowth []struct {
				Year  int
				Total string
			}
		}
		s.ok(`query($c: ID!) { assetGrowth(communityID: $c, fromYear: 2017, toYear: 2025) { year total } }`, map[string]any{"c": s.gz}, &assets)
		last := assets.AssetGrowth[len(assets.AssetGrowth)-1]
		if !(len(last.Total) >= len("100000000.00") && last.Total > "100000000.00") {
			t.Errorf("2025 year-end assets = %s, want past 100,000,000.00", last.Total)
		}
	})
}

// TestNestedQueryIsNotNPlusOne counts the SQL statements of communities →
// assets → valuations with totalCounts: one per level, whatever first is.
func TestNestedQueryIsNotNPlusOne(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		s := demoServer(t, dsn)
		s.h = s.edge // no token: only the query's statements count
		const q = `query($n: Int!) { communities(first: $n) { totalCount edges { node { name
			assets(first: $n) { totalCount edges { node { name valuations(first: $n) { totalCount edges { node { asOf value } } } } } } } } } }`
		counts := map[int]int64{}
		for _, n := range []int{1, 5, 50} {
			before := s.count.Statements()
			s.ok(q, map[string]any{"n": n}, nil)
			counts[n] = s.count.Statements() - before
		}
		if counts[1] != counts[5] || counts[5] != counts[50] {
			t.Fatalf("statements grow with first: %v (N+1)", counts)
		}
		// communities + count, assets + count, valuations + count.
		if counts[50] > 6 {
			t.Fatalf("nested query took %d statements, want at most 6 (two per level)", counts[50])
		}
	})
}

// tenth is a variable so that tenth+0.2 is float arithmetic (0.30000000000000004), not an exact constant.
var tenth = 0.1

func TestBadInputChangesNothing(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		s := demoServer(t, dsn)
		count := func() string {
			var out struct {
				Communities, Vouchers, AuditEvents struct{ TotalCount int }
			}
			s.ok(`{ communities { totalCount } vouchers { totalCount } auditEvents { totalCount } }`, nil, &out)
			b, _ := json.Marshal(out)
			return string(b)
		}
		before := count()
		tests := []struct {
			name, query string
			vars        map[string]any
			code, says  string
		}{
			{"unknown field", `{ communities { edges { node { nickname } } } }`, nil, "GRAPHQL_VALIDATION_FAILED", "nickname"},
			{"money with three decimals", `mutation($c: ID!) { createVoucher(input: {communityID: $c, number: "T-1", occurredOn: "2026-11-20", direction: EXPENSE, category: "办公用品", amount: "10.005", summary: "x"}) { id } }`,
				map[string]any{"c": s.gz}, "BAD_USER_INPUT", "more than two decimals"},
			{"money as a float that lost its cents", `mutation($c: ID!, $a: Money!) { createVoucher(input: {communityID: $c, number: "T-1", occurredOn: "2026-11-20", direction: EXPENSE, category: "办公用品", amount: $a, summary: "x"}) { id } }`,
				map[string]any{"c": s.gz, "a": tenth + 0.2}, "BAD_USER_INPUT", "Money must be a string"},
			{"foreign key to nothing", `mutation { createAsset(input: {communityID: 999999, name: "x", category: OTHER, acquiredOn: "2020-01-01", originalValue: "1.00"}) { id } }`,
				nil, "BAD_USER_INPUT", "does not exist"},
			{"empty required name", `mutation { createCommunity(input: {name: "", code: "empty"}) { id } }`, nil, "BAD_USER_INPUT", "name"},
			{"bad date", `mutation($c: ID!) { createVoucher(input: {communityID: $c, number: "T-1", occurredOn: "2026-13-01", direction: EXPENSE, category: "办公用品", amount: "1.00", summary: "x"}) { id } }`,
				map[string]any{"c": s.gz}, "BAD_USER_INPUT", "YYYY-MM-DD"},
			{"category of the other direction", `mutation($c: ID!) { createVoucher(input: {communityID: $c, number: "T-1", occurredOn: "2026-11-20", direction: EXPENSE, category: "租金收入", amount: "1.00", summary: "x"}) { id } }`,
				map[string]any{"c": s.gz}, "BAD_USER_INPUT", "not a expense"},
			{"duplicate community code", `mutation { createCommunity(input: {name: "重复", code: "gezishi"}) { id } }`, nil, "CONFLICT", "already exists"},
			{"page too large", `{ vouchers(first: 1000000) { totalCount } }`, nil, "BAD_USER_INPUT", "at most"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := s.do(tt.query, tt.vars)
				if r.code() != tt.code {
					t.Fatalf("code = %q, want %q (errors %+v)", r.code(), tt.code, r.Errors)
				}
				if !strings.Contains(r.Errors[0].Message, tt.says) {
					t.Fatalf("message %q does not say %q", r.Errors[0].Message, tt.says)
				}
				for _, e := range r.Errors {
					if strings.Contains(strings.ToLower(e.Message), "sql") || strings.Contains(e.Message, "goroutine") {
						t.Fatalf("message leaks internals: %q", e.Message)
					}
				}
			})
		}
		if after := count(); after != before {
			t.Fatalf("bad input changed the data: %s → %s", before, after)
		}
	})
}
