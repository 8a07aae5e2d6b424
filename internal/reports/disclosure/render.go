package disclosure

import (
	"bytes"
	"context"
	"time"

	"sunlight/ent"
	"sunlight/ent/report"
	"sunlight/internal/reports/pdf"
	"sunlight/internal/vocab/calendar"
)

// RenderError is a failure of the renderer on gathered data (a character
// the font lacks, a layout that cannot be made): retrying cannot mend it.
type RenderError struct{ Err error }

func (e RenderError) Error() string { return e.Err.Error() }
func (e RenderError) Unwrap() error { return e.Err }

// Render gathers and renders c's report of kind for p (a month, or the
// year of a yearly summary) and returns the PDF with the predecessor's
// SHA-256 it printed. The scheduler publishes with it, `sunlight verify`
// regenerates with it and `sunlight report` writes with it, so the three
// give the same bytes by construction.
//
// The report is dated on its due day (as reports published before the real
// date was kept were); RenderAt dates it on the day of at.
func Render(ctx context.Context, client *ent.Client, r *pdf.Renderer, c *ent.Community, kind report.Kind, p calendar.Period) ([]byte, string, error) {
	return RenderAt(ctx, client, r, c, kind, p, time.Time{})
}

// RenderAt is Render dated on the day (Asia/Shanghai) of at, with the due
// day printed too when at is later (zero at: the due day).
func RenderAt(ctx context.Context, client *ent.Client, r *pdf.Renderer, c *ent.Community, kind report.Kind, p calendar.Period, at time.Time) ([]byte, string, error) {
	var buf bytes.Buffer
	if kind == report.KindYEARLY_ASSET_GROWTH {
		y, err := Yearly(ctx, client, c, p.Year)
		if err != nil {
			return nil, "", err
		}
		Dated(y, at)
		if err := r.Yearly(&buf, y); err != nil {
			return nil, "", RenderError{err}
		}
		return buf.Bytes(), y.PrevSHA256, nil
	}
	m, err := Monthly(ctx, client, c, p)
	if err != nil {
		return nil, "", err
	}
	Dated(m, at)
	if err := r.Monthly(&buf, m); err != nil {
		return nil, "", RenderError{err}
	}
	return buf.Bytes(), m.PrevSHA256, nil
}
