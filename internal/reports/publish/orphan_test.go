package publish_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"sunlight/ent"
	entreport "sunlight/ent/report"
	"sunlight/internal/demo"
	"sunlight/internal/demo/demotest"
	"sunlight/internal/reports/archive"
	"sunlight/internal/reports/disclosure"
	"sunlight/internal/reports/pdf"
	"sunlight/internal/reports/publish"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
)

// TestArchiveHoldsOnlyPublishedReports: a publish that fails after storing
// its PDF (here its run cannot be finished, as when another instance took
// it over) leaves no PDF behind, and a PDF left by a process killed between
// storing and committing is removed by the next run of its period, on both
// archive backends: a folder and S3 (a fake S3 server, gofakes3).
func TestArchiveHoldsOnlyPublishedReports(t *testing.T) {
	backend := s3mem.New()
	s3 := httptest.NewServer(gofakes3.New(backend).Server())
	defer s3.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	r, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	for _, store := range []string{"folder", "s3"} {
		t.Run(store, func(t *testing.T) {
			demotest.Each(t, func(t *testing.T, dsn string) {
				url := "file://" + t.TempDir()
				if store == "s3" {
					bucket := "reports-" + dsn[:4] // one bucket per database
					if err := backend.CreateBucket(bucket); err != nil {
						t.Fatal(err)
					}
					url = "s3://" + bucket + "?endpoint=" + s3.URL + "&region=us-east-1&use_path_style=true"
				}
				ctx := context.Background()
				d := dbtest.Open(t, dsn)
				a, err := archive.Open(ctx, url)
				if err != nil {
					t.Fatal(err)
				}
				defer a.Close()
				c, err := disclosure.Community(ctx, d.Client, demo.Code)
				if err != nil {
					t.Fatal(err)
				}
				now := time.Date(2026, time.December, 2, 1, 0, 0, 0, time.UTC)
				p := &publish.Publisher{Client: d.Client, Archive: a, Renderer: r, Now: func() time.Time { return now }}
				oct := publish.Request{Kind: entreport.KindMONTHLY_DISCLOSURE, Community: c, Period: calendar.Month(2026, 10)}
				prefix := demo.Code + "/"
				held := func() []string {
					keys, err := a.List(ctx, prefix)
					if err != nil {
						t.Fatal(err)
					}
					return keys
				}
				if keys := held(); len(keys) != 0 {
					t.Fatalf("archive not empty at the start: %v", keys)
				}

				taken := errors.New("the run was taken over")
				failing := oct
				failing.Finish = func(context.Context, *ent.Client, time.Time) error { return taken }
				if _, err := p.Publish(ctx, failing); !errors.Is(err, taken) {
					t.Fatalf("publish = %v, want the run's failure", err)
				}
				if keys := held(); len(keys) != 0 {
					t.Fatalf("a publish that did not commit left %v in the archive", keys)
				}

				// A process killed after storing its PDF, before committing.
				left := archive.Key(demo.Code, string(oct.Kind), oct.Period.String(), "0123456789abcdef0123")
				if err := a.Put(ctx, left, []byte("%PDF-1.4 killed")); err != nil {
					t.Fatal(err)
				}
				rep, err := p.Publish(ctx, oct)
				if err != nil {
					t.Fatal(err)
				}
				if keys := held(); !slices.Equal(keys, []string{rep.StorageKey}) {
					t.Fatalf("archive holds %v, want only the published %s", keys, rep.StorageKey)
				}
			})
		})
	}
}
