package server_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/jackc/pgx/v5/stdlib"

	"sunlight/ent"
	"sunlight/internal/access/auth"
	"sunlight/internal/access/token"
	"sunlight/internal/storage/db"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/web/ops"
	"sunlight/internal/web/server"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func do(t *testing.T, h http.Handler, method, target, body string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestMetricsNameTheRoute: through the whole server, as serve builds it,
// every request is counted under the route the mux chose, with or without
// a token (the token's middleware hands the mux a copy of the request).
func TestMetricsNameTheRoute(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		d := dbtest.Open(t, dsn)
		d.Client.Community.Create().SetName("测试社区").SetCode("test").SaveX(context.Background())
		tok, _, err := token.Issue(t.Context(), d.Client, token.New{Name: "admin", Role: auth.Admin, TTL: time.Hour}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		s := server.New(server.Config{Log: quiet()}, server.Deps{DB: d})
		const query = `{"query":"{ communities { totalCount } }"}`
		tests := []struct {
			name, method, target, body string
			header                     map[string]string
			status                     int
			series                     string
		}{
			{"a query", http.MethodPost, "/graphql", query, nil, 200, `handler="POST /graphql",method="POST"`},
			{"a query with a token", http.MethodPost, "/graphql", query, map[string]string{"Authorization": "Bearer " + tok}, 200, `handler="POST /graphql",method="POST"`},
			{"a query by GET", http.MethodGet, "/graphql?query=" + url.QueryEscape("{ __typename }"), "", nil, 200, `handler="GET /graphql",method="GET"`},
			{"the open data", http.MethodGet, "/open-data/test/2026/datapackage.json", "", nil, 200, `handler="GET /open-data/{code}/{year}/{file}",method="GET"`},
			{"a probe", http.MethodGet, "/healthz", "", nil, 200, `handler="GET /healthz",method="GET"`},
			{"no such route", http.MethodGet, "/nope", "", nil, 404, `handler="unmatched",method="GET"`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if rec := do(t, s, tt.method, tt.target, tt.body, tt.header); rec.Code != tt.status {
					t.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
				}
				text := do(t, s, http.MethodGet, "/metrics", "", nil).Body.String()
				want := `sunlight_http_requests_total{code="` + strconv.Itoa(tt.status) + `",` + tt.series + `}`
				if !strings.Contains(text, want) {
					t.Fatalf("no series %s in /metrics:\n%s", want, grep(text, "sunlight_http_requests_total"))
				}
			})
		}
		if text := do(t, s, http.MethodGet, "/metrics", "", nil).Body.String(); !strings.Contains(text, `sunlight_http_requests_total{code="200",handler="POST /graphql",method="POST"} 2`) {
			t.Fatalf("the two queries are not counted under POST /graphql:\n%s", grep(text, "sunlight_http_requests_total"))
		}
	})
}

// TestReadyzKeepsTheDSNToItself: a database that does not answer makes
// /readyz 503, and the body names no user, database, host or port.
func TestReadyzKeepsTheDSNToItself(t *testing.T) {
	d := dbtest.Open(t, dbtest.SQLiteDSN(t))
	// Nothing listens on port 1; pgx's error names all of these.
	down, err := sql.Open("pgx", "postgres://sunlight_secret_user:pw@127.0.0.1:1/sunlight_secret_db?connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	defer down.Close()
	health := &ops.Health{DB: &db.DB{SQL: down}}
	s := server.New(server.Config{Log: quiet()}, server.Deps{DB: d, Health: health})
	rec := do(t, s, http.MethodGet, "/readyz", "", nil)
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(string(body), `"database":"unreachable"`) {
		t.Fatalf("readyz = %d %s; want 503 and the database unreachable", rec.Code, body)
	}
	for _, secret := range []string{"sunlight_secret_user", "sunlight_secret_db", "127.0.0.1", ":1", "pw", "dial"} {
		if strings.Contains(string(body), secret) {
			t.Errorf("the body shows %q: %s", secret, body)
		}
	}
}

func grep(text, prefix string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestStalledDatabaseIsUnavailable: a database that accepts connections and
// never answers stops a request at its deadline as UNAVAILABLE (503,
// Retry-After), not as a TIMEOUT telling the caller to ask for less.
func TestStalledDatabaseIsUnavailable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // held open, never answered
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}()
	stalled, err := sql.Open("pgx", "postgres://u@"+ln.Addr().String()+"/x")
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	d := &db.DB{SQL: stalled, Dialect: dialect.Postgres, Client: ent.NewClient(ent.Driver(entsql.OpenDB(dialect.Postgres, stalled)))}
	s := server.New(server.Config{Timeout: 200 * time.Millisecond, Log: quiet()}, server.Deps{DB: d, Health: &ops.Health{DB: d}})
	rec := do(t, s, http.MethodPost, "/graphql", `{"query":"{ communities { totalCount } }"}`, nil)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" ||
		!strings.Contains(rec.Body.String(), `"UNAVAILABLE"`) || strings.Contains(rec.Body.String(), "ask for less") {
		t.Fatalf("HTTP %d, Retry-After %q: %s; want 503 UNAVAILABLE with a Retry-After", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
}

// TestBodyIsReadOnce: a large request body is held in memory once, by the
// transport's decoder, not copied whole by the edge first.
func TestBodyIsReadOnce(t *testing.T) {
	d := dbtest.Open(t, dbtest.SQLiteDSN(t))
	s := server.New(server.Config{RateLimit: -1, Log: quiet()}, server.Deps{DB: d})
	const size = 900 << 10
	body := `{"query":"{ __typename }","variables":{"pad":"` + strings.Repeat("x", size) + `"}}`
	send := func() {
		if rec := do(t, s, http.MethodPost, "/graphql", body, nil); rec.Code != http.StatusOK {
			t.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
		}
	}
	send() // warm the caches
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	send()
	runtime.ReadMemStats(&after)
	// The decoder's buffer (grown by doubling) and the decoded string:
	// about three bodies' worth. Each whole copy before it adds two more.
	got := after.TotalAlloc - before.TotalAlloc
	t.Logf("one request of %d KiB allocated %d KiB", size>>10, got>>10)
	if got > 4*size {
		t.Fatalf("one request of %d KiB allocated %d KiB", size>>10, got>>10)
	}
}
