// Package graphiql serves GraphiQL, the in-browser GraphQL IDE, from files
// embedded in the binary: the page at / works on a machine with no network,
// as it loads nothing from anywhere but this server.
//
// vendor/ holds the production builds of graphiql, react and react-dom,
// pinned in npm/package-lock.json and copied by npm/update.sh (which also
// writes their licenses to vendor/LICENSES.txt); index.html and start.js
// are Sunlight's own.
package graphiql

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
)

//go:embed index.html start.js vendor/*.js vendor/*.css vendor/LICENSES.txt
var files embed.FS

// AssetsPath is where Register serves the page's scripts and styles.
const AssetsPath = "/graphiql/"

// policy is the page's Content-Security-Policy: scripts, styles and
// requests only to this server (styles inline too: React sets style
// attributes; fonts and icons are data: URLs in GraphiQL's CSS).
const policy = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

var page = template.Must(template.ParseFS(files, "index.html"))

// Register serves the page at / and its assets under AssetsPath; the page
// sends its queries to endpoint (e.g. "/graphql").
func Register(mux *http.ServeMux, endpoint string) {
	mux.Handle("GET /{$}", Page(endpoint))
	mux.Handle("GET "+AssetsPath, http.StripPrefix(AssetsPath, Assets()))
}

// Page is the GraphiQL page for endpoint, loading its assets from AssetsPath.
func Page(endpoint string) http.Handler {
	var buf bytes.Buffer
	if err := page.Execute(&buf, struct{ Base, Endpoint string }{AssetsPath, endpoint}); err != nil {
		panic(fmt.Sprintf("graphiql: index.html: %v", err))
	}
	return newAsset("index.html", buf.Bytes(), map[string]string{
		"Content-Security-Policy": policy,
		"X-Content-Type-Options":  "nosniff",
	})
}

// Assets serves the embedded scripts, styles and licenses by their base
// name (start.js, graphiql.min.js, LICENSES.txt...).
func Assets() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := embedded()[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		a.ServeHTTP(w, r)
	})
}

// embedded are the files of Assets, read once per process.
var embedded = sync.OnceValue(func() map[string]*asset {
	byName := map[string]*asset{}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == "index.html" {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		byName[path.Base(p)] = newAsset(p, b, map[string]string{"X-Content-Type-Options": "nosniff"})
		return nil
	})
	if err != nil {
		panic(fmt.Sprintf("graphiql: embedded files: %v", err))
	}
	return byName
})

// asset is one file with an ETag from its content, and its gzip form made
// at the first request that accepts it (GraphiQL's 1.6 MB of script and
// style are 0.6 MB compressed), once per process.
type asset struct {
	body   []byte
	etag   string
	header map[string]string
	gzip   func() []byte // nil when compression does not pay
}

func newAsset(name string, body []byte, header map[string]string) *asset {
	sum := sha256.Sum256(body)
	h := map[string]string{
		"Content-Type": mime.TypeByExtension(path.Ext(name)),
		// Revalidated every time: an ETag check costs a round trip, and a
		// new build never serves old files.
		"Cache-Control": "no-cache",
	}
	if path.Ext(name) == ".txt" {
		h["Content-Type"] = "text/plain; charset=utf-8"
	}
	for k, v := range header {
		h[k] = v
	}
	a := &asset{body: body, etag: hex.EncodeToString(sum[:16]), header: h}
	if len(body) > 1024 {
		a.gzip = sync.OnceValue(func() []byte {
			var gz bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
			zw.Write(body)
			zw.Close()
			return gz.Bytes()
		})
	}
	return a
}

func (a *asset) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	for k, v := range a.header {
		h.Set(k, v)
	}
	body, etag := a.body, `"`+a.etag+`"`
	if a.gzip != nil && acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body, etag = a.gzip(), `"`+a.etag+`-gzip"`
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", etag)
	h.Add("Vary", "Accept-Encoding")
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
		h.Del("Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body)
}

// acceptsGzip: the client named gzip and did not refuse it with q=0.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
		if !ok {
			return true
		}
		f, err := strconv.ParseFloat(q, 64)
		return err == nil && f > 0
	}
	return false
}
