package pdf

import (
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"sunlight/internal/reports/pdf/font"
)

// Renderer renders reports with one parsed font. Parsing and validating the
// font happens once, in NewRenderer; a Renderer is safe for concurrent use,
// so a batch run shares one across all its goroutines.
//
// A monthly report costs about 5 ms of CPU at serve's GC settings, most of
// it inside gofpdf compressing streams and cutting the font (the copy in
// third_party/gofpdf, patched to do that with less garbage), and allocates
// about 4.4 MB of short-lived memory. See bench/README.md.
type Renderer struct {
	face     *font.Face
	fallback *font.Face // nil: none
	log      *slog.Logger
}

// Option configures a Renderer.
type Option func(*config) error

type config struct {
	face        *font.Face
	fallback    *font.Face
	setFallback bool
	log         *slog.Logger
}

// WithFallback sets the face that draws, from Layout2 on, the characters
// the report font lacks (the rare characters of names); nil: none, so they
// print as 〓. Unset: the embedded Hanazono cut (font.Fallback).
func WithFallback(f *font.Face) Option {
	return func(c *config) error {
		c.fallback, c.setFallback = f, true
		return nil
	}
}

// WithLogger sets where the Renderer logs the characters it printed as a
// substitute (slog.Default() if unset).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		c.log = l
		return nil
	}
}

// WithFontFile sets the report font to the plain TrueType file at path
// instead of the embedded WenQuanYi Micro Hei. The file is read and
// validated by NewRenderer.
func WithFontFile(path string) Option {
	return func(c *config) error {
		f, err := font.Load(path)
		if err != nil {
			return err
		}
		c.face = f
		return nil
	}
}

// WithFace sets the report font to an already parsed face.
func WithFace(f *font.Face) Option {
	return func(c *config) error {
		c.face = f
		return nil
	}
}

// NewRenderer returns a Renderer using the embedded font unless an option
// says otherwise. It fails with a clear message if the font cannot be used,
// so a server can check its font at start-up rather than at the first
// report.
func NewRenderer(opts ...Option) (*Renderer, error) {
	var c config
	for _, o := range opts {
		if err := o(&c); err != nil {
			return nil, err
		}
	}
	if c.face == nil {
		f, err := font.Default()
		if err != nil {
			return nil, fmt.Errorf("report: embedded font: %w", err)
		}
		c.face = f
	}
	if !c.setFallback {
		f, err := font.Fallback()
		if err != nil {
			return nil, fmt.Errorf("report: embedded fallback font: %w", err)
		}
		c.fallback = f
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	return &Renderer{face: c.face, fallback: c.fallback, log: c.log}, nil
}

// Font returns the face the Renderer sets reports in.
func (r *Renderer) Font() *font.Face { return r.face }

var defaultRenderer = sync.OnceValues(func() (*Renderer, error) { return NewRenderer() })

// RenderMonthly renders m with a Renderer made from opts (the embedded font
// if none, shared between calls).
func RenderMonthly(w io.Writer, m *Monthly, opts ...Option) error {
	r, err := rendererFor(opts)
	if err != nil {
		return err
	}
	return r.Monthly(w, m)
}

// RenderYearly renders y with a Renderer made from opts (the embedded font
// if none, shared between calls).
func RenderYearly(w io.Writer, y *Yearly, opts ...Option) error {
	r, err := rendererFor(opts)
	if err != nil {
		return err
	}
	return r.Yearly(w, y)
}

func rendererFor(opts []Option) (*Renderer, error) {
	if len(opts) == 0 {
		return defaultRenderer()
	}
	return NewRenderer(opts...)
}

// logSubstitutions logs, one WARN each, the characters of a report's text
// that were printed as a substitute: the report still publishes, and the
// record (named by the report number and the field, e.g.
// Inquiries[0].AskedBy) can be corrected or the font extended.
func (r *Renderer) logSubstitutions(number string, subs []Substitution) {
	for _, x := range subs {
		r.log.Warn("report: the font has no glyph for a character; printed a substitute",
			"report", number, "field", x.Field, "char", string(x.Rune), "code", fmt.Sprintf("%U", x.Rune), "printed", x.As)
	}
}

// safely runs fn and turns a panic into an error: a report with data that
// trips gofpdf must fail that report, never the server or the batch.
func safely(what string, fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("report: internal error rendering %s: %v\n%s", what, p, debug.Stack())
		}
	}()
	return fn()
}

// checkSHA256 validates the chain hash: empty, or 64 hex digits.
func checkSHA256(s *sanitizer, field, v string) {
	if v == "" {
		return
	}
	if b, err := hex.DecodeString(v); err != nil || len(b) != 32 {
		s.fail("%s: %q is not a SHA-256 in hex (64 hex digits)", field, v)
	}
}

// docDate is the date written into the PDF as its creation and modification
// date: the moment the period ends, 00:00 China Standard Time on the day
// after it. It depends only on the period, so the bytes are reproducible,
// and it is a true statement: a report cannot be made before its period
// ends.
func docDate(y int, m time.Month) time.Time {
	return time.Date(y, m+1, 1, 0, 0, 0, 0, shanghai)
}
