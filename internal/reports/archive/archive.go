// Package archive stores the PDFs of published reports behind one blob
// interface (gocloud.dev/blob): a local folder by default, S3-compatible
// object storage when configured, so that several stateless servers can
// share one archive.
package archive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
	_ "gocloud.dev/blob/s3blob" // s3:// URLs
	"gocloud.dev/gcerrors"
)

// DefaultURL keeps reports in a folder beside the embedded database.
const DefaultURL = "file://./var/reports"

// ErrNotFound is returned for a key the archive does not hold.
var ErrNotFound = errors.New("not in the report archive")

// Archive is where published report PDFs live.
type Archive struct {
	bucket *blob.Bucket
	url    string
}

// Open opens the archive at rawURL:
//
//	file://./var/reports   a folder, relative or absolute (file:///srv/reports)
//	s3://bucket?endpoint=http://127.0.0.1:9000&region=us-east-1&use_path_style=true
//	                       S3 or an S3-compatible store (MinIO, Ceph), credentials
//	                       from the usual AWS environment variables
func Open(ctx context.Context, rawURL string) (*Archive, error) {
	if rawURL == "" {
		rawURL = DefaultURL
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("report archive URL %q: %w", rawURL, err)
	}
	var b *blob.Bucket
	if u.Scheme == "file" {
		// file://./relative is not a URL gocloud accepts; resolve it here.
		dir := u.Host + u.Path
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("report archive folder %s: %w", dir, err)
		}
		// The temporary file is written beside its target, so the rename
		// that makes a write atomic never crosses filesystems ($TMPDIR on
		// disk, the archive on another mount: "invalid cross-device link").
		b, err = fileblob.OpenBucket(dir, &fileblob.Options{NoTempDir: true})
	} else {
		b, err = blob.OpenBucket(ctx, rawURL)
	}
	if err != nil {
		return nil, fmt.Errorf("open report archive %s: %w", rawURL, err)
	}
	return &Archive{bucket: b, url: rawURL}, nil
}

// URL returns the URL the archive was opened with.
func (a *Archive) URL() string { return a.url }

// Put stores data under key. The write is atomic: a reader sees the whole
// PDF or nothing.
func (a *Archive) Put(ctx context.Context, key string, data []byte) error {
	err := a.bucket.WriteAll(ctx, key, data, &blob.WriterOptions{ContentType: "application/pdf"})
	if err != nil {
		return fmt.Errorf("store report %s: %w", key, err)
	}
	return nil
}

// Get reads the whole object at key.
func (a *Archive) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := a.bucket.ReadAll(ctx, key)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, fmt.Errorf("report %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read report %s: %w", key, err)
	}
	return b, nil
}

// Open returns a reader of the object at key that can seek (range requests).
func (a *Archive) Open(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	r, err := a.bucket.NewReader(ctx, key, nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, fmt.Errorf("report %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("open report %s: %w", key, err)
	}
	return r, nil
}

// List returns the keys that start with prefix.
func (a *Archive) List(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	it := a.bucket.List(&blob.ListOptions{Prefix: prefix})
	for {
		obj, err := it.Next(ctx)
		if err == io.EOF {
			return keys, nil
		}
		if err != nil {
			return nil, fmt.Errorf("list the report archive under %s: %w", prefix, err)
		}
		keys = append(keys, obj.Key)
	}
}

// Delete removes the object at key; a key the archive does not hold is
// not an error (the object is gone either way).
func (a *Archive) Delete(ctx context.Context, key string) error {
	err := a.bucket.Delete(ctx, key)
	if err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return fmt.Errorf("remove report %s: %w", key, err)
	}
	return nil
}

// probeKey is what Writable writes and deletes; no report key starts with a dot.
const probeKey = ".sunlight-writable"

// Writable checks that the archive takes a write now: it writes a small
// object and deletes it.
func (a *Archive) Writable(ctx context.Context) error {
	if err := a.bucket.WriteAll(ctx, probeKey, []byte("ok\n"), nil); err != nil {
		return fmt.Errorf("the report archive takes no write: %w", err)
	}
	if err := a.bucket.Delete(ctx, probeKey); err != nil {
		return fmt.Errorf("the report archive takes no delete: %w", err)
	}
	return nil
}

// Close releases the bucket.
func (a *Archive) Close() error { return a.bucket.Close() }

// Key is where a report's PDF is kept: by community, kind and period, with
// the hash in the name so a key never points at two different contents.
func Key(communityCode, kind, period, sha256hex string) string {
	return PeriodPrefix(communityCode, kind, period) + sha256hex[:16] + ".pdf"
}

// PeriodPrefix is what the keys of every PDF of one report's period start
// with, whatever their hash.
func PeriodPrefix(communityCode, kind, period string) string {
	return fmt.Sprintf("%s/%s/%s-", communityCode, strings.ToLower(kind), period)
}
