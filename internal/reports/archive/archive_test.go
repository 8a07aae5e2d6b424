package archive

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// TestArchive runs the same round trip on a folder and on S3 (an in-process
// S3 server, gofakes3, reached through the s3:// URL an operator would
// write, with a custom endpoint and path-style addressing).
func TestArchive(t *testing.T) {
	backend := s3mem.New()
	if err := backend.CreateBucket("reports"); err != nil {
		t.Fatal(err)
	}
	s3 := httptest.NewServer(gofakes3.New(backend).Server())
	defer s3.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")

	for _, tt := range []struct{ name, url string }{
		{"folder", "file://" + t.TempDir()},
		{"s3", "s3://reports?endpoint=" + s3.URL + "&region=us-east-1&use_path_style=true"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			a, err := Open(ctx, tt.url)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			key := Key("gezishi", "MONTHLY_DISCLOSURE", "2026-10", "0123456789abcdef0123")
			if key != "gezishi/monthly_disclosure/2026-10-0123456789abcdef.pdf" {
				t.Fatalf("key = %s", key)
			}
			if err := a.Put(ctx, key, []byte("%PDF-1.4 test")); err != nil {
				t.Fatal(err)
			}
			got, err := a.Get(ctx, key)
			if err != nil || string(got) != "%PDF-1.4 test" {
				t.Fatalf("Get = %q, %v", got, err)
			}
			r, err := a.Open(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Seek(5, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			rest, _ := io.ReadAll(r)
			r.Close()
			if string(rest) != "1.4 test" {
				t.Fatalf("after seek read %q", rest)
			}
			if _, err := a.Get(ctx, "missing.pdf"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("missing key: %v", err)
			}
			if _, err := a.Open(ctx, "missing.pdf"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("missing key, Open: %v", err)
			}
		})
	}
}
