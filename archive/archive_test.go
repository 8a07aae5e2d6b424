package archive

import (
	"context"
	"errors"
	"io"
	"testing"
)

func TestFolderArchive(t *testing.T) {
	ctx := context.Background()
	a, err := Open(ctx, "file://"+t.TempDir())
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
}
