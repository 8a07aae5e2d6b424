package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"sunlight/internal/demo/demotest"
	"sunlight/internal/reports/archive"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/web/server"
)

// TestFilesFollowTheAPIsCORS: the report pages and downloads answer a
// dashboard's origin as /graphql does, and nobody else's; the open data
// answers every origin.
func TestFilesFollowTheAPIsCORS(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d := demotest.Open(t, dbtest.SQLite)
	a, err := archive.Open(ctx, "file://"+filepath.Join(dir, "reports"))
	if err != nil {
		t.Fatal(err)
	}
	const dash, other = "https://dash.example.org", "https://evil.example.org"
	mux := server.New(server.Config{CORSOrigins: []string{dash}, Log: slog.New(slog.DiscardHandler)}, server.Deps{DB: d, Archive: a})

	tests := []struct {
		name, method, path, origin string
		status                     int
		allowOrigin                string
	}{
		{"open data from the dashboard", http.MethodGet, "/open-data/gezishi/2026/vouchers.csv", dash, http.StatusOK, "*"},
		{"open data from elsewhere", http.MethodGet, "/open-data/gezishi/2026/vouchers.csv", other, http.StatusOK, "*"},
		{"officials' page from the dashboard", http.MethodGet, "/reports", dash, http.StatusOK, dash},
		{"officials' page from elsewhere", http.MethodGet, "/reports", other, http.StatusOK, ""},
		{"preflight of a download from the dashboard", http.MethodOptions, "/reports/1.pdf", dash, http.StatusNoContent, dash},
		{"preflight of a download from elsewhere", http.MethodOptions, "/reports/1.pdf", other, http.StatusForbidden, ""},
		{"a report that does not exist", http.MethodGet, "/reports/999.pdf", dash, http.StatusNotFound, dash},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, nil)
			req.Header.Set("Origin", tt.origin)
			if tt.method == http.MethodOptions {
				req.Header.Set("Access-Control-Request-Method", http.MethodGet)
			}
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			if rec.Code != tt.status || rec.Header().Get("Access-Control-Allow-Origin") != tt.allowOrigin {
				t.Fatalf("%s %s from %s: %d, Allow-Origin %q; want %d, %q", tt.method, tt.path, tt.origin,
					rec.Code, rec.Header().Get("Access-Control-Allow-Origin"), tt.status, tt.allowOrigin)
			}
		})
	}
}
