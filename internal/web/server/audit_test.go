package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sunlight/internal/storage/dbtest"
	"sunlight/internal/web/server"
)

// TestGraphQLOverHTTPAudit runs the graphql-http audit, the reference suite
// of the GraphQL over HTTP spec, against the whole server as serve builds
// it, and requires every audit to pass: MUSTs and SHOULDs alike (MAYs are
// not counted). It needs Node and the packages of testdata/package-lock.json
// (installed by `npm ci` when missing); without Node it skips, unless
// SUNLIGHT_REQUIRE_NODE=1 (CI), where it fails.
func TestGraphQLOverHTTPAudit(t *testing.T) {
	node := requireNode(t, "testdata", "graphql-http")
	s := server.New(server.Config{Log: quiet(), RateLimit: -1}, server.Deps{DB: dbtest.Open(t, dbtest.SQLiteDSN(t))})
	srv := httptest.NewServer(s)
	defer srv.Close()

	ctx := t.Context()
	cmd := exec.CommandContext(ctx, node, "audit.mjs", srv.URL+"/graphql")
	cmd.Dir = "testdata"
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node audit.mjs: %v\n%s", err, stderr.Bytes())
	}

	passed := map[string]int{}
	total := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct {
			ID, Name, Status, Reason string
			Response                 *struct {
				Status int
				Body   string
			}
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		level, _, _ := strings.Cut(r.Name, " ")
		if level == "MAY" {
			continue
		}
		total[level]++
		if r.Status == "ok" {
			passed[level]++
			continue
		}
		msg := r.Name + " (" + r.ID + "): " + r.Reason
		if r.Response != nil {
			msg += "\n\tanswered HTTP " + itoa(r.Response.Status) + " " + r.Response.Body
		}
		t.Error(msg)
	}
	t.Logf("MUST %d/%d, SHOULD %d/%d", passed["MUST"], total["MUST"], passed["SHOULD"], total["SHOULD"])
	// The counts of graphql-http 1.23 (testdata/package-lock.json): an
	// upgrade that adds audits shows here.
	if total["MUST"] != 13 || total["SHOULD"] != 23 {
		t.Errorf("the audit has %d MUSTs and %d SHOULDs, want 13 and 23", total["MUST"], total["SHOULD"])
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// requireNode finds node and the packages of the package-lock.json in dir,
// installing them with npm ci when probe (one of them) is missing.
func requireNode(t *testing.T, dir, probe string) string {
	t.Helper()
	skip := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("SUNLIGHT_REQUIRE_NODE") == "1" {
			t.Fatalf(format, args...)
		}
		t.Skipf(format+" (SUNLIGHT_REQUIRE_NODE=1 makes this a failure)", args...)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		skip("node is not installed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", probe, "package.json")); err == nil {
		return node
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		skip("the packages of %s are not installed and npm is missing: %v", dir, err)
	}
	start := time.Now()
	cmd := exec.CommandContext(t.Context(), npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		skip("npm ci in %s: %v\n%s", dir, err, out)
	}
	t.Logf("npm ci in %s: %v", dir, time.Since(start).Round(time.Millisecond))
	return node
}

// TestGraphQLOverHTTPAnswers: the answers the audit checks that matter most
// to clients, without Node: request errors 200 with application/json and
// 400 with application/graphql-response+json, neither with a "data" entry;
// a mutation over GET 405 with Allow: POST and a code.
func TestGraphQLOverHTTPAnswers(t *testing.T) {
	s := server.New(server.Config{Log: quiet(), RateLimit: -1}, server.Deps{DB: dbtest.Open(t, dbtest.SQLiteDSN(t))})
	const graphqlResponse = "application/graphql-response+json"
	mutation := url.QueryEscape(`mutation { closeMonth(communityID: "1", month: "2026-01") { __typename } }`)
	tests := []struct {
		name, method, target, body, accept string
		status                             int
		code                               string
	}{
		{"a parse error, JSON", "POST", "/graphql", `{"query":"{"}`, "application/json", 200, "GRAPHQL_PARSE_FAILED"},
		{"a parse error, GraphQL response", "POST", "/graphql", `{"query":"{"}`, graphqlResponse, 400, "GRAPHQL_PARSE_FAILED"},
		{"a validation error, JSON", "POST", "/graphql", `{"query":"{ nope }"}`, "application/json", 200, "GRAPHQL_VALIDATION_FAILED"},
		{"a validation error, GraphQL response", "POST", "/graphql", `{"query":"{ nope }"}`, graphqlResponse, 400, "GRAPHQL_VALIDATION_FAILED"},
		{"a variable that does not coerce, JSON", "POST", "/graphql", `{"query":"query($n: Int) { communities(first: $n) { totalCount } }","variables":{"n":"x"}}`, "application/json", 200, "GRAPHQL_VALIDATION_FAILED"},
		{"a validation error by GET", "GET", "/graphql?query=" + url.QueryEscape("{ nope }"), "", "", 200, "GRAPHQL_VALIDATION_FAILED"},
		{"a validation error by GET, GraphQL response", "GET", "/graphql?query=" + url.QueryEscape("{ nope }"), "", graphqlResponse, 400, "GRAPHQL_VALIDATION_FAILED"},
		{"a mutation by GET", "GET", "/graphql?query=" + mutation, "", "", 405, "METHOD_NOT_ALLOWED"},
		{"variables that are not JSON by GET", "GET", "/graphql?query=" + url.QueryEscape("{ __typename }") + "&variables=%7B", "", "", 400, "BAD_USER_INPUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := map[string]string{}
			if tt.accept != "" {
				header["Accept"] = tt.accept
			}
			rec := do(t, s, tt.method, tt.target, tt.body, header)
			var body map[string]json.RawMessage
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("HTTP %d %q: %v", rec.Code, rec.Body, err)
			}
			if rec.Code != tt.status || !strings.Contains(string(body["errors"]), `"code":"`+tt.code+`"`) {
				t.Fatalf("HTTP %d %s, want %d and %s", rec.Code, rec.Body, tt.status, tt.code)
			}
			if tt.status == 405 {
				if got := rec.Header().Get("Allow"); got != "POST" {
					t.Fatalf("Allow: %q, want POST", got)
				}
				return
			}
			if _, ok := body["data"]; ok {
				t.Fatalf("a request error with a data entry: %s", rec.Body)
			}
		})
	}
}
