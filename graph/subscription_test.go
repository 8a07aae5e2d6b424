package graph_test

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"sunlight/ent"
	"sunlight/graph"
	"sunlight/internal/demo"
	"sunlight/internal/demo/demotest"
	"sunlight/internal/reports/archive"
	"sunlight/internal/reports/pdf"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/web/server"
	"sunlight/jobs"
)

// TestReportPublishedSubscription subscribes over server-sent events, lets
// the scheduler publish October 2026, and reads the announcement.
func TestReportPublishedSubscription(t *testing.T) {
	ctx := context.Background()
	d := demotest.Open(t, dbtest.SQLite)
	a, err := archive.Open(ctx, "file://"+t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return calendar.StartOf(demo.Today) }
	sched := jobs.New(d.Client, a, r, jobs.Config{Now: now, LookbackMonths: 1})
	subscribed := make(chan struct{}, 1)
	srv := httptest.NewServer(newEdge(t, d, server.Config{GraphQL: graph.Config{Now: now, Published: signalling{sched, subscribed}}}))
	defer srv.Close()

	s := &gqlServer{t: t, d: d, h: srv.Config.Handler}
	var out struct{ Community struct{ ID string } }
	s.ok(`{ community(code: "gezishi") { id } }`, nil, &out)

	body := `{"query":"subscription($c: ID) { reportPublished(communityID: $c) { communityID period kind sha256 downloadURL } }","variables":{"c":"` + out.Community.ID + `"}}`
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("subscription answered with %s", resp.Header.Get("Content-Type"))
	}
	go func() {
		// Publish once the subscription is registered.
		select {
		case <-subscribed:
			_ = sched.CatchUp(ctx)
		case <-ctx.Done():
		}
	}()
	lines := bufio.NewScanner(resp.Body)
	deadline := time.AfterFunc(30*time.Second, func() { resp.Body.Close() })
	defer deadline.Stop()
	var events []string
	for lines.Scan() {
		line := lines.Text()
		if strings.HasPrefix(line, "data:") && strings.Contains(line, "reportPublished") {
			events = append(events, line)
			if strings.Contains(line, `"period":"2026-10"`) {
				break
			}
		}
	}
	if len(events) == 0 {
		t.Fatal("no reportPublished event arrived")
	}
	last := events[len(events)-1]
	for _, want := range []string{`"kind":"MONTHLY_DISCLOSURE"`, `"downloadURL":"/reports/`, `"sha256":"`} {
		if !strings.Contains(last, want) {
			t.Fatalf("event %s lacks %s", last, want)
		}
	}
	for _, e := range events {
		if !strings.Contains(e, `"communityID":"`+out.Community.ID+`"`) {
			t.Fatalf("an event of another community reached a filtered subscriber: %s", e)
		}
	}
}

// signalling is a Publisher that says when someone subscribed.
type signalling struct {
	graph.Publisher
	subscribed chan<- struct{}
}

func (s signalling) Subscribe(ch chan<- *ent.Report) func() {
	stop := s.Publisher.Subscribe(ch)
	select {
	case s.subscribed <- struct{}{}:
	default:
	}
	return stop
}
