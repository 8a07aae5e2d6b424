package graph_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sunlight/graph"
	"sunlight/internal/access/auth"
	"sunlight/internal/access/token"
	"sunlight/internal/demo/demotest"
	"sunlight/internal/storage/db"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/web/gqlhttp"
	"sunlight/internal/web/server"
)

// demoDB opens the demo database at dsn (package demotest).
func demoDB(t testing.TB, dsn string) *db.DB {
	t.Helper()
	return dbtest.Open(t, dsn)
}

// post sends a raw body to the endpoint and decodes the GraphQL answer.
func post(t *testing.T, h http.Handler, body []byte, header map[string]string) (*httptest.ResponseRecorder, response) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		if k == "RemoteAddr" {
			req.RemoteAddr = v
			continue
		}
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var r response
	if rec.Code >= 500 {
		t.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		t.Fatalf("HTTP %d, not a GraphQL response: %q: %v", rec.Code, rec.Body, err)
	}
	return rec, r
}

func queryBody(query string, vars map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return b
}

// deepQuery nests communities → assets → community → assets … to 4+4k
// levels, the least such depth that is at least levels (12 and 52 for 12
// and 50).
func deepQuery(levels int) string {
	var open, closing strings.Builder
	open.WriteString("{ communities(first: 1) { edges { node { ")
	closing.WriteString("} } } }")
	for depth := 4; depth < levels; depth += 4 {
		open.WriteString("assets(first: 1) { edges { node { community { ")
		closing.WriteString("} } } }")
	}
	return open.String() + "name " + closing.String()
}

func aliasQuery(n int) string {
	var b strings.Builder
	b.WriteString("{ ")
	for i := range n {
		fmt.Fprintf(&b, "a%d: communities(first: 1) { totalCount } ", i)
	}
	b.WriteString("}")
	return b.String()
}

const normalQuery = `{ communities(first: 5) { totalCount edges { node { name assets(first: 20) { totalCount edges { node { name valuations(last: 1) { edges { node { asOf value } } } } } } } } } }`

