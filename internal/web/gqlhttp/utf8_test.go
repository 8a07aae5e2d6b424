package gqlhttp

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// chunks reads r in pieces of at most n bytes, so characters are cut
// between reads.
type chunks struct {
	r io.Reader
	n int
}

func (c chunks) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

// FuzzUTF8Reader: the body passes through unchanged, and is refused exactly
// when it is not UTF-8, however the reads cut it.
func FuzzUTF8Reader(f *testing.F) {
	for _, s := range []string{`{"query":"{ a }"}`, "阁子市", "阁\xff", "\xe9\x98", "\xe9\x98\xe9\x98\x81", "a\xc3(", "𠮷", ""} {
		f.Add([]byte(s), uint8(1))
		f.Add([]byte(s), uint8(2))
	}
	f.Fuzz(func(t *testing.T, body []byte, n uint8) {
		got, err := io.ReadAll(&utf8Reader{r: chunks{bytes.NewReader(body), int(n%7) + 1}})
		if valid := utf8.Valid(body); (err == nil) != valid {
			t.Fatalf("%q read in pieces of %d: %v, but utf8.Valid = %v", body, n%7+1, err, valid)
		}
		if err != nil {
			if !strings.Contains(err.Error(), "not valid UTF-8") {
				t.Fatalf("%q: %v", body, err)
			}
			return
		}
		if !bytes.Equal(got, body) {
			t.Fatalf("%q came out as %q", body, got)
		}
	})
}
