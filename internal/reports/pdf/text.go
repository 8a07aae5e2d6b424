package pdf

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"sunlight/internal/reports/pdf/font"
)

// Replacement is printed in place of a character above U+FFFF (for example
// the rare name character 𠮷, U+20BB7) and of invalid UTF-8. gofpdf encodes
// text as UCS-2 and panics on such characters, and the embedded font has no
// glyphs outside the Basic Multilingual Plane anyway. □ is the mark Chinese
// printing uses for a character that cannot be set, so a reader sees that
// something is there rather than a silent gap.
const Replacement = '□'

// ErrBadData is wrapped by every error caused by the report's data (as
// opposed to a fault of the renderer): a job should not retry those.
var ErrBadData = errors.New("report: bad data")

// GlyphError reports a character the font cannot draw and that no
// substitute can stand for (the font lacks 〓, □ and ? too). gofpdf would
// print it as a blank with no error.
type GlyphError struct {
	Field string // the struct field, e.g. "Vouchers[3].Summary"
	Rune  rune
	Font  string
}

func (e *GlyphError) Error() string {
	return fmt.Sprintf("report: %s: the font %q has no glyph for %q (%U); change the text or use a font that covers it",
		e.Field, e.Font, e.Rune, e.Rune)
}

// Is makes errors.Is(err, ErrBadData) true: the data must change.
func (e *GlyphError) Is(target error) bool { return target == ErrBadData }

// Substitute is printed in place of a character of the Basic Multilingual
// Plane that the font has no glyph for (a symbol such as ☃ in a name): 〓
// (U+3013, 中文“豆腐块”) is the mark Chinese typesetting uses for a
// character it has no type for. If a font lacks 〓 too, □ or ? is used.
const Substitute = '〓'

// Substitution is a character of a report's text printed as a substitute.
type Substitution struct {
	Field string // the struct field, e.g. "Inquiries[0].AskedBy"
	Rune  rune
	As    string // what was printed instead: 〓 or "[U+20BB7]"
}

// sanitizer cleans every string of a report before layout and collects the
// errors, so that one run names every bad field instead of the first only,
// and the substitutions, which the renderer logs.
type sanitizer struct {
	face *font.Face
	// fallback draws, from Layout2 on, what face lacks (the rare
	// characters of names, CJK Extension A and B); nil: none.
	fallback *font.Face
	layout   int
	errs     []error
	subs     []Substitution
}

// drawn reports whether r prints as written: from the main face or, from
// Layout2 on, the fallback.
func (s *sanitizer) drawn(r rune) bool {
	if r <= 0xFFFF && s.face.Has(r) {
		return true
	}
	return s.layout >= Layout2 && s.fallback != nil && s.fallback.Has(r)
}

// substitute returns what to print for r, which the font lacks; false if
// nothing can stand for it (a font without 〓, □ and ?).
func (s *sanitizer) substitute(r rune) (string, bool) {
	if r > 0xFFFF && s.layout == Layout1 {
		// The code point, so that a reader (or an official with the
		// records) can tell which rare character of a name stands there.
		code := fmt.Sprintf("[%U]", r)
		if s.hasAll(code) {
			return code, true
		}
	}
	for _, c := range []rune{Substitute, Replacement, '?'} {
		if s.face.Has(c) {
			return string(c), true
		}
	}
	return "", false
}

func (s *sanitizer) hasAll(t string) bool {
	for _, r := range t {
		if !s.face.Has(r) {
			return false
		}
	}
	return true
}

func (s *sanitizer) note(field string, r rune, as string) {
	for _, x := range s.subs {
		if x.Field == field && x.Rune == r {
			return
		}
	}
	if len(s.subs) < maxErrors {
		s.subs = append(s.subs, Substitution{Field: field, Rune: r, As: as})
	}
}

// maxErrors bounds the errors listed for one report: a data fault that hits
// every voucher should not make a megabyte error message.
const maxErrors = 20

