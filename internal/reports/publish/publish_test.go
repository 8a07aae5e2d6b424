package publish_test

import (
	"bytes"
	"context"
	"testing"

	entreport "sunlight/ent/report"
	"sunlight/internal/demo"
	"sunlight/internal/reports/disclosure"
	"sunlight/internal/reports/pdf"
	"sunlight/internal/reports/publish"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestFrozenInputsRenderTheSameBytes: the inputs kept with a report render
// exactly what rendering the gathered report gives, so a report rendered
// from its inputs at publishing, by verify later, and `sunlight report`
// from the records agree byte for byte.
func TestFrozenInputsRenderTheSameBytes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		d := dbtest.Open(t, dsn)
		if err := demo.Load(ctx, d.Client); err != nil {
			t.Fatal(err)
		}
		c, err := disclosure.Community(ctx, d.Client, demo.Code)
		if err != nil {
			t.Fatal(err)
		}
		r, err := pdf.NewRenderer()
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			kind entreport.Kind
			p    calendar.Period
		}{
			{entreport.KindMONTHLY_DISCLOSURE, calendar.Month(2026, 10)},
			{entreport.KindYEARLY_ASSET_GROWTH, calendar.Year(2025)},
		} {
			t.Run(string(tc.kind), func(t *testing.T) {
				direct, _, err := disclosure.Render(ctx, d.Client, r, c, tc.kind, tc.p)
				if err != nil {
					t.Fatal(err)
				}
				inputs, err := publish.Gather(ctx, d.Client, c, tc.kind, tc.p)
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%s inputs: %d bytes of JSON", tc.kind, len(inputs))
				frozen, _, err := publish.Render(r, tc.kind, inputs)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(direct, frozen) {
					t.Fatalf("rendered from its frozen inputs the %s differs from the one rendered from the records (%d vs %d bytes)", tc.kind, len(frozen), len(direct))
				}
				again, err := publish.Gather(ctx, d.Client, c, tc.kind, tc.p)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(inputs, again) {
					t.Fatal("gathering the same records twice gave two encodings")
				}
			})
		}
	})
}
