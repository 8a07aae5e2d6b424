package ops_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"sunlight/internal/reports/archive"
	"sunlight/internal/reports/pdf"
	"sunlight/internal/storage/db"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/web/ops"
	"sunlight/internal/web/server"
	"sunlight/jobs"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func post(t *testing.T, url, body string) map[string]any {
	t.Helper()
	resp, err := http.Post(url+"/graphql", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// metric finds the value of one sample line of the exposition.
func metric(text, prefix string) string {
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, prefix+" ") {
			return strings.TrimSpace(strings.TrimPrefix(line, prefix))
		}
	}
	return ""
}

func TestMetricsHealthAndLogs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		// Opened as production does: versioned migrations on PostgreSQL.
		d, err := db.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if _, err := d.MigrateProduction(ctx, db.VersionedOptions{}); err != nil {
			t.Fatal(err)
		}
		d.Client.Community.Create().SetName("测试社区").SetCode("test").SaveX(ctx)
		arch, err := archive.Open(ctx, "file://"+t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		r, err := pdf.NewRenderer()
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 11, 1, 2, 0, 0, 0, calendar.Shanghai)
		sched := jobs.New(d.Client, arch, r, jobs.Config{Now: func() time.Time { return now }, LookbackMonths: 1})
		m := ops.NewMetrics(d)
		sched.SetObserver(m)
		health := &ops.Health{DB: d, Scheduler: sched}
		if err := health.CheckSchema(ctx); err != nil {
			t.Fatal(err)
		}
		var logs bytes.Buffer
		edge := server.New(server.Config{Log: slog.New(slog.NewJSONHandler(&logs, nil))},
			server.Deps{DB: d, Metrics: m, Health: health})
		srv := httptest.NewServer(edge)
		defer srv.Close()

		// Not ready until the scheduler runs.
		if code, body := get(t, srv.URL+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, `"scheduler":"not running"`) {
			t.Fatalf("readyz before the scheduler = %d %s", code, body)
		}
		if err := sched.Start(ctx); err != nil { // its catch-up publishes October
			t.Fatal(err)
		}
		defer sched.Shutdown(context.Background())
		if code, body := get(t, srv.URL+"/healthz"); code != 200 || strings.TrimSpace(body) != "ok" {
			t.Fatalf("healthz = %d %q", code, body)
		}
		code, body := get(t, srv.URL+"/readyz")
		if code != 200 || !strings.Contains(body, `"database":"ok"`) || !strings.Contains(body, `"migrations":"ok"`) {
			t.Fatalf("readyz = %d %s", code, body)
		}

		// A few queries: named, anonymous, and one with a validation error.
		for i := 0; i < 3; i++ {
			post(t, srv.URL, `{"operationName":"Communities","query":"query Communities { communities { totalCount } }"}`)
		}
		post(t, srv.URL, `{"query":"{ communities { totalCount } }"}`)
		if out := post(t, srv.URL, `{"query":"query Broken { nope }","variables":{"secret":"13812345678"}}`); out["errors"] == nil {
			t.Fatal("a query of an unknown field did not fail")
		}
		// The job run of the catch-up on start finishes.
		sctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if err := sched.Shutdown(sctx); err != nil {
			t.Fatal(err)
		}

		_, text := get(t, srv.URL+"/metrics")
		for prefix, want := range map[string]string{
			`sunlight_graphql_requests_total{operation="Communities"}`:                       "3",
			`sunlight_graphql_requests_total{operation="anonymous"}`:                         "2",
			`sunlight_graphql_errors_total{code="GRAPHQL_VALIDATION_FAILED"}`:                "1",
			`sunlight_graphql_request_duration_seconds_count{operation="Communities"}`:       "3",
			`sunlight_job_runs_total{job="monthly-disclosure",status="SUCCEEDED"}`:           "1",
			`sunlight_report_generation_seconds_count{kind="MONTHLY_DISCLOSURE"}`:            "1",
			`sunlight_report_size_bytes_count{kind="MONTHLY_DISCLOSURE"}`:                    "1",
			`sunlight_http_requests_total{code="200",handler="GET /healthz",method="GET"}`:   "1",
			`sunlight_http_requests_total{code="503",handler="GET /readyz",method="GET"}`:    "1",
			`sunlight_http_requests_total{code="200",handler="POST /graphql",method="POST"}`: "5",
		} {
			if got := metric(text, prefix); got != want {
				t.Errorf("%s = %q, want %s", prefix, got, want)
			}
		}
		if got := metric(text, `sunlight_report_last_published_timestamp_seconds{kind="MONTHLY_DISCLOSURE"}`); got == "" || got == "0" {
			t.Errorf("no last publish time: %q", got)
		}
		if !strings.Contains(text, "go_sql_open_connections") && !strings.Contains(text, "_open_connections") {
			t.Error("no connection pool statistics in /metrics")
		}

		// One JSON line per request, with the operation, and no personal data.
		var named, broken bool
		for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("log line %q is not JSON: %v", line, err)
			}
			if rec["msg"] != "request" || rec["status"] == nil || rec["duration_ms"] == nil {
				t.Fatalf("log line lacks request fields: %s", line)
			}
			if rec["operation"] == "Communities" && rec["route"] == "POST /graphql" {
				named = true
			}
			if rec["status"] == float64(200) && strings.Contains(line, "GRAPHQL_VALIDATION_FAILED") {
				broken = true
			}
		}
		if !named || !broken {
			t.Errorf("log lines lack routes, operation names or error codes:\n%s", logs.String())
		}
		if strings.Contains(logs.String(), "13812345678") || strings.Contains(logs.String(), "totalCount") {
			t.Errorf("the log holds variables or queries:\n%s", logs.String())
		}

		// Shutting down: not ready any more.
		health.ShuttingDown()
		if code, _ := get(t, srv.URL+"/readyz"); code != http.StatusServiceUnavailable {
			t.Fatalf("readyz while shutting down = %d", code)
		}
	})
}

// Serve finishes the request in flight, refuses new ones, and returns.
func TestGracefulShutdown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started, release := make(chan struct{}), make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release // until the shutdown has begun
		io.WriteString(w, "done")
	})
	srv := &http.Server{Handler: mux}
	// Shutdown closes the listeners, then calls these: the request in
	// flight finishes only once new ones can no longer come in.
	srv.RegisterOnShutdown(func() { close(release) })
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- ops.Serve(ctx, srv, ln, 5*time.Second, nil) }()
	url := "http://" + ln.Addr().String()
	got := make(chan string, 1)
	go func() {
		_, body := get(t, url+"/slow")
		got <- body
	}()
	<-started
	cancel()
	if body := <-got; body != "done" {
		t.Fatalf("the request in flight got %q, want done", body)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve = %v", err)
	}
	if _, err := http.Get(url + "/slow"); err == nil {
		t.Fatal("a new request was accepted after shutdown")
	}
}
