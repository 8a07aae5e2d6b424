package graphiql_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"sunlight/internal/web/graphiql"
)

func serve(t *testing.T, target string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	mux := http.NewServeMux()
	graphiql.Register(mux, "/api")
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	return rec
}

// TestPageLoadsOnlyEmbeddedFiles: every script and style the page names is
// under the assets path and served from the binary, and the page's policy
// forbids loading anything from elsewhere.
func TestPageLoadsOnlyEmbeddedFiles(t *testing.T) {
	rec := serve(t, "/", nil)
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	page := rec.Body.String()
	if !strings.Contains(page, `data-endpoint="/api"`) {
		t.Errorf("the page does not send its queries to /api: %s", page)
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "connect-src 'self'") {
		t.Errorf("Content-Security-Policy %q lets the page load from elsewhere", csp)
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(refs) != 6 {
		t.Fatalf("the page names %d files, want 6 (icon, css, react, react-dom, graphiql, start.js): %q", len(refs), refs)
	}
	for _, m := range refs {
		ref := m[1]
		if ref == "data:," { // the empty icon: no request for /favicon.ico
			continue
		}
		if !strings.HasPrefix(ref, graphiql.AssetsPath) {
			t.Errorf("the page loads %s, outside %s", ref, graphiql.AssetsPath)
			continue
		}
		rec := serve(t, ref, nil)
		if rec.Code != 200 || rec.Body.Len() < 100 {
			t.Errorf("GET %s: %d, %d bytes", ref, rec.Code, rec.Body.Len())
		}
		if strings.Contains(rec.Body.String(), "sourceMappingURL=") {
			t.Errorf("%s names a source map that is not served", ref)
		}
	}
}

// TestAssetsCompressedAndRevalidated: gzip for clients that take it (the
// same bytes once decompressed), an ETag per encoding answered with 304,
// and 404 for a file that is not there.
func TestAssetsCompressedAndRevalidated(t *testing.T) {
	const js = graphiql.AssetsPath + "graphiql.min.js"
	plain := serve(t, js, nil)
	if plain.Code != 200 || plain.Header().Get("Content-Encoding") != "" || !strings.HasPrefix(plain.Header().Get("Content-Type"), "text/javascript") {
		t.Fatalf("GET %s: %d, %v", js, plain.Code, plain.Header())
	}
	tests := []struct {
		accept string
		gzip   bool
	}{
		{"gzip, deflate, br", true},
		{"br;q=1.0, gzip;q=0.8", true},
		{"gzip;q=0", false},
		{"identity", false},
	}
	for _, tt := range tests {
		t.Run(tt.accept, func(t *testing.T) {
			rec := serve(t, js, map[string]string{"Accept-Encoding": tt.accept})
			if got := rec.Header().Get("Content-Encoding") == "gzip"; got != tt.gzip {
				t.Fatalf("Accept-Encoding %q: Content-Encoding %q", tt.accept, rec.Header().Get("Content-Encoding"))
			}
			body := rec.Body.Bytes()
			if tt.gzip {
				zr, err := gzip.NewReader(rec.Body)
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
				if rec.Body.Len() >= plain.Body.Len() {
					t.Errorf("gzip gives %d bytes of %d", rec.Body.Len(), plain.Body.Len())
				}
			}
			if !bytes.Equal(body, plain.Body.Bytes()) {
				t.Fatal("not the same file")
			}
			etag := rec.Header().Get("ETag")
			if (etag == plain.Header().Get("ETag")) == tt.gzip {
				t.Errorf("ETag %s for gzip %v, plain %s: one ETag per encoding", etag, tt.gzip, plain.Header().Get("ETag"))
			}
			again := serve(t, js, map[string]string{"Accept-Encoding": tt.accept, "If-None-Match": etag})
			if again.Code != http.StatusNotModified || again.Body.Len() != 0 {
				t.Errorf("If-None-Match %s: %d with %d bytes, want 304", etag, again.Code, again.Body.Len())
			}
		})
	}
	if rec := serve(t, graphiql.AssetsPath+"nope.js", nil); rec.Code != 404 {
		t.Errorf("a missing file: %d", rec.Code)
	}
	if rec := serve(t, graphiql.AssetsPath+"LICENSES.txt", nil); rec.Code != 200 || !strings.Contains(rec.Body.String(), "==== graphiql@") {
		t.Errorf("LICENSES.txt: %d", rec.Code)
	}
}

// TestVendorIsWhatUpdateBuilt: the served builds are the bytes npm/update.sh
// copied (vendor/SHA256SUMS), not edited by hand since.
func TestVendorIsWhatUpdateBuilt(t *testing.T) {
	sums, err := os.ReadFile("vendor/SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(sums)), "\n")
	if len(lines) != 4 {
		t.Fatalf("SHA256SUMS has %d lines, want 4", len(lines))
	}
	for _, line := range lines {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("SHA256SUMS line %q", line)
		}
		rec := serve(t, graphiql.AssetsPath+name, nil)
		if got := fmt.Sprintf("%x", sha256.Sum256(rec.Body.Bytes())); rec.Code != 200 || got != sum {
			t.Errorf("%s: HTTP %d, sha256 %s, want %s: rerun npm/update.sh", name, rec.Code, got, sum)
		}
	}
}
