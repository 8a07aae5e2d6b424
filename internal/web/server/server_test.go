package server_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

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
