package token_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"sunlight/internal/access/token"
	"sunlight/internal/storage/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestGuessingTokensIsThrottled(t *testing.T) {
	d := dbtest.Open(t, dbtest.SQLiteDSN(t))
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	h := token.Middleware{Client: d.Client, Failures: &token.Failures{Max: 3, Window: time.Minute}}.Wrap(ok)
	call := func(addr, auth string) int {
		req := httptest.NewRequest(http.MethodGet, "/graphql", nil)
		req.RemoteAddr = addr
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	for i := 0; i < 3; i++ {
		if got := call("10.0.0.1:5000", "Bearer slt_guess"+string(rune('a'+i))); got != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d, want 401", i, got)
		}
	}
	if got := call("10.0.0.1:5001", "Bearer slt_guessd"); got != http.StatusTooManyRequests {
		t.Fatalf("fourth guess from the same address: %d, want 429", got)
	}
	if got := call("10.0.0.2:5000", "Bearer slt_other"); got != http.StatusUnauthorized {
		t.Fatalf("another address is throttled too: %d", got)
	}
	if got := call("10.0.0.1:5002", ""); got != http.StatusNoContent {
		t.Fatalf("an anonymous request from the throttled address: %d, want it served as PUBLIC", got)
	}
}
