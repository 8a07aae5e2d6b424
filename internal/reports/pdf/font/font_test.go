package font

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/image/font/sfnt"
)

func TestDefault(t *testing.T) {
	f, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if f.Name() != "WenQuanYi Micro Hei" {
		t.Errorf("Name() = %q", f.Name())
	}
	if !strings.Contains(License, "Apache License") || !strings.Contains(Notice, "WenQuanYi") {
		t.Error("licence or notice text missing")
	}
	for _, r := range "财务公开办公经费贰万陆仟捌佰陆拾捌元整0123456789,.□（）《》：" {
		if !f.Has(r) || f.Width(r) == 0 {
			t.Errorf("embedded font lacks %q", r)
		}
	}
	for _, r := range []rune{'𠮷', 0xFFFF, -1, 0} {
		if f.Has(r) {
			t.Errorf("Has(%U) = true", r)
		}
	}
}

// The coverage answer must agree with an independent parser: x/image's sfnt
// GlyphIndex, over the whole BMP.
func TestHasAgreesWithSfnt(t *testing.T) {
	f, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	sf, err := sfnt.Parse(f.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	var buf sfnt.Buffer
	for r := rune(1); r < 0xFFFF; r++ {
		g, err := sf.GlyphIndex(&buf, r)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := f.cmap[r] != 0, g != 0; got != want {
			t.Fatalf("%U: cmap says %v, sfnt says %v", r, got, want)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	f, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	ttc := append([]byte("ttcf\x00\x01\x00\x00\x00\x00\x00\x01\x00\x00\x00\x10"), f.Bytes()...)
	otto := append([]byte("OTTO"), f.Bytes()[4:]...)
	noCmap := append([]byte(nil), f.Bytes()...)
	// Rename the cmap table in the directory so it cannot be found.
	for i := 0; i < int(binary.BigEndian.Uint16(noCmap[4:])); i++ {
		if p := 12 + 16*i; string(noCmap[p:p+4]) == "cmap" {
			copy(noCmap[p:], "xmap")
		}
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "too short"},
		{"text", []byte("this is not a font at all"), "not a TrueType font"},
		{"collection", ttc, "collection"},
		{"cff", otto, "CFF"},
		{"truncated", f.Bytes()[:5000], "unusable"},
		{"no cmap", noCmap, "unusable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse: err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
	if _, err := Load("/nonexistent/font.ttf"); err == nil {
		t.Error("Load of a missing file: no error")
	}
}

func TestSubset(t *testing.T) {
	f, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	text := "财务公开 办公经费 26,868.00 贰万陆仟捌佰陆拾捌元整（第 1 页 / 共 3 页）Ää"
	runes := []rune(text)
	sub, err := f.Subset(runes)
	if err != nil {
		t.Fatal(err)
	}
	if len(sub) > 60_000 {
		t.Errorf("subset is %d bytes, expected a few kilobytes", len(sub))
	}
	again, _ := f.Subset([]rune(text + text))
	if !bytes.Equal(sub, again) {
		t.Error("subset depends on repetition of runes")
	}
	// The subset must still be a valid font, with the same glyph shapes
	// reachable through its cmap and the same widths.
	g, err := Parse(sub)
	if err != nil {
		t.Fatalf("subset does not parse: %v", err)
	}
	for _, r := range runes {
		if !g.Has(r) || g.Width(r) != f.Width(r) {
			t.Errorf("%q: subset has=%v width %d, full width %d", r, g.Has(r), g.Width(r), f.Width(r))
		}
	}
	if g.Has('龙') {
		t.Error("subset holds a rune it was not asked for")
	}
	sf, err := sfnt.Parse(sub)
	if err != nil {
		t.Fatal(err)
	}
	full, _ := sfnt.Parse(f.Bytes())
	var b1, b2 sfnt.Buffer
	for _, r := range "财务Ä" {
		gi, _ := sf.GlyphIndex(&b1, r)
		gf, _ := full.GlyphIndex(&b2, r)
		s1, err1 := sf.LoadGlyph(&b1, gi, 2048, nil)
		s2, err2 := full.LoadGlyph(&b2, gf, 2048, nil)
		if err1 != nil || err2 != nil || len(s1) != len(s2) {
			t.Errorf("%q: outlines differ (%v, %v, %d vs %d segments)", r, err1, err2, len(s1), len(s2))
		}
	}
	// And gofpdf must accept it and measure strings as with the full font.
	for _, font := range [][]byte{f.Bytes(), sub} {
		pdf := gofpdf.New("P", "mm", "A4", "")
		pdf.AddUTF8FontFromBytes("f", "", font)
		pdf.SetFont("f", "", 12)
		if w := pdf.GetStringWidth(text); pdf.Error() != nil || w < 100 {
			t.Errorf("gofpdf: width %.2f, err %v", w, pdf.Error())
		}
	}
}

// Layout measures text with Face.Width; it must match gofpdf's own widths
// for every rune the font covers, or right-aligned amounts would drift.
func TestWidthMatchesGofpdf(t *testing.T) {
	f, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("f", "", f.Bytes())
	pdf.SetFont("f", "", 10)
	n := 0
	for r := rune(1); r < 0xFFFF; r++ {
		if !f.Has(r) {
			continue
		}
		n++
		if got := pdf.GetStringSymbolWidth(string(r)); got != f.Width(r) {
			t.Fatalf("%U: gofpdf width %d, Face.Width %d", r, got, f.Width(r))
		}
	}
	if n < 20000 {
		t.Errorf("only %d runes covered", n)
	}
}

// A damaged font file (the WithFontFile option takes any path) must give an
// error, never a panic or a hang, from Parse and from Subset. The seed is a
// 30 KB font, which makes minimising new inputs slow: run with
// -fuzzminimizetime 0.
func FuzzParse(f *testing.F) {
	face, err := Default()
	if err != nil {
		f.Fatal(err)
	}
	small, err := face.Subset([]rune("财务公开 26,868.00 Ä"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(small)
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := Parse(b)
		if err != nil {
			return
		}
		if _, err := g.Subset([]rune("财务公开 26,868.00 Äabc")); err != nil {
			return
		}
	})
}
