package graph

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"sunlight/graph/generated"
	"sunlight/internal/demo"
	"sunlight/internal/demo/demotest"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
)

// TestPostMatchesGqlgen holds postJSON to what gqlgen's own POST transport
// answers, byte for byte, status and media type included: it may only skip
// the second encoding pass, never change a response, but for request errors,
// which it answers as GraphQL over HTTP says (gqlhttp.operationError): no
// "data" entry, and 200 where gqlgen answers 422 to application/json.
func TestPostMatchesGqlgen(t *testing.T) {
	d := demotest.Open(t, dbtest.SQLite)
	now := func() time.Time { return calendar.StartOf(demo.Today) }
	serve := func(tr graphql.Transport) http.Handler {
		srv := handler.New(generated.NewExecutableSchema(generated.Config{Resolvers: NewResolver(d.Client, now, nil)}))
		srv.AddTransport(tr)
		srv.SetErrorPresenter(presentLimitError)
		return srv
	}
	ours, theirs := serve(postJSON{}), serve(transport.POST{})

	cases := []struct {
		name, accept, body string
		// gqlgenOnly is text gqlgen's answer has and ours deliberately
		// has not: gqlgen echoes an undecodable body (up to the 1 MiB
		// limit) into the error message.
		gqlgenOnly string
		// requestError: the operation never started.
		requestError bool
	}{
		{"data", "", `{"query":"{ communities(first: 2) { totalCount edges { node { name district assets(first: 3) { edges { node { name acquiredOn originalValue category } } } } } } }"}`, "", false},
		{"unicode and escapes", "application/json", `{"query":"{ community(code: \"gezishi\") { name district } }"}`, "", false},
		{"variables", "*/*", `{"query":"query($c: String!) { community(code: $c) { name } }","variables":{"c":"gezishi"}}`, "", false},
		{"null data field", "", `{"query":"{ community(code: \"nobody\") { name } }"}`, "", false},
		{"resolver error", "", `{"query":"{ ledgerTotals(communityID: \"1\", period: \"2026-13\") { income } }"}`, "", false},
		{"validation error", "", `{"query":"{ nope }"}`, "", true},
		{"validation error, GraphQL media type", "application/graphql-response+json", `{"query":"{ nope }"}`, "", true},
		{"parse error", "application/json", `{"query":"{"}`, "", true},
		{"not JSON", "", `{"query":`, ` body:{\"query\":`, true},
		{"no query", "", `{}`, "", true},
		{"unknown Accept", "text/html", `{"query":"{ __typename }"}`, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			do := func(h http.Handler) *httptest.ResponseRecorder {
				req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(c.body))
				req.Header.Set("Content-Type", "application/json")
				if c.accept != "" {
					req.Header.Set("Accept", c.accept)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec
			}
			got, want := do(ours), do(theirs)
			wantCode, wantBody := want.Code, strings.Replace(want.Body.String(), c.gqlgenOnly, "", 1)
			if c.requestError {
				if wantCode == http.StatusUnprocessableEntity {
					wantCode = http.StatusOK
				}
				if wantBody = strings.Replace(wantBody, `,"data":null`, "", 1); wantBody == want.Body.String() {
					t.Fatalf("gqlgen no longer answers a request error with data null: %s", want.Body)
				}
			}
			if got.Code != wantCode || got.Header().Get("Content-Type") != want.Header().Get("Content-Type") {
				t.Errorf("status %d %q, want %d %q (gqlgen %d)", got.Code, got.Header().Get("Content-Type"), wantCode, want.Header().Get("Content-Type"), want.Code)
			}
			if c.gqlgenOnly != "" && !strings.Contains(want.Body.String(), c.gqlgenOnly) {
				t.Fatalf("gqlgen no longer answers with %q: %s", c.gqlgenOnly, want.Body)
			}
			if got.Body.String() != wantBody {
				t.Errorf("body differs:\n ours: %s\ngqlgen: %s", got.Body, want.Body)
			}
			if got.Body.Len() == 0 {
				t.Error("empty body")
			}
		})
	}
}
