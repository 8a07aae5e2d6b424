package server_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"sunlight/internal/demo"
	"sunlight/internal/demo/demotest"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/web/server"
)

// TestGraphiQLOffline opens GraphiQL at / in headless Chromium that can
// resolve no host name (the network is as good as absent: a CDN could not
// be reached), types a query into it, runs it and reads the answer from its
// result pane, then starts a subscription, which must open a graphql-ws
// socket to the server. Every request the page made must have gone to the
// server.
func TestGraphiQLOffline(t *testing.T) {
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("SUNLIGHT_REQUIRE_BROWSER") == "1" {
			t.Fatal("chromium is not installed (apt-get install chromium)")
		}
		t.Skip("browser test skipped: chromium is not installed (apt-get install chromium); .ci/run installs it")
	}
	s := server.New(server.Config{Log: quiet(), RateLimit: -1}, server.Deps{DB: demotest.Open(t, dbtest.SQLite)})
	srv := httptest.NewServer(s)
	defer srv.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		// No name resolves but the server's address (a literal IP), and no
		// proxy or background service could reach out instead.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.Flag("no-proxy-server", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "profile")))
	allocCtx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()

	var mu sync.Mutex
	var requests, problems, sockets, frames []string
	// Listen starts the browser: this first call must not carry a timeout.
	err = chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			requests = append(requests, ev.Request.Method+" "+ev.Request.URL)
		case *network.EventWebSocketCreated:
			sockets = append(sockets, ev.URL)
		case *network.EventWebSocketFrameReceived:
			frames = append(frames, string(ev.Response.PayloadData))
		case *runtime.EventExceptionThrown:
			text := ev.ExceptionDetails.Text
			if e := ev.ExceptionDetails.Exception; e != nil {
				text += " " + e.Description
			}
			problems = append(problems, "exception: "+text)
		case *log.EventEntryAdded:
			// A Content-Security-Policy refusal, or a file that failed to load.
			if ev.Entry.Level == log.EntryLevelError {
				problems = append(problems, "console: "+ev.Entry.Text+" "+ev.Entry.URL)
			}
		}
	})
	if err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	defer cancelT()

	const query = `{ communities(where: {code: "` + demo.Code + `"}) { edges { node { code name } } } }`
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		// GraphiQL has rendered its query editor (CodeMirror).
		chromedp.WaitVisible(".graphiql-query-editor .CodeMirror"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(`+jsString(query)+`)`),
		chromedp.Click(".graphiql-execute-button"),
	)
	if err != nil {
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("open GraphiQL and run a query: %v\nrequests: %q\nproblems: %q", err, requests, problems)
	}
	// The result pane shows the answer once it has come.
	answer, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => {
		const cm = document.querySelector('.result-window .CodeMirror');
		const text = cm && cm.CodeMirror.getValue();
		return text && text.includes('"data"') ? text : '';
	})()`))
	if err != nil {
		t.Fatalf("no answer in GraphiQL's result pane: %v", err)
	}
	var got struct {
		Data struct {
			Communities struct {
				Edges []struct{ Node struct{ Code, Name string } }
			}
		}
		Errors []any
	}
	if err := json.Unmarshal([]byte(answer), &got); err != nil {
		t.Fatalf("the result pane holds %q: %v", answer, err)
	}
	if len(got.Errors) > 0 || len(got.Data.Communities.Edges) != 1 || got.Data.Communities.Edges[0].Node.Name != "阁子市社区" {
		t.Fatalf("GraphiQL shows %s, want %s (阁子市社区)", answer, demo.Code)
	}

	// A subscription opens a graphql-ws socket to the same endpoint, which
	// the page's policy lets through, and the server acknowledges it.
	// GraphiQL routes by the document it parsed after a short debounce, so
	// a click right after the edit may still send the query before over
	// HTTP (a person typing never clicks that fast): click again until the
	// socket is acknowledged, a few times at most.
	acked := func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, f := range frames {
			if strings.Contains(f, `"connection_ack"`) {
				return true
			}
		}
		return false
	}
	err = chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue("subscription { reportPublished { id } }")`))
	if err != nil {
		t.Fatalf("type a subscription: %v", err)
	}
	ok := false
	for try := 0; try < 5 && !ok && ctx.Err() == nil; try++ {
		if err := chromedp.Do(ctx, chromedp.Sleep(time.Second), chromedp.Click(".graphiql-execute-button")); err != nil {
			t.Fatalf("start a subscription: %v", err)
		}
		for wait := 0; wait < 40 && !ok; wait++ {
			time.Sleep(50 * time.Millisecond)
			ok = acked()
		}
	}

	mu.Lock()
	defer mu.Unlock()
	wsURL := "ws" + strings.TrimPrefix(srv.URL, "http") + "/graphql"
	if len(sockets) == 0 || sockets[0] != wsURL || !ok {
		t.Errorf("subscription sockets %q with frames %q, want one to %s, acknowledged", sockets, frames, wsURL)
	}
	posted := false
	for _, r := range requests {
		method, url, _ := strings.Cut(r, " ")
		if !strings.HasPrefix(url, srv.URL+"/") && !strings.HasPrefix(url, "data:") {
			t.Errorf("the page requested %s, not from the server", r)
		}
		posted = posted || (method == "POST" && url == srv.URL+"/graphql")
	}
	if !posted {
		t.Errorf("no POST to /graphql among the page's requests %q", requests)
	}
	for _, p := range problems {
		t.Errorf("in the page: %s", p)
	}
}

// jsString is s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