// clean returns s as it will be printed, and records a Substitution for
// each character the font lacks. It:
//   - replaces invalid UTF-8 with Replacement;
//   - from Layout2 on, keeps a character the font lacks that the fallback
//     font draws (CJK Extension A and B: 𠮷, U+20BB7);
//   - replaces a character above U+FFFF that no font draws with its code
//     point, "[U+20BB7]", in Layout1 (Replacement before, Substitute after);
//   - replaces a character the font lacks with Substitute (〓);
//   - turns tabs into spaces and CR LF or CR into LF; keeps LF (a forced
//     line break) only if multiline, else turns it into a space;
//   - drops other control characters and invisible format characters (zero
//     width space, BOM, direction marks…), which print as nothing anyway
//     and which gofpdf would otherwise count with a bogus width;
//   - trims leading and trailing white space.
func (s *sanitizer) clean(field, in string, multiline bool) string {
	var b strings.Builder
	b.Grow(len(in))
	for i := 0; i < len(in); {
		r, n := utf8.DecodeRuneInString(in[i:])
		i += n
		switch {
		case r == utf8.RuneError && n == 1:
			r = Replacement
		case r > 0xFFFF && s.layout < Layout1:
			r = Replacement
		case r > 0xFFFF && s.drawn(r):
			// Printed from the fallback font (Layout2 on).
			b.WriteRune(r)
			continue
		case r > 0xFFFF:
			// gofpdf encodes text as UCS-2 and panics above U+FFFF:
			// never let such a character reach it.
			if sub, ok := s.substitute(r); ok {
				s.note(field, r, sub)
				b.WriteString(sub)
			} else if len(s.errs) < maxErrors {
				s.errs = append(s.errs, &GlyphError{Field: field, Rune: r, Font: s.face.Name()})
			}
			continue
		case r == '\r':
			if i < len(in) && in[i] == '\n' {
				continue
			}
			r = '\n'
		case r == '\t':
			r = ' '
		}
		switch {
		case r == '\n':
			if !multiline {
				r = ' '
			}
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			continue
		case r == ' ':
		case !s.drawn(r):
			// A character the font lacks never stops a report: it is
			// printed as a visible substitute and logged. Only a font
			// without any substitute makes it an error.
			if sub, ok := s.substitute(r); ok {
				s.note(field, r, sub)
				b.WriteString(sub)
			} else if len(s.errs) < maxErrors {
				s.errs = append(s.errs, &GlyphError{Field: field, Rune: r, Font: s.face.Name()})
			}
			continue
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

func (s *sanitizer) fail(format string, a ...any) {
	if len(s.errs) < maxErrors {
		s.errs = append(s.errs, fmt.Errorf("%w: "+format, append([]any{ErrBadData}, a...)...))
	}
}

func (s *sanitizer) err() error { return errors.Join(s.errs...) }

// Line breaking.
//
// gofpdf's MultiCell and SplitText drop a character at every automatic
// break in Chinese text, so the reports wrap text themselves. The rules are
// the usual ones for Simplified Chinese (a small subset of GB/T 15834 and
// the W3C "Requirements for Chinese Text Layout"):
//   - a line may break between any two CJK characters;
//   - closing punctuation (，。、；：！？）》」』”’ and their kind) never
//     starts a line, and opening punctuation（《「『“‘ never ends one: they
//     stay with the character next to them;
//   - Latin words and numbers (26,868.00) break only at spaces, unless a
//     single word is wider than the line;
//   - a newline forces a break.
//
// Nothing is dropped: the lines concatenated give back the input exactly.
// The spaces at a break stay at the end of the line before it and are not
// counted against the width.

// noStart lists characters that must not begin a line.
const noStart = "，。、；：！？）》」』〉】〕〗〙〛”’…—～·,.;:!?)]}%‰℃°″′"

// noEnd lists characters that must not end a line.
const noEnd = "（《「『〈【〔〖〘〚“‘([{"

func isNoStart(r rune) bool { return strings.ContainsRune(noStart, r) }
func isNoEnd(r rune) bool   { return strings.ContainsRune(noEnd, r) }

// isCJK reports whether a line may break on either side of r (subject to
// the punctuation rules).
func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r) ||
		(r >= 0x3000 && r <= 0x303F) || // CJK symbols and punctuation
		(r >= 0xFF00 && r <= 0xFFEF) || // full-width forms
		(r >= 0x2E80 && r <= 0x2FDF) || // radicals
		r == Replacement
}

// segment is an unbreakable piece of text, s[start:end]: a CJK character
// with the punctuation glued to it, or a Latin word with its trailing
// spaces. Segments and lines are slices of the input, never copies, since
// wrapping runs for every table cell of every report.
type segment struct {
	start, end int
	width      float64 // without trailing spaces
	spaces     float64 // width of the trailing spaces
	hard       bool    // ends with a newline: break after it
}

// segments cuts s into unbreakable pieces.
func segments(s string, width func(rune) float64) []segment {
	out := make([]segment, 0, len(s)/3+1)
	cur := segment{}
	// glue means the next rune joins the current segment whatever it is
	// (after an opening bracket); word means the current segment is a
	// Latin word that a following Latin letter continues.
	glue, word, inSpaces := false, false, false
	flush := func(at int, hard bool) {
		if at > cur.start {
			cur.end, cur.hard = at, hard
			out = append(out, cur)
		}
		cur = segment{start: at}
		glue, word, inSpaces = false, false, false
	}
	for i, r := range s {
		empty := i == cur.start
		switch {
		case r == '\n':
			flush(i+1, true)
			continue
		case r == ' ' || r == '\u3000':
			if empty || (glue && !inSpaces) {
				// Leading spaces (after a newline) stay with what
				// follows, as do spaces after an opening bracket.
				cur.width += width(r)
				glue = true
				continue
			}
			cur.spaces += width(r)
			inSpaces, word, glue = true, false, false
			continue
		}
		if inSpaces && isNoStart(r) {
			// No break before closing punctuation even after spaces
			// (UAX #14, LB13): the spaces become part of the segment.
			cur.width += cur.spaces
			cur.spaces, inSpaces = 0, false
		}
		joins := !empty && !inSpaces && (glue || isNoStart(r) || (word && !isCJK(r) && !isNoEnd(r)))
		if !joins && !empty {
			flush(i, false)
		}
		cur.width += width(r)
		glue = isNoEnd(r)
		word = !isCJK(r) && !isNoEnd(r)
	}
	flush(len(s), false)
	return out
}

// wrap breaks s into lines no wider than max (in the unit of width). It
// always makes progress: a segment wider than max is broken between
// characters, and a single character wider than max gets a line of its own.
func wrap(s string, max float64, width func(rune) float64) []string {
	if s == "" {
		return []string{""}
	}
	lines := make([]string, 0, 2)
	start := 0              // start of the current line
	var curW, curSp float64 // width of the line so far, and its trailing spaces
	emit := func(at int) {
		lines = append(lines, s[start:at])
		start, curW, curSp = at, 0, 0
	}
	for _, seg := range segments(s, width) {
		if seg.start > start && curW+curSp+seg.width > max {
			emit(seg.start)
		}
		if seg.start == start && seg.width > max {
			// Too wide even alone: break it between characters.
			for i, r := range s[seg.start:seg.end] {
				if r == ' ' || r == '\u3000' || r == '\n' {
					continue
				}
				rw := width(r)
				if seg.start+i > start && curW+rw > max {
					emit(seg.start + i)
				}
				curW += rw
			}
			curSp = seg.spaces
		} else {
			curW += curSp + seg.width
			curSp = seg.spaces
		}
		if seg.hard {
			emit(seg.end)
		}
	}
	if start < len(s) || len(lines) == 0 {
		emit(len(s))
	}
	return lines
}

// display returns a wrapped line as drawn: without its trailing spaces and
// newline.
func display(line string) string { return strings.TrimRight(line, " \u3000\n") }