// TestAbuseIsRefusedQuickly sends hostile requests to a real server while a
// normal dashboard query keeps running: each refusal comes fast with its
// code, and the normal query never fails.
func TestAbuseIsRefusedQuickly(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		d := demoDB(t, dsn)
		srv := httptest.NewServer(newEdge(t, d, server.Config{}))
		defer srv.Close()

		send := func(body []byte) (int, response, time.Duration, error) {
			start := time.Now()
			resp, err := http.Post(srv.URL+"/graphql", "application/json", bytes.NewReader(body))
			if err != nil {
				return 0, response{}, 0, err
			}
			defer resp.Body.Close()
			raw, err := io.ReadAll(resp.Body)
			if err != nil {
				return resp.StatusCode, response{}, 0, err
			}
			var r response
			if err := json.Unmarshal(raw, &r); err != nil {
				return resp.StatusCode, response{}, 0, fmt.Errorf("not a GraphQL response: %.200q: %w", raw, err)
			}
			return resp.StatusCode, r, time.Since(start), nil
		}

		// The normal query, over and over, until the hostile ones are done.
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var served atomic.Int64
		var normalErr atomic.Value
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				status, r, _, err := send(queryBody(normalQuery, nil))
				if err == nil && (status != http.StatusOK || len(r.Errors) > 0) {
					err = fmt.Errorf("HTTP %d: %+v", status, r.Errors)
				}
				if err != nil {
					normalErr.Store(err)
					return
				}
				served.Add(1)
			}
		}()

		tenMB := append([]byte(`{"query": "{ communities { totalCount } }", "variables": {"pad": "`), bytes.Repeat([]byte("x"), 10<<20)...)
		tenMB = append(tenMB, `"}}`...)
		tests := []struct {
			name       string
			body       []byte
			wantStatus int
			wantCode   string
		}{
			{"50 levels deep", queryBody(deepQuery(50), nil), http.StatusOK, string(fail.TooDeep)},
			{"first 1000000 on a nested connection", queryBody(`{ communities(first: 1) { edges { node { assets(first: 1000000) { totalCount } } } } }`, nil), http.StatusOK, "BAD_USER_INPUT"},
			{"last 1000000 nested, in a variable", queryBody(`query($n: Int) { communities(first: 1) { edges { node { assets(first: 1) { edges { node { valuations(last: $n) { totalCount } } } } } } } }`, map[string]any{"n": 1000000}), http.StatusOK, "BAD_USER_INPUT"},
			{"first 1000000 at the top", queryBody(`{ vouchers(first: 1000000) { totalCount } }`, nil), http.StatusOK, "BAD_USER_INPUT"},
			{"negative first in a fragment", queryBody(`{ communities(first: 1) { edges { node { ...A } } } } fragment A on Community { assets(first: -1) { totalCount } }`, nil), http.StatusOK, "BAD_USER_INPUT"},
			{"1000 aliases", queryBody(aliasQuery(1000), nil), http.StatusOK, string(fail.TooManyAliases)},
			{"10 MB body", tenMB, http.StatusRequestEntityTooLarge, string(fail.RequestTooLarge)},
			{"three full pages nested", queryBody(`{ communities(first: 500) { edges { node { assets(first: 500) { edges { node { valuations(first: 500) { edges { node { value } } } } } } } } } }`, nil), http.StatusOK, string(fail.Complexity)},
			{"too many tokens", queryBody("{"+strings.Repeat(" __typename", 30000)+" }", nil), http.StatusOK, string(fail.QueryTooLarge)},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				status, r, took, err := send(tt.body)
				if err != nil {
					t.Fatal(err)
				}
				if status != tt.wantStatus || r.code() != tt.wantCode {
					t.Fatalf("HTTP %d, code %q (%+v); want HTTP %d, code %s", status, r.code(), r.Errors, tt.wantStatus, tt.wantCode)
				}
				if r.Errors[0].Message == "" {
					t.Fatal("refusal without a message")
				}
				t.Logf("refused in %s: %s", took, r.Errors[0].Message)
				if took > 2*time.Second {
					t.Errorf("the refusal took %s", took)
				}
			})
		}
		close(stop)
		wg.Wait()
		if err, _ := normalErr.Load().(error); err != nil {
			t.Fatalf("the normal query failed while the hostile ones were refused: %v", err)
		}
		if served.Load() == 0 {
			t.Fatal("the normal query was never served")
		}
		// And it still is.
		if status, r, _, err := send(queryBody(normalQuery, nil)); err != nil || status != http.StatusOK || len(r.Errors) > 0 {
			t.Fatalf("normal query after the abuse: HTTP %d, %+v, %v", status, r.Errors, err)
		}
	})
}

// TestLimitsLetNormalQueriesThrough: the README's first query and full pages
// stay within the default limits.
func TestLimitsLetNormalQueriesThrough(t *testing.T) {
	s := demoServer(t, demotest.DSN(t, dbtest.SQLite))
	for _, q := range []string{
		`{ communities(where: {code: "gezishi"}) { edges { node { id name subDistrict district assets(first: 20) { totalCount
			edges { node { name category valuations(last: 1) { edges { node { asOf value } } } } } } } } } }`,
		`{ vouchers(first: 500) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id number occurredOn period direction category amount amountInCapitals summary status } } } }`,
		`{ communities(first: 50) { edges { node { assets(first: 50) { edges { node { valuations(first: 50) { edges { node { asOf value } } } } } } } } } }`,
		deepQuery(12),
		aliasQuery(30),
		`{ __schema { types { name fields { name type { name kind ofType { name kind ofType { name kind ofType { name kind ofType { name } } } } } } } } }`,
	} {
		s.ok(q, nil, nil)
	}
}

