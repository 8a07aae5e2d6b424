package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"sunlight/internal/demo/demotest"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/web/server"
)

// TestGeneratedTypeScriptClient does what a dashboard developer does with
// GraphQL Code Generator: introspect the live server (graphql-js), generate
// TypeScript for the dashboard's queries (testdata/codegen/src), type-check
// the client with tsc under "strict" (connections read with no optional
// chaining, every scalar a string, none `unknown`), then run it with
// graphql-request against the demo and check what it read. It needs Node
// and the packages of testdata/codegen/package-lock.json, like
// TestGraphQLOverHTTPAudit.
func TestGeneratedTypeScriptClient(t *testing.T) {
	const project = "testdata/codegen"
	node := requireNode(t, project, "@graphql-codegen/cli")
	s := server.New(server.Config{Log: quiet(), RateLimit: -1}, server.Deps{DB: demotest.Open(t, dbtest.SQLite)})
	srv := httptest.NewServer(s)
	defer srv.Close()
	url := srv.URL + "/graphql"

	// The generated files go to a copy of the project, never into the tree.
	dir := t.TempDir()
	for _, name := range []string{"package.json", "codegen.ts", "introspect.mjs", "tsconfig.json", "src/dashboard.ts"} {
		b, err := os.ReadFile(filepath.Join(project, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	modules, err := filepath.Abs(filepath.Join(project, "node_modules"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) []byte {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), node, args...)
		cmd.Dir = dir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("node %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.Bytes())
		}
		return out
	}
	run("introspect.mjs", url)
	run("node_modules/.bin/graphql-codegen", "--config", "codegen.ts", "--silent")
	generated, err := os.ReadFile(filepath.Join(dir, "src", "gql", "graphql.ts"))
	if err != nil {
		t.Fatal(err)
	}
	// The operations' types: no scalar typed unknown, no list optional or
	// of optional elements (edges were "Array<{ ... } | null> | null");
	// tsc below refuses src/dashboard.ts if an edge's node is optional.
	for _, line := range strings.Split(string(generated), "\n") {
		if !strings.HasPrefix(line, "export type Dashboard") {
			continue
		}
		if strings.Contains(line, "unknown") || strings.Contains(line, "any") {
			t.Errorf("a generated type holds unknown or any: %s", line)
		}
		if strings.Contains(line, "| null>") || strings.Contains(line, "> | null") {
			t.Errorf("a generated list is optional or holds optional elements: %s", line)
		}
	}
	run("node_modules/.bin/tsc", "-p", ".")
	out := run("dist/dashboard.js", url)

	got := map[string]map[string]any{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("client line %q: %v", sc.Text(), err)
		}
		got[line["query"].(string)] = line
	}
	want := map[string]map[string]any{
		"communities": {"name": "阁子市社区", "district": "南湖新区", "hasCursor": true, "established": "2017-04-01"},
		// The Money strings add up in fen to the total: no float on the way.
		"month":    {"period": "2026-10", "from": "2026-10-01", "to": "2026-10-31", "expense": "64388.00", "categoriesFen": "6438800", "office": []any{"26868.00", "贰万陆仟捌佰陆拾捌元整"}},
		"district": {"communities": 4.0, "months": 12.0, "first": "2025-11", "last": "2026-10"},
		"vouchers": {"count": 2.0, "postedAtIsTime": true},
	}
	for query, fields := range want {
		line, ok := got[query]
		if !ok {
			t.Errorf("the client printed nothing for %s:\n%s", query, out)
			continue
		}
		for k, v := range fields {
			if a, b := jsonOf(line[k]), jsonOf(v); a != b {
				t.Errorf("%s.%s = %s, want %s", query, k, a, b)
			}
		}
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
