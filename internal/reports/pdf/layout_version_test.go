package pdf

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// TestPublishedLayoutsUnchanged: the same frozen inputs render to the same
// bytes under every layout version ever published, so `sunlight verify`
// keeps passing on reports already out. The Layout0 hashes were taken with
// the renderer of commit fa253e8 (before Layout existed); the others with
// upstream gofpdf v1.16.2 before its copy in third_party/gofpdf was patched
// for speed, which must not move a single byte. Each input carries a
// character above U+FFFF, so the fallback font path (Layout2 on) and its
// substitutes (before) are pinned too.
func TestPublishedLayoutsUnchanged(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	monthly := func(layout int) func(*bytes.Buffer) error {
		return func(b *bytes.Buffer) error {
			m := octoberFixture()
			m.Layout = layout
			m.Inquiries[0].AskedBy = "𠮷𠮷春" // layout 0 printed □ above U+FFFF
			return r.Monthly(b, m)
		}
	}
	yearly := func(layout int, rare bool) func(*bytes.Buffer) error {
		return func(b *bytes.Buffer) error {
			y := yearlyFixture()
			y.Layout = layout
			if rare {
				y.Milestones[0].Text = "𠮷春同志当选社区书记。"
			}
			return r.Yearly(b, y)
		}
	}
	for _, tc := range []struct {
		name   string
		render func(*bytes.Buffer) error
		want   string
	}{
		{"monthly/0", monthly(Layout0), "10387b7103ac3e19fcc7be707f20a5581398dc517ff8562bfa5e7ffb43f4272d"},
		{"monthly/1", monthly(Layout1), "f2b638c6039a13086acc9432238bc764cfa88a6002dc0f468e179a300d3ced13"},
		{"monthly/2", monthly(Layout2), "05347b9419a7c6784430a49aa004ba3b5876a2e9d2eaba1da8973327c25a735f"},
		{"monthly/3", monthly(Layout3), "f04843720087970a0c43ab3e602263f6f0c7706963a5d14becd5f1868bf6e39b"},
		{"yearly/0", yearly(Layout0, false), "23f8941507ff5dac1b643f8464d60d59ae1e08923518967a138134174f0ca543"},
		{"yearly/1", yearly(Layout1, false), "72d97cbe3b566f0935541b1204a94e906937c7e79ffd9dda1e440232c65a30cf"},
		{"yearly/2 rare name", yearly(Layout2, true), "0efbde5ebee1ee2891e839cbfbe625a3beba376d348fb8b3ff3baab7453dee80"},
		{"yearly/3 rare name", yearly(Layout3, true), "0efbde5ebee1ee2891e839cbfbe625a3beba376d348fb8b3ff3baab7453dee80"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.render(&b); err != nil {
				t.Fatal(err)
			}
			if sum := sha256.Sum256(b.Bytes()); hex.EncodeToString(sum[:]) != tc.want {
				t.Errorf("renders to SHA-256 %x, published as %s", sum, tc.want)
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