func TestRateLimit(t *testing.T) {
	d := dbtest.Open(t, dbtest.SQLiteDSN(t))
	h := newEdge(t, d, server.Config{RateLimit: 0.01, RateBurst: 3})
	bearer := func(name string) string {
		tok, _, err := token.Issue(t.Context(), d.Client, token.New{Name: name, Role: auth.Admin, TTL: time.Hour}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return "Bearer " + tok
	}
	one, two := bearer("one"), bearer("two")
	body := queryBody(`{ __typename }`, nil)
	tests := []struct {
		name   string
		header map[string]string
		want   []int // statuses in a row
	}{
		{"an address gets its burst, then 429", map[string]string{"RemoteAddr": "192.0.2.1:1000"}, []int{200, 200, 200, 429, 429}},
		{"another port of the same address shares the bucket", map[string]string{"RemoteAddr": "192.0.2.1:2000"}, []int{429}},
		{"another address has its own", map[string]string{"RemoteAddr": "192.0.2.2:1000"}, []int{200, 200, 200, 429}},
		{"a token from the limited address has its own", map[string]string{"RemoteAddr": "192.0.2.1:1000", "Authorization": one}, []int{200, 200, 200, 429}},
		{"another token has its own", map[string]string{"RemoteAddr": "192.0.2.1:1000", "Authorization": two}, []int{200, 200, 200, 429}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, want := range tt.want {
				rec, r := post(t, h, body, tt.header)
				if rec.Code != want {
					t.Fatalf("request %d: HTTP %d (%+v), want %d", i+1, rec.Code, r.Errors, want)
				}
				if want == http.StatusTooManyRequests {
					if r.code() != string(fail.RateLimited) || rec.Header().Get("Retry-After") == "" {
						t.Fatalf("request %d: code %q, Retry-After %q; want RATE_LIMITED and a Retry-After", i+1, r.code(), rec.Header().Get("Retry-After"))
					}
				}
			}
		})
	}
	t.Run("behind a proxy, by the header", func(t *testing.T) {
		h := newEdge(t, d, server.Config{RateLimit: 0.01, RateBurst: 1, ClientIPHeader: "X-Real-IP"})
		for i, c := range []struct {
			ip   string
			want int
		}{{"198.51.100.1", 200}, {"198.51.100.1", 429}, {"198.51.100.2", 200}} {
			rec, _ := post(t, h, body, map[string]string{"RemoteAddr": "10.0.0.1:1", "X-Real-IP": c.ip})
			if rec.Code != c.want {
				t.Fatalf("request %d from %s: HTTP %d, want %d", i+1, c.ip, rec.Code, c.want)
			}
		}
	})
}

func TestTimeout(t *testing.T) {
	d := demoDB(t, demotest.DSN(t, dbtest.SQLite))
	h := newEdge(t, d, server.Config{Timeout: time.Nanosecond})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(queryBody(normalQuery, nil)))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var r response
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		t.Fatalf("HTTP %d, not a GraphQL response: %q", rec.Code, rec.Body)
	}
	if rec.Code != http.StatusGatewayTimeout || r.code() != string(fail.Timeout) || !strings.Contains(r.Errors[0].Message, "ask for less") {
		t.Fatalf("HTTP %d, code %q (%+v); want 504 and TIMEOUT", rec.Code, r.code(), r.Errors)
	}
	h = newEdge(t, d, server.Config{Timeout: time.Minute})
	if rec, r := post(t, h, queryBody(normalQuery, nil), nil); rec.Code != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("with a minute: HTTP %d, %+v", rec.Code, r.Errors)
	}
}

func sha(doc string) string {
	sum := sha256.Sum256([]byte(doc))
	return hex.EncodeToString(sum[:])
}

