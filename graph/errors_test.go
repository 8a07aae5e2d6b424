package graph_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"sunlight/internal/access/auth"
	"sunlight/internal/access/token"
	"sunlight/internal/demo"
	"sunlight/internal/demo/demotest"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
)

// TestErrorsSayWhoseFault: a malformed ID or cursor is the caller's input,
// reported at the field that takes it.
func TestErrorsSayWhoseFault(t *testing.T) {
	s := demoServer(t, demotest.DSN(t, dbtest.SQLite))
	tests := []struct {
		name, query string
		vars        map[string]any
		path        string
		message     string
	}{
		{"a malformed ID", `query($c: ID!) { ledgerTotals(communityID: $c, period: "2026-10") { income } }`, map[string]any{"c": "abc"}, "ledgerTotals", "is not an ID"},
		{"a malformed cursor at the root", `{ vouchers(first: 2, after: "not-a-cursor") { totalCount } }`, nil, "vouchers", "after"},
		{"a malformed cursor in a variable", `query($a: Cursor) { communities(after: $a) { totalCount } }`, map[string]any{"a": "AAAA"}, "communities", "after"},
		// Below the root it is refused before execution: no response path
		// yet, its location says where.
		{"a malformed cursor nested", `{ communities(first: 1) { edges { node { assets(first: 1, after: "%%%") { totalCount } } } } }`, nil, "", "assets: invalid value for argument after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do(tt.query, tt.vars)
			if r.code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, tt.message) {
				t.Fatalf("%+v, want BAD_USER_INPUT saying %q", r.Errors, tt.message)
			}
			if got := r.Errors[0].path(); got != tt.path {
				t.Fatalf("path %q, want %q", got, tt.path)
			}
		})
	}
}

// TestUnknownCommunityIsNotFound: a community that does not exist is
// NOT_FOUND with the field's path and location for every viewer, and so is
// one a confined viewer may not see; nobody gets zeros.
func TestUnknownCommunityIsNotFound(t *testing.T) {
	s := demoServer(t, demotest.DSN(t, dbtest.SQLite))
	now := calendar.StartOf(demo.Today)
	var fengqiao struct{ Community struct{ ID string } }
	s.ok(`{ community(code: "fengqiao") { id } }`, nil, &fengqiao)
	bearer := func(n token.New) string {
		n.Name, n.TTL = string(n.Role), 24*time.Hour
		tok, _, err := token.Issue(t.Context(), s.d.Client, n, now)
		if err != nil {
			t.Fatal(err)
		}
		return "Bearer " + tok
	}
	callers := map[string]string{
		"PUBLIC":          "",
		"ADMIN":           bearer(token.New{Role: auth.Admin}),
		"COMMUNITY_STAFF": bearer(token.New{Role: auth.CommunityStaff, Community: "gezishi"}),
	}
	const q = "query($c: ID!) {\n  ledgerTotals(communityID: $c, period: \"2026-10\") { income }\n}"
	tests := []struct {
		caller, community string
	}{
		{"PUBLIC", "99999999"},
		{"ADMIN", "99999999"},
		{"COMMUNITY_STAFF", "99999999"},
		{"COMMUNITY_STAFF", fengqiao.Community.ID},
	}
	for _, tt := range tests {
		t.Run(tt.caller+"/"+tt.community, func(t *testing.T) {
			body, _ := json.Marshal(map[string]any{"query": q, "variables": map[string]any{"c": tt.community}})
			req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if callers[tt.caller] != "" {
				req.Header.Set("Authorization", callers[tt.caller])
			}
			rec := httptest.NewRecorder()
			s.edge.ServeHTTP(rec, req)
			var r response
			if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
				t.Fatalf("HTTP %d: %q", rec.Code, rec.Body)
			}
			if r.code() != "NOT_FOUND" || r.Errors[0].path() != "ledgerTotals" {
				t.Fatalf("HTTP %d, %+v; want NOT_FOUND at ledgerTotals", rec.Code, r.Errors)
			}
			if l := r.Errors[0].Locations; len(l) != 1 || l[0].Line != 2 || l[0].Column != 3 {
				t.Fatalf("locations %+v, want line 2 column 3", l)
			}
		})
	}
	// The community itself still answers its own staff.
	r := s.do(q, map[string]any{"c": strconv.Itoa(s.gz)})
	if len(r.Errors) > 0 {
		t.Fatalf("a community that exists: %+v", r.Errors)
	}
}

// TestDatabaseDownIsUnavailable: with the database gone, a request gets
// UNAVAILABLE and 503 with Retry-After, not an internal error, and nothing
// of the driver's text; with or without a token.
func TestDatabaseDownIsUnavailable(t *testing.T) {
	s := demoServer(t, demotest.DSN(t, dbtest.SQLite))
	tok, _, err := token.Issue(t.Context(), s.d.Client, token.New{Name: "admin", Role: auth.Admin, TTL: time.Hour}, calendar.StartOf(demo.Today))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.d.Close(); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, authorization, query string }{
		{"public, an aggregate", "", `query { ledgerTotals(communityID: "` + strconv.Itoa(s.gz) + `", period: "2026-10") { income } }`},
		{"public, a connection", "", `{ communities { totalCount } }`},
		{"with a token", "Bearer " + tok, `{ communities { totalCount } }`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, _ := json.Marshal(map[string]any{"query": tt.query})
			req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if tt.authorization != "" {
				req.Header.Set("Authorization", tt.authorization)
			}
			rec := httptest.NewRecorder()
			s.edge.ServeHTTP(rec, req)
			var r response
			if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
				t.Fatalf("HTTP %d: %q", rec.Code, rec.Body)
			}
			if rec.Code != http.StatusServiceUnavailable || r.code() != "UNAVAILABLE" || rec.Header().Get("Retry-After") == "" {
				t.Fatalf("HTTP %d, Retry-After %q, %+v; want 503, a Retry-After and UNAVAILABLE", rec.Code, rec.Header().Get("Retry-After"), r.Errors)
			}
			if msg := strings.ToLower(r.Errors[0].Message); strings.Contains(msg, "sql") || strings.Contains(msg, "closed") {
				t.Fatalf("the message shows the server's internals: %q", r.Errors[0].Message)
			}
		})
	}
}
