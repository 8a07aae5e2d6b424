package graph_test

import (
	"strings"
	"testing"

	"sunlight/internal/demo/demotest"
	"sunlight/internal/storage/dbtest"
)

// TestErrorsSayWhoseFault: a malformed ID is the caller's input; a failing
// database is the server's, said without its SQL or driver text.
func TestErrorsSayWhoseFault(t *testing.T) {
	s := demoServer(t, demotest.DSN(t, dbtest.SQLite))
	const q = `query($c: ID!) { ledgerTotals(communityID: $c, period: "2026-10") { income } }`
	r := s.do(q, map[string]any{"c": "abc"})
	if r.code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "is not an ID") {
		t.Fatalf("a malformed ID: %+v", r.Errors)
	}
	if err := s.d.Close(); err != nil {
		t.Fatal(err)
	}
	r = s.do(q, map[string]any{"c": s.gz})
	if r.code() != "INTERNAL_SERVER_ERROR" {
		t.Fatalf("a closed database answered %+v, want INTERNAL_SERVER_ERROR", r.Errors)
	}
	if msg := strings.ToLower(r.Errors[0].Message); strings.Contains(msg, "sql") || strings.Contains(msg, "closed") {
		t.Fatalf("the message shows the server's internals: %q", r.Errors[0].Message)
	}
}
