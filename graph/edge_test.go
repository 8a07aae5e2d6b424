package graph_test

import (
	"log/slog"
	"net/http"
	"testing"
	"time"

	"sunlight/internal/access/auth"
	"sunlight/internal/access/token"
	"sunlight/internal/storage/db"
	"sunlight/internal/web/server"
)

// newEdge builds the whole server as serve does (server.New), its request
// log silent and without a rate limit unless cfg sets one.
func newEdge(t testing.TB, d *db.DB, cfg server.Config) *server.Server {
	t.Helper()
	if cfg.RateLimit == 0 {
		cfg.RateLimit = -1
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return server.New(cfg, server.Deps{DB: d})
}

// asPlatform sends every request without a token of its own with an ADMIN
// token: the tests of resolvers read as the platform does.
func asPlatform(t testing.TB, d *db.DB, h http.Handler) http.Handler {
	t.Helper()
	// Issued at the epoch for a century, so it is valid at every test's clock.
	tok, _, err := token.Issue(t.Context(), d.Client, token.New{Name: "tests", Role: auth.Admin, TTL: 100 * 365 * 24 * time.Hour}, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			r.Header.Set("Authorization", "Bearer "+tok)
		}
		h.ServeHTTP(w, r)
	})
}
