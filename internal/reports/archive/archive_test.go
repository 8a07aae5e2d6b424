package archive

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"syscall"
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
			if err := a.Writable(ctx); err != nil {
				t.Fatalf("Writable: %v", err)
			}
			if _, err := a.Get(ctx, probeKey); !errors.Is(err, ErrNotFound) {
				t.Fatalf("the probe stays behind: %v", err)
			}
			// List by a period's prefix, and Delete (twice: the second is no error).
			other := Key("gezishi", "MONTHLY_DISCLOSURE", "2026-11", "fedcba9876543210fedc")
			if err := a.Put(ctx, other, []byte("%PDF-1.4 other")); err != nil {
				t.Fatal(err)
			}
			keys, err := a.List(ctx, PeriodPrefix("gezishi", "MONTHLY_DISCLOSURE", "2026-10"))
			if err != nil || len(keys) != 1 || keys[0] != key {
				t.Fatalf("List of 2026-10 = %v, %v; want only %s", keys, err, key)
			}
			for range 2 {
				if err := a.Delete(ctx, key); err != nil {
					t.Fatalf("Delete: %v", err)
				}
			}
			if _, err := a.Get(ctx, key); !errors.Is(err, ErrNotFound) {
				t.Fatalf("deleted key still there: %v", err)
			}
		})
	}
}

// TestArchiveOnAnotherFilesystem: a folder archive on another mount than
// $TMPDIR stores reports (the temporary file is written beside its target),
// and an archive that takes no write fails readiness.
func TestArchiveOnAnotherFilesystem(t *testing.T) {
	ctx := context.Background()
	shm, err := os.MkdirTemp("/dev/shm", "sunlight-archive-")
	if err != nil {
		t.Skipf("no /dev/shm: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(shm) })
	tmp := t.TempDir()
	var a, b syscall.Stat_t
	if syscall.Stat(shm, &a) != nil || syscall.Stat(tmp, &b) != nil || a.Dev == b.Dev {
		t.Skip("/dev/shm and the test's temporary folder are on one filesystem here")
	}
	t.Setenv("TMPDIR", tmp)
	dir := filepath.Join(shm, "reports")
	arch, err := Open(ctx, "file://"+dir)
	if err != nil {
		t.Fatal(err)
	}
	defer arch.Close()
	key := Key("gezishi", "MONTHLY_DISCLOSURE", "2026-10", "0123456789abcdef0123")
	if err := arch.Put(ctx, key, []byte("%PDF-1.4 test")); err != nil {
		t.Fatalf("Put across filesystems: %v", err)
	}
	ig := NewIntegrity(arch)
	if err := ig.Check(ctx); err != nil {
		t.Fatalf("readiness of a writable archive: %v", err)
	}
	// The folder replaced by a file: nothing can be written any more.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, []byte("not a folder"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A new check: the first one probes at most every 30 s.
	if err := NewIntegrity(arch).Check(ctx); err == nil {
		t.Fatal("readiness of an archive that takes no write passed")
	}
}
