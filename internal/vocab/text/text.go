// Package text is the one rule for text people write into Sunlight: names,
// titles, summaries, minutes, answers. The ent schema validates every text
// field with Line or Prose, so the rule holds on every path that writes
// (GraphQL, the CLI, the demo loader, the scheduler).
//
// The rule:
//   - valid UTF-8, and no U+FFFD (the replacement character is what text
//     garbled on its way here turns into; nobody types it);
//   - no control characters: C0 (U+0000–U+001F), DEL, C1 (U+0080–U+009F),
//     so no NUL (which PostgreSQL cannot store) and no terminal escape
//     sequence (ESC, CSI); Prose, the long text of minutes, questions,
//     answers and notices, may hold line breaks as "\n" (not "\r\n");
//   - no bidirectional controls (U+202A–U+202E, U+2066–U+2069), which
//     reorder what a reader sees, and in Line no line or paragraph
//     separators (U+2028, U+2029);
//   - no leading or trailing white space (Unicode's, so also the
//     ideographic space U+3000 and no-break space): refused, never
//     trimmed, so what is stored is exactly what was sent, as with Money,
//     Date and Period. A value of white space only is therefore refused
//     too; whether a field may be empty is the field's own rule (NotEmpty).
package text

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// ErrRefused is wrapped by every error of Line and Prose, so the GraphQL
// presenter can pass their reason on as the caller's fault.
var ErrRefused = errors.New("text refused")

// Refusal is why a text was refused; Error gives the reason alone.
type Refusal struct{ Reason string }

func (r *Refusal) Error() string { return r.Reason }

// Unwrap makes a Refusal an ErrRefused.
func (r *Refusal) Unwrap() error { return ErrRefused }

// Line checks one line of text: a name, a title, a summary.
func Line(s string) error { return check(s, false) }

// Prose checks text that may run over several lines.
func Prose(s string) error { return check(s, true) }

func check(s string, lines bool) error {
	if s == "" {
		return nil
	}
	if !utf8.ValidString(s) {
		for i := 0; i < len(s); {
			r, w := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && w == 1 {
				return refuse("is not valid UTF-8 (byte 0x%02X at byte %d); send text in UTF-8", s[i], i)
			}
			i += w
		}
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		if isBlank(s) {
			return refuse("is blank (white space only)")
		}
		return refuse("begins or ends with white space; send it trimmed")
	}
	n := 0
	for _, r := range s {
		n++
		switch {
		case r == '\n' && lines:
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
			return refuse("holds the control character %U at character %d%s", r, n, controlHint(lines))
		case r == utf8.RuneError:
			return refuse("holds U+FFFD, the replacement character of garbled text, at character %d; send the original text in UTF-8", n)
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return refuse("holds the bidirectional control %U at character %d, which reorders what readers see", r, n)
		case (r == 0x2028 || r == 0x2029) && !lines:
			return refuse("holds the line separator %U at character %d; it is one line", r, n)
		case r == 0x2028 || r == 0x2029:
			return refuse("holds the line separator %U at character %d; break lines with \\n", r, n)
		}
	}
	return nil
}

func controlHint(lines bool) string {
	if lines {
		return "; text may break lines with \\n but holds no other control characters"
	}
	return "; it is one line of text, without control characters"
}

func isBlank(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

func refuse(format string, args ...any) error {
	return &Refusal{Reason: fmt.Sprintf(format, args...)}
}
