package pdf

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// TestLayout0Unchanged: inputs frozen before layout versions (Layout 0)
// render to the bytes the renderer of that time gave, so reports already
// published keep passing `sunlight verify`. The hashes were taken with the
// renderer of commit fa253e8 (before Layout existed); a change here means
// published reports would be reported as changed.
func TestLayout0Unchanged(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	m := octoberFixture()
	m.Inquiries[0].AskedBy = "𠮷𠮷春" // layout 0 printed □ above U+FFFF
	for _, tc := range []struct {
		name   string
		render func(*bytes.Buffer) error
		want   string
	}{
		{"monthly", func(b *bytes.Buffer) error { return r.Monthly(b, m) }, "10387b7103ac3e19fcc7be707f20a5581398dc517ff8562bfa5e7ffb43f4272d"},
		{"yearly", func(b *bytes.Buffer) error { return r.Yearly(b, yearlyFixture()) }, "23f8941507ff5dac1b643f8464d60d59ae1e08923518967a138134174f0ca543"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.render(&b); err != nil {
				t.Fatal(err)
			}
			if sum := sha256.Sum256(b.Bytes()); hex.EncodeToString(sum[:]) != tc.want {
				t.Errorf("layout 0 renders to SHA-256 %x, published as %s", sum, tc.want)
			}
		})
	}
	t.Run("unknown layout refused", func(t *testing.T) {
		m := octoberFixture()
		m.Layout = LayoutCurrent + 1
		if err := r.Monthly(&bytes.Buffer{}, m); err == nil {
			t.Error("a layout newer than the renderer was rendered")
		}
	})
}