func TestPersistedOperations(t *testing.T) {
	d := dbtest.Open(t, dbtest.SQLiteDSN(t))
	const allowed = `query Count { communities { totalCount } }`
	const other = `{ vouchers { totalCount } }`

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "count.graphql"), []byte(allowed+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fromDir, err := gqlhttp.LoadAllowlist(dir)
	if err != nil {
		t.Fatal(err)
	}
	manifests := map[string]string{
		"array.json":  `["` + allowed + `"]`,
		"byid.json":   `{"abc": "` + allowed + `"}`,
		"apollo.json": `{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id": "x", "name": "Count", "type": "query", "body": "` + allowed + `"}]}`,
	}
	lists := map[string]*gqlhttp.Allowlist{"directory": fromDir, "NewAllowlist": gqlhttp.NewAllowlist(allowed)}
	for name, text := range manifests {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		l, err := gqlhttp.LoadAllowlist(p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		lists[name] = l
	}
	if _, err := gqlhttp.LoadAllowlist(filepath.Join(dir, "missing.json")); err == nil {
		t.Fatal("a missing file loaded")
	}

	apq := func(query, hash string) []byte {
		b, _ := json.Marshal(map[string]any{"query": query, "extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}})
		return b
	}
	tests := []struct {
		name     string
		body     []byte
		wantCode string // "" when it must succeed
	}{
		{"the allowed document", queryBody(allowed, nil), ""},
		{"another document", queryBody(other, nil), string(fail.PersistedNotAllowed)},
		{"the allowed document by hash only", apq("", sha(allowed)), ""},
		{"the allowed document with its hash", apq(allowed, sha(allowed)), ""},
		{"an unknown hash", apq("", sha(other)), string(fail.PersistedNotAllowed)},
		{"a hash that is not the document's", apq(other, sha(allowed)), "BAD_USER_INPUT"},
		{"introspection not in the list", queryBody(`{ __schema { queryType { name } } }`, nil), string(fail.PersistedNotAllowed)},
	}
	for name, list := range lists {
		h := newEdge(t, d, server.Config{GraphQL: graph.Config{Limits: graph.Limits{Persisted: list}}})
		for _, tt := range tests {
			t.Run(name+"/"+tt.name, func(t *testing.T) {
				rec, r := post(t, h, tt.body, nil)
				if r.code() != tt.wantCode {
					t.Fatalf("HTTP %d, code %q (%+v), want %q", rec.Code, r.code(), r.Errors, tt.wantCode)
				}
			})
		}
	}
	t.Run("off: any document", func(t *testing.T) {
		h := newEdge(t, d, server.Config{})
		if _, r := post(t, h, queryBody(other, nil), nil); len(r.Errors) > 0 {
			t.Fatalf("%+v", r.Errors)
		}
	})
}

func TestIntrospectionOff(t *testing.T) {
	d := dbtest.Open(t, dbtest.SQLiteDSN(t))
	tests := []struct {
		name     string
		off      bool
		query    string
		wantCode string
	}{
		{"on: __schema", false, `{ __schema { queryType { name } } }`, ""},
		{"off: __schema", true, `{ __schema { queryType { name } } }`, string(fail.IntrospectionDisabled)},
		{"off: __type in a fragment", true, `{ ...F } fragment F on Query { __type(name: "Asset") { name } }`, string(fail.IntrospectionDisabled)},
		{"off: __typename still answers", true, `{ __typename communities { totalCount } }`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newEdge(t, d, server.Config{GraphQL: graph.Config{Limits: graph.Limits{DisableIntrospection: tt.off}}})
			rec, r := post(t, h, queryBody(tt.query, nil), nil)
			if r.code() != tt.wantCode {
				t.Fatalf("HTTP %d, code %q (%+v), want %q", rec.Code, r.code(), r.Errors, tt.wantCode)
			}
		})
	}
}

func TestCORS(t *testing.T) {
	d := dbtest.Open(t, dbtest.SQLiteDSN(t))
	const dash = "https://dash.example.org"
	type want struct {
		status            int
		origin, creds     string
		methodsAdvertised bool
	}
	tests := []struct {
		name    string
		origins []string
		creds   bool
		method  string
		origin  string
		want    want
	}{
		{"preflight from a dashboard", []string{dash}, false, http.MethodOptions, dash, want{http.StatusNoContent, dash, "", true}},
		{"preflight from elsewhere", []string{dash}, false, http.MethodOptions, "https://evil.example", want{http.StatusForbidden, "", "", false}},
		{"request from a dashboard, credentials", []string{dash}, true, http.MethodPost, dash, want{http.StatusOK, dash, "true", false}},
		{"request from elsewhere", []string{dash}, false, http.MethodPost, "https://evil.example", want{http.StatusOK, "", "", false}},
		{"wildcard", []string{"*"}, false, http.MethodPost, "https://any.example", want{http.StatusOK, "*", "", false}},
		{"wildcard is ignored with credentials", []string{"*"}, true, http.MethodOptions, "https://any.example", want{http.StatusForbidden, "", "", false}},
		{"wildcard with credentials still allows the named", []string{"*", dash}, true, http.MethodOptions, dash, want{http.StatusNoContent, dash, "true", true}},
		{"no CORS configured", nil, false, http.MethodPost, dash, want{http.StatusOK, "", "", false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newEdge(t, d, server.Config{CORSOrigins: tt.origins, CORSCredentials: tt.creds})
			req := httptest.NewRequest(tt.method, "/graphql", bytes.NewReader(queryBody(`{ __typename }`, nil)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Origin", tt.origin)
			if tt.method == http.MethodOptions {
				req.Header.Set("Access-Control-Request-Method", "POST")
				req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			got := want{rec.Code, rec.Header().Get("Access-Control-Allow-Origin"), rec.Header().Get("Access-Control-Allow-Credentials"),
				strings.Contains(rec.Header().Get("Access-Control-Allow-Methods"), "POST")}
			if got != tt.want {
				t.Fatalf("got %+v, want %+v (%s)", got, tt.want, rec.Body)
			}
		})
	}
}

// FuzzHandler sends documents and variables through the HTTP handler: no
// panic, no 5xx, always a GraphQL response.
func FuzzHandler(f *testing.F) {
	d := demoDB(f, demotest.DSN(f, dbtest.SQLite))
	h := newEdge(f, d, server.Config{Timeout: 5 * time.Second})
	seeds := []struct{ query, vars string }{
		{`{ communities(first: 2) { edges { node { name } } } }`, `{}`},
		{`query($c: ID!, $p: Period!) { ledgerTotals(communityID: $c, period: $p) { income expense net } }`, `{"c": "1", "p": "2026-10"}`},
		{`query($n: Int) { vouchers(first: $n) { totalCount } }`, `{"n": 1e99}`},
		{`query($w: VoucherWhereInput) { vouchers(first: 1, where: $w) { totalCount } }`, `{"w": {"amountGT": "1.005"}}`},
		{`{ node(id: "99999999999999999999") { id } }`, `null`},
		{`mutation { createVoucher(input: {}) { id } }`, `[]`},
		{`{ a: __typename ...F } fragment F on Query { ...F }`, `{"x": {}}`},
		{`{`, `"`},
	}
	for _, s := range seeds {
		f.Add(s.query, s.vars)
	}
	f.Fuzz(func(t *testing.T, query, vars string) {
		var v any
		_ = json.Unmarshal([]byte(vars), &v)
		for _, body := range [][]byte{
			queryBody(query, map[string]any{"v": v}),
			[]byte(`{"query": ` + jsonString(query) + `, "variables": ` + vars + `}`),
		} {
			req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("HTTP %d for %q with %q: %s", rec.Code, query, vars, rec.Body)
			}
			var r response
			if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
				t.Fatalf("HTTP %d, not a GraphQL response for %q: %.300q", rec.Code, query, rec.Body)
			}
			for _, e := range r.Errors {
				if e.Extensions["code"] == "INTERNAL_SERVER_ERROR" {
					t.Fatalf("internal error for %q with %q: %s", query, vars, e.Message)
				}
			}
		}
	})
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
