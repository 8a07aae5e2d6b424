package text

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestRule(t *testing.T) {
	tests := []struct {
		name, s     string
		line, prose bool // accepted by Line, by Prose
		says        string
	}{
		{"empty (the field's NotEmpty decides)", "", true, true, ""},
		{"a Chinese name", "阁子市社区", true, true, ""},
		{"inner spaces", "A 区 3 号", true, true, ""},
		{"a line break", "第一项\n第二项", false, true, "control character U+000A"},
		{"a CRLF", "第一项\r\n第二项", false, false, "U+000D"},
		{"a tab", "a\tb", false, false, "U+0009"},
		{"NUL", "阁子\x00市", false, false, "U+0000"},
		{"a terminal escape", "\x1b[31m红\x1b[0m", false, false, "U+001B"},
		{"a C1 CSI", "a\u009b31mb", false, false, "U+009B"},
		{"DEL", "a\x7fb", false, false, "U+007F"},
		{"invalid UTF-8", "阁\xff市", false, false, "not valid UTF-8 (byte 0xFF at byte 3)"},
		{"a replacement character", "阁\ufffd市", false, false, "U+FFFD"},
		{"a bidi override", "abc\u202edcb", false, false, "bidirectional"},
		{"a line separator", "a\u2028b", false, false, "U+2028"},
		{"blank", "   ", false, false, "blank"},
		{"an ideographic space only", "\u3000", false, false, "blank"},
		{"a leading space", " 阁子市", false, false, "white space"},
		{"a trailing newline", "纪要\n", false, false, "white space"},
		{"a trailing ideographic space", "阁子市\u3000", false, false, "white space"},
		{"a no-break space at the end", "阁子市\u00a0", false, false, "white space"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct {
				f    func(string) error
				want bool
			}{{Line, tt.line}, {Prose, tt.prose}} {
				err := c.f(tt.s)
				if (err == nil) != c.want {
					t.Fatalf("%q: %v, want accepted=%v", tt.s, err, c.want)
				}
				if err != nil {
					if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), tt.says) {
						t.Fatalf("%q: %v, want an ErrRefused saying %q", tt.s, err, tt.says)
					}
				}
			}
		})
	}
}

// FuzzText holds Line and Prose to the rule of the package comment: what
// they accept is valid UTF-8 with no control character (but \n in Prose),
// no U+FFFD, no bidi control, no white space at either end; Line accepts
// no more than Prose.
func FuzzText(f *testing.F) {
	for _, s := range []string{"阁子市社区", "", " ", "a\nb", "a\x00b", "\x1b[2J", "\xff", "\ufffd", "a\u202eb", "\u3000x", "x\u00a0", "a\u0085b", "a\u2029b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lineErr, proseErr := Line(s), Prose(s)
		for _, err := range []error{lineErr, proseErr} {
			if err != nil && (!errors.Is(err, ErrRefused) || err.Error() == "") {
				t.Fatalf("%q: %v is not a refusal with a reason", s, err)
			}
		}
		if lineErr == nil && proseErr != nil {
			t.Fatalf("%q: Line accepts what Prose refuses (%v)", s, proseErr)
		}
		if proseErr != nil {
			return
		}
		if !utf8.ValidString(s) {
			t.Fatalf("%q: invalid UTF-8 accepted", s)
		}
		if s != "" {
			first, _ := utf8.DecodeRuneInString(s)
			last, _ := utf8.DecodeLastRuneInString(s)
			if unicode.IsSpace(first) || unicode.IsSpace(last) {
				t.Fatalf("%q: white space at an end accepted", s)
			}
		}
		for _, r := range s {
			if r == '\n' {
				if lineErr == nil {
					t.Fatalf("%q: Line accepted a line break", s)
				}
				continue
			}
			if unicode.IsControl(r) || r == utf8.RuneError || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x2028 || r == 0x2029 {
				t.Fatalf("%q: %U accepted", s, r)
			}
		}
		if lineErr != nil && !strings.Contains(s, "\n") {
			t.Fatalf("%q: Prose accepts it, Line refuses it (%v) though it is one line", s, lineErr)
		}
	})
}
