// Package font holds the CJK TrueType font that Sunlight's PDF reports are
// set in, and the font work gofpdf does not do well enough for them:
// validating a font before use, answering "does this font draw rune r?", and
// cutting a small subset font for one document.
//
// The default face is WenQuanYi Micro Hei (文泉驿微米黑, Apache-2.0; see
// NOTICE.txt and LICENSE-Apache-2.0.txt), embedded with go:embed so that a
// fresh machine renders reports with no install step and the output bytes
// do not depend on what fonts the host has. Another plain TrueType (.ttf,
// glyf outlines) file can be used instead through Load or Parse.
//
// Why subsetting here: gofpdf parses the whole font for every document it
// creates (about 25–35 ms for this 4.6 MB font) and subsets it again when
// writing. A Face is parsed once; Subset then cuts, in well under a
// millisecond, a font of only the glyphs one report uses, which gofpdf
// parses almost for free.
package font

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"sync"
	"unicode/utf16"

	"golang.org/x/image/font/sfnt"
)

//go:embed wqy-microhei.ttf
var wqyMicroHei []byte

// License is the licence text (Apache-2.0) of the embedded font.
//
//go:embed LICENSE-Apache-2.0.txt
var License string

// Notice names the embedded font, its origin and its copyright holders.
//
//go:embed NOTICE.txt
var Notice string

var defaultFace = sync.OnceValues(func() (*Face, error) {
	return Parse(wqyMicroHei)
})

// The fallback face: CJK Extension A and the common characters of
// Extension B, cut from Hanazono Mincho A (花園明朝A, GlyphWiki Project,
// under the Hanazono Font License; see NOTICE-hanazono.txt and
// LICENSE-hanazono.txt) by internal/extcut, for the rare characters of
// real names (𠮷, U+20BB7) that WenQuanYi Micro Hei lacks.
//
//go:embed hanazono-ext.ttf
var hanazonoExt []byte

// FallbackLicense is the licence text of the embedded fallback font.
//
//go:embed LICENSE-hanazono.txt
var FallbackLicense string

var fallbackFace = sync.OnceValues(func() (*Face, error) {
	return Parse(hanazonoExt)
})

// Fallback returns the embedded fallback face (Extension A and B), parsed
// on first use and shared afterwards.
func Fallback() (*Face, error) { return fallbackFace() }

// Default returns the embedded WenQuanYi Micro Hei face. It is parsed on
// first use and shared afterwards; a Face is safe for concurrent use.
func Default() (*Face, error) { return defaultFace() }

// Face is a parsed, validated TrueType font. It is read-only after Parse
// and safe for concurrent use.
type Face struct {
	data   []byte
	tables map[string][]byte
	// glyf, loca and hmtx are kept out of the map: they are read for
	// every glyph of every subset.
	glyf, loca, hmtx []byte
	name             string
	unitsPerEm       int
	longLoca         bool
	numGlyphs        int
	numHMetric       int
	// cmap maps a BMP code point to its glyph, read from the same
	// (3,1) or (0,x) format-4 subtable gofpdf uses, so that "covered"
	// here means "drawn" there.
	cmap []uint16
	// width is the advance of each BMP rune in 1/1000 em, rounded exactly
	// as gofpdf rounds it, so layout measured here matches the PDF.
	width []uint16
	// supp maps the runes above U+FFFF that the font draws (from its
	// format-12 cmap subtable, if any) to their glyphs. gofpdf cannot
	// encode them: a document draws them under a code of the Private Use
	// Area of a subset cut with SubsetAs (see package pdf's fallback).
	supp map[rune]uint16
}

// Load reads and parses the TrueType file at path.
func Load(path string) (*Face, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("font: %w", err)
	}
	f, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return f, nil
}

// Parse validates ttf as a font gofpdf's AddUTF8Font can use and returns it
// parsed. gofpdf itself only prints a message for an unusable font and fails
// much later with "undefined font", so every condition it would trip over is
// checked here and reported with a reason.
func Parse(ttf []byte) (*Face, error) {
	fail := func(format string, a ...any) (*Face, error) {
		return nil, fmt.Errorf("font: unusable for PDF reports: "+format, a...)
	}
	if len(ttf) < 12 {
		return fail("file too short (%d bytes)", len(ttf))
	}
	switch tag := string(ttf[:4]); tag {
	case "\x00\x01\x00\x00", "true":
	case "ttcf":
		return fail("a TrueType collection (.ttc); extract one face to a .ttf first (see report/font/internal/ttcextract)")
	case "OTTO":
		return fail("an OpenType font with CFF outlines; gofpdf needs TrueType (glyf) outlines")
	default:
		return fail("not a TrueType font (tag %q)", tag)
	}
	// A second, independent parser: x/image's sfnt rejects malformed
	// files that gofpdf would read past the end of and panic on.
	if _, err := sfnt.Parse(ttf); err != nil {
		return fail("%v", err)
	}
	be := binary.BigEndian
	f := &Face{data: ttf, tables: map[string][]byte{}}
	n := int(be.Uint16(ttf[4:]))
	if 12+16*n > len(ttf) {
		return fail("truncated table directory")
	}
	for i := 0; i < n; i++ {
		p := 12 + 16*i
		off, l := uint64(be.Uint32(ttf[p+8:])), uint64(be.Uint32(ttf[p+12:]))
		if off+l > uint64(len(ttf)) {
			return fail("table %q extends beyond the end of the file", ttf[p:p+4])
		}
		f.tables[string(ttf[p:p+4])] = ttf[off : off+l]
	}
	for _, t := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf", "cmap", "post", "name"} {
		if f.tables[t] == nil {
			return fail("no %q table", t)
		}
	}
	f.glyf, f.loca, f.hmtx = f.tables["glyf"], f.tables["loca"], f.tables["hmtx"]
	head, hhea, maxp := f.tables["head"], f.tables["hhea"], f.tables["maxp"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 || len(f.tables["post"]) < 32 {
		return fail("truncated head, hhea, maxp or post table")
	}
	f.unitsPerEm = int(be.Uint16(head[18:]))
	if f.unitsPerEm == 0 {
		return fail("unitsPerEm is 0")
	}
	f.longLoca = be.Uint16(head[50:]) == 1
	if be.Uint16(head[52:]) != 0 {
		return fail("unknown glyph data format")
	}
	f.numGlyphs = int(be.Uint16(maxp[4:]))
	f.numHMetric = int(be.Uint16(hhea[34:]))
	if f.numHMetric == 0 || f.numHMetric > f.numGlyphs || len(f.tables["hmtx"]) < 4*f.numHMetric+2*(f.numGlyphs-f.numHMetric) {
		return fail("bad horizontal metrics")
	}
	locaEntry := 2
	if f.longLoca {
		locaEntry = 4
	}
	if len(f.tables["loca"]) < locaEntry*(f.numGlyphs+1) {
		return fail("truncated loca table")
	}
	if os2 := f.tables["OS/2"]; len(os2) >= 10 {
		// gofpdf refuses fonts whose licence forbids embedding.
		if fsType := be.Uint16(os2[8:]); fsType == 0x0002 || fsType&0x0300 != 0 {
			return fail("its licence (OS/2 fsType %#x) does not allow embedding in documents", fsType)
		}
	}
	if err := f.parseCmap(); err != nil {
		return fail("%v", err)
	}
	if err := f.parseCmap12(); err != nil {
		return fail("%v", err)
	}
	f.parseWidths()
	f.name = f.readName()
	return f, nil
}

// parseCmap reads the Unicode BMP format-4 subtable.
func (f *Face) parseCmap() error {
	be := binary.BigEndian
	cmap := f.tables["cmap"]
	if len(cmap) < 4 {
		return errors.New("truncated cmap table")
	}
	var sub []byte
	for i := 0; i < int(be.Uint16(cmap[2:])); i++ {
		p := 4 + 8*i
		if p+8 > len(cmap) {
			return errors.New("truncated cmap table")
		}
		platform, encoding, off := be.Uint16(cmap[p:]), be.Uint16(cmap[p+2:]), int(be.Uint32(cmap[p+4:]))
		// The same choice as gofpdf: the first (3,1) or (0,x) subtable
		// in format 4.
		if (platform == 3 && encoding == 1) || platform == 0 {
			if off+4 <= len(cmap) && be.Uint16(cmap[off:]) == 4 {
				l := int(be.Uint16(cmap[off+2:]))
				if off+l > len(cmap) {
					return errors.New("truncated cmap format 4 subtable")
				}
				sub = cmap[off : off+l]
				break
			}
		}
	}
	if sub == nil {
		return errors.New("no Unicode (3,1) cmap subtable in format 4")
	}
	if len(sub) < 14 {
		return errors.New("truncated cmap format 4 subtable")
	}
	segs := int(be.Uint16(sub[6:])) / 2
	endAt, startAt := 14, 16+2*segs
	deltaAt, rangeAt := startAt+2*segs, startAt+4*segs
	if rangeAt+2*segs > len(sub) {
		return errors.New("truncated cmap format 4 subtable")
	}
	f.cmap = make([]uint16, 0x10000)
	next := 0 // segments are sorted and disjoint; clamping keeps the work to one pass over the BMP even in a damaged font
	for s := 0; s < segs; s++ {
		end := int(be.Uint16(sub[endAt+2*s:]))
		start := max(int(be.Uint16(sub[startAt+2*s:])), next)
		next = max(next, end+1)
		delta := int(be.Uint16(sub[deltaAt+2*s:]))
		ro := int(be.Uint16(sub[rangeAt+2*s:]))
		for c := start; c <= end && c < 0xFFFF; c++ {
			var g int
			if ro == 0 {
				g = (c + delta) & 0xFFFF
			} else {
				p := rangeAt + 2*s + ro + 2*(c-start)
				if p+2 > len(sub) {
					continue
				}
				if g = int(be.Uint16(sub[p:])); g != 0 {
					g = (g + delta) & 0xFFFF
				}
			}
			if g < f.numGlyphs {
				f.cmap[c] = uint16(g)
			}
		}
	}
	return nil
}

// parseCmap12 reads the runes above U+FFFF of the first (3,10) or (0,4)
// format-12 subtable, if the font has one.
func (f *Face) parseCmap12() error {
	be := binary.BigEndian
	cmap := f.tables["cmap"]
	for i := 0; i < int(be.Uint16(cmap[2:])); i++ {
		p := 4 + 8*i
		if p+8 > len(cmap) {
			return errors.New("truncated cmap table")
		}
		platform, encoding, off := be.Uint16(cmap[p:]), be.Uint16(cmap[p+2:]), int(be.Uint32(cmap[p+4:]))
		if !(platform == 3 && encoding == 10) && !(platform == 0 && encoding == 4) {
			continue
		}
		if off+16 > len(cmap) || be.Uint16(cmap[off:]) != 12 {
			continue
		}
		groups := int(be.Uint32(cmap[off+12:]))
		if off+16+12*groups > len(cmap) {
			return errors.New("truncated cmap format 12 subtable")
		}
		f.supp = map[rune]uint16{}
		for g := 0; g < groups; g++ {
			q := off + 16 + 12*g
			start, end, glyph := be.Uint32(cmap[q:]), be.Uint32(cmap[q+4:]), be.Uint32(cmap[q+8:])
			// Only the planes above the BMP (the BMP is the format-4
			// subtable's), and at most to the last plane.
			start = max(start, 0x10000)
			end = min(end, 0x10FFFF)
			for c := start; c <= end && c >= 0x10000; c++ {
				if g := glyph + (c - be.Uint32(cmap[q:])); g != 0 && int(g) < f.numGlyphs {
					f.supp[rune(c)] = uint16(g)
				}
			}
		}
		return nil
	}
	return nil
}

func (f *Face) parseWidths() {
	f.width = make([]uint16, 0x10000)
	scale := 1000 / float64(f.unitsPerEm)
	for r, g := range f.cmap {
		if g == 0 {
			continue
		}
		adv, _ := f.hmetric(int(g))
		f.width[r] = uint16(min(math.Round(scale*float64(adv)), math.MaxUint16))
	}
}

// hmetric returns the advance width and left side bearing of glyph g in
// font units.
func (f *Face) hmetric(g int) (adv uint16, lsb int16) {
	be := binary.BigEndian
	hmtx := f.hmtx
	if g < f.numHMetric {
		return be.Uint16(hmtx[4*g:]), int16(be.Uint16(hmtx[4*g+2:]))
	}
	adv = be.Uint16(hmtx[4*(f.numHMetric-1):])
	return adv, int16(be.Uint16(hmtx[4*f.numHMetric+2*(g-f.numHMetric):]))
}

// readName returns the font's full name (name ID 4) from its Windows
// Unicode English record, for error messages and the document's metadata.
func (f *Face) readName() string {
	be := binary.BigEndian
	t := f.tables["name"]
	if len(t) < 6 {
		return ""
	}
	count, strOff := int(be.Uint16(t[2:])), int(be.Uint16(t[4:]))
	for i := 0; i < count; i++ {
		p := 6 + 12*i
		if p+12 > len(t) {
			break
		}
		plat, enc, lang, id := be.Uint16(t[p:]), be.Uint16(t[p+2:]), be.Uint16(t[p+4:]), be.Uint16(t[p+6:])
		l, o := int(be.Uint16(t[p+8:])), int(be.Uint16(t[p+10:]))
		if plat != 3 || enc != 1 || lang != 0x409 || id != 4 || strOff+o+l > len(t) {
			continue
		}
		raw := t[strOff+o : strOff+o+l]
		u := make([]uint16, len(raw)/2)
		for j := range u {
			u[j] = be.Uint16(raw[2*j:])
		}
		return string(utf16.Decode(u))
	}
	return ""
}

// Name returns the font's full name, e.g. "WenQuanYi Micro Hei".
func (f *Face) Name() string { return f.name }

// Bytes returns the font file the Face was parsed from. The caller must
// not modify it.
func (f *Face) Bytes() []byte { return f.data }

// Has reports whether the font draws r: r is in the Basic Multilingual
// Plane (gofpdf cannot encode anything above U+FFFF), maps to a glyph, and
// that glyph has a non-zero advance (gofpdf turns a zero width into 65535,
// which would wreck the line).
//
// Above U+FFFF, Has reports whether the font's format-12 cmap draws r;
// such a rune is printed only through a subset cut with SubsetAs under a
// BMP code.
func (f *Face) Has(r rune) bool {
	if r > 0xFFFF {
		return f.Width(r) != 0
	}
	return r > 0 && r < 0xFFFF && f.cmap[r] != 0 && f.width[r] != 0
}

// Width returns the advance of r in thousandths of an em, exactly as
// gofpdf's GetStringWidth counts it, or 0 if the font lacks r.
func (f *Face) Width(r rune) int {
	if r > 0xFFFF {
		g, ok := f.supp[r]
		if !ok {
			return 0
		}
		adv, _ := f.hmetric(int(g))
		return int(min(math.Round(1000/float64(f.unitsPerEm)*float64(adv)), math.MaxUint16))
	}
	if !f.Has(r) {
		return 0
	}
	return int(f.width[r])
}

// glyph is the glyph that draws r, 0 if none.
func (f *Face) glyph(r rune) int {
	if r > 0xFFFF {
		return int(f.supp[r])
	}
	return int(f.cmap[r])
}

// Mapping puts the glyph of Rune under Code in a subset (SubsetAs).
type Mapping struct {
	Code rune // the code the subset's cmap gives it
	Rune rune // the rune of this font whose glyph it is
}

// Subset returns a TrueType font holding .notdef and the glyphs of runes
// (plus the components of composite glyphs), for gofpdf to embed. Runes the
// font lacks are ignored; check them with Has first. The output depends
// only on the set of runes, not their order or repetition, which keeps
// documents reproducible.
func (f *Face) Subset(runes []rune) ([]byte, error) {
	m := make([]Mapping, 0, len(runes))
	for _, r := range runes {
		if r <= 0xFFFF {
			m = append(m, Mapping{r, r})
		}
	}
	return f.SubsetAs(m)
}

// SubsetAs is Subset with each glyph under a code of the caller's choice:
// a rune above U+FFFF, which gofpdf cannot encode, under a code of the
// Private Use Area, say. Codes above U+FFFF get a format-12 cmap subtable
// too (for cutting a font to package, not for gofpdf). Mappings of runes
// the font lacks are ignored. The output depends only on the set of
// mappings.
func (f *Face) SubsetAs(mappings []Mapping) ([]byte, error) {
	be := binary.BigEndian
	glyf := f.glyf
	// keep[g] marks the glyphs to copy; a slice, not a map, because this
	// runs for every report.
	keep := make([]bool, f.numGlyphs)
	keep[0] = true
	var queue []int
	for _, m := range mappings {
		if !f.Has(m.Rune) {
			continue
		}
		if g := f.glyph(m.Rune); !keep[g] {
			keep[g] = true
			queue = append(queue, g)
		}
	}
	for len(queue) > 0 {
		g := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		comps, err := f.components(g)
		if err != nil {
			return nil, err
		}
		for _, c := range comps {
			if !keep[c] {
				keep[c] = true
				queue = append(queue, c)
			}
		}
	}
	// New glyph ids follow the old order, so the output is a function of
	// the rune set alone.
	var old []int
	newID := make(map[int]int)
	for g, k := range keep {
		if k {
			newID[g] = len(old)
			old = append(old, g)
		}
	}

	newGlyf := make([]byte, 0, 64*len(old))
	loca := make([]byte, 4*(len(old)+1))
	hmtx := make([]byte, 4*len(old))
	for i, g := range old {
		be.PutUint32(loca[4*i:], uint32(len(newGlyf)))
		start, end := f.glyphRange(g)
		if start > end || end > len(glyf) {
			return nil, fmt.Errorf("font: glyph %d lies outside the glyf table", g)
		}
		at := len(newGlyf)
		newGlyf = append(newGlyf, glyf[start:end]...)
		if err := remapComponents(newGlyf[at:], newID); err != nil {
			return nil, err
		}
		newGlyf = append(newGlyf, make([]byte, (4-len(newGlyf)%4)%4)...)
		adv, lsb := f.hmetric(g)
		be.PutUint16(hmtx[4*i:], adv)
		be.PutUint16(hmtx[4*i+2:], uint16(lsb))
	}
	be.PutUint32(loca[4*len(old):], uint32(len(newGlyf)))

	head := append([]byte(nil), f.tables["head"]...)
	be.PutUint16(head[50:], 1) // long loca offsets
	hhea := append([]byte(nil), f.tables["hhea"]...)
	be.PutUint16(hhea[34:], uint16(len(old)))
	maxp := append([]byte(nil), f.tables["maxp"]...)
	be.PutUint16(maxp[4:], uint16(len(old)))
	// post version 3 carries no glyph names (the original's names are
	// half a megabyte and useless inside a PDF).
	post := append([]byte(nil), f.tables["post"][:32]...)
	be.PutUint32(post[0:], 0x00030000)

	pairs := make([]cmapPair, 0, len(mappings))
	for _, m := range mappings {
		if f.Has(m.Rune) {
			pairs = append(pairs, cmapPair{m.Code, uint16(newID[f.glyph(m.Rune)])})
		}
	}
	out := map[string][]byte{
		"head": head, "hhea": hhea, "maxp": maxp, "post": post,
		"hmtx": hmtx, "loca": loca, "glyf": newGlyf,
		"cmap": buildCmap(pairs), "name": f.tables["name"],
	}
	// Hinting programs and the OS/2 metrics are glyph-independent and
	// small; they are kept so the subset renders like the full font.
	for _, t := range []string{"OS/2", "cvt ", "fpgm", "prep", "gasp"} {
		if b := f.tables[t]; b != nil {
			out[t] = b
		}
	}
	return assemble(out), nil
}

func (f *Face) glyphRange(g int) (start, end int) {
	be := binary.BigEndian
	loca := f.loca
	if f.longLoca {
		return int(be.Uint32(loca[4*g:])), int(be.Uint32(loca[4*g+4:]))
	}
	return 2 * int(be.Uint16(loca[2*g:])), 2 * int(be.Uint16(loca[2*g+2:]))
}

// Composite glyph flags (OpenType glyf table).
const (
	argsAreWords  = 0x0001
	haveScale     = 0x0008
	moreComps     = 0x0020
	haveXYScale   = 0x0040
	haveTwoByTwo  = 0x0080
	compositeHead = 10
)

// walkComponents calls fn with the offset of each component's glyph index
// in the composite glyph data; it does nothing for a simple glyph.
func walkComponents(data []byte, fn func(at int)) error {
	be := binary.BigEndian
	if len(data) < compositeHead || int16(be.Uint16(data)) >= 0 {
		return nil
	}
	p := compositeHead
	for {
		if p+4 > len(data) {
			return errors.New("font: truncated composite glyph")
		}
		flags := be.Uint16(data[p:])
		fn(p + 2)
		p += 4
		if flags&argsAreWords != 0 {
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&haveScale != 0:
			p += 2
		case flags&haveXYScale != 0:
			p += 4
		case flags&haveTwoByTwo != 0:
			p += 8
		}
		if flags&moreComps == 0 {
			return nil
		}
	}
}

func (f *Face) components(g int) ([]int, error) {
	start, end := f.glyphRange(g)
	glyf := f.glyf
	if start > end || end > len(glyf) {
		return nil, fmt.Errorf("font: glyph %d lies outside the glyf table", g)
	}
	data := glyf[start:end]
	var out []int
	err := walkComponents(data, func(at int) {
		out = append(out, int(binary.BigEndian.Uint16(data[at:])))
	})
	for _, c := range out {
		if c >= f.numGlyphs {
			return nil, fmt.Errorf("font: glyph %d refers to missing glyph %d", g, c)
		}
	}
	return out, err
}

func remapComponents(data []byte, newID map[int]int) error {
	return walkComponents(data, func(at int) {
		old := binary.BigEndian.Uint16(data[at:])
		binary.BigEndian.PutUint16(data[at:], uint16(newID[int(old)]))
	})
}

type cmapPair struct {
	r rune
	g uint16
}

// buildCmap writes a cmap with one (3,1) format-4 subtable. Runs of
// consecutive code points whose glyph ids are also consecutive share a
// segment (idDelta, no glyph id array).
func buildCmap(pairs []cmapPair) []byte {
	sort.Slice(pairs, func(i, j int) bool { return pairs[i].r < pairs[j].r })
	type seg struct{ start, end, delta uint16 }
	var segs []seg
	var wide bool
	for i, p := range pairs {
		if i > 0 && pairs[i-1].r == p.r {
			continue // a repeated rune
		}
		if p.r > 0xFFFF {
			wide = true
			continue
		}
		d := uint16(int(p.g) - int(p.r))
		if n := len(segs); n > 0 && segs[n-1].end+1 == uint16(p.r) && segs[n-1].delta == d {
			segs[n-1].end++
			continue
		}
		segs = append(segs, seg{uint16(p.r), uint16(p.r), d})
	}
	segs = append(segs, seg{0xFFFF, 0xFFFF, 1})
	n := len(segs)
	es := 0
	for 1<<(es+1) <= n {
		es++
	}
	be := binary.BigEndian
	sub := make([]byte, 16+8*n)
	be.PutUint16(sub[0:], 4)
	be.PutUint16(sub[2:], uint16(len(sub)))
	be.PutUint16(sub[6:], uint16(2*n))
	be.PutUint16(sub[8:], uint16(2<<es))
	be.PutUint16(sub[10:], uint16(es))
	be.PutUint16(sub[12:], uint16(2*n-(2<<es)))
	for i, s := range segs {
		be.PutUint16(sub[14+2*i:], s.end)
		be.PutUint16(sub[16+2*n+2*i:], s.start)
		be.PutUint16(sub[16+4*n+2*i:], s.delta)
		// idRangeOffset stays 0.
	}
	if wide {
		return withCmap12(sub, pairs)
	}
	head := make([]byte, 12)
	be.PutUint16(head[2:], 1)
	be.PutUint16(head[4:], 3)
	be.PutUint16(head[6:], 1)
	be.PutUint32(head[8:], 12)
	return append(head, sub...)
}

// withCmap12 is a cmap of the format-4 subtable sub (the BMP) and a (3,10)
// format-12 subtable of every pair, sorted, for a font that draws runes
// above U+FFFF.
func withCmap12(sub []byte, pairs []cmapPair) []byte {
	be := binary.BigEndian
	type group struct{ start, end, glyph uint32 }
	var gs []group
	for i, p := range pairs {
		if i > 0 && pairs[i-1].r == p.r {
			continue
		}
		if n := len(gs); n > 0 && gs[n-1].end+1 == uint32(p.r) && gs[n-1].glyph+(gs[n-1].end-gs[n-1].start)+1 == uint32(p.g) {
			gs[n-1].end++
			continue
		}
		gs = append(gs, group{uint32(p.r), uint32(p.r), uint32(p.g)})
	}
	sub12 := make([]byte, 16+12*len(gs))
	be.PutUint16(sub12[0:], 12)
	be.PutUint32(sub12[4:], uint32(len(sub12)))
	be.PutUint32(sub12[12:], uint32(len(gs)))
	for i, g := range gs {
		be.PutUint32(sub12[16+12*i:], g.start)
		be.PutUint32(sub12[20+12*i:], g.end)
		be.PutUint32(sub12[24+12*i:], g.glyph)
	}
	head := make([]byte, 4+8*2)
	be.PutUint16(head[2:], 2)
	be.PutUint16(head[4:], 3)
	be.PutUint16(head[6:], 1)
	be.PutUint32(head[8:], uint32(len(head)))
	be.PutUint16(head[12:], 3)
	be.PutUint16(head[14:], 10)
	be.PutUint32(head[16:], uint32(len(head)+len(sub)))
	out := append(head, sub...)
	return append(out, sub12...)
}

// assemble writes a TrueType file from its tables, with the directory in
// tag order, 4-byte aligned tables, table checksums and
// head.checkSumAdjustment.
func assemble(tables map[string][]byte) []byte {
	be := binary.BigEndian
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	n := len(tags)
	size := 12 + 16*n
	for _, t := range tags {
		size += (len(tables[t]) + 3) &^ 3
	}
	out := make([]byte, 12+16*n, size)
	be.PutUint32(out[0:], 0x00010000)
	be.PutUint16(out[4:], uint16(n))
	es := 0
	for 1<<(es+1) <= n {
		es++
	}
	be.PutUint16(out[6:], uint16(16<<es))
	be.PutUint16(out[8:], uint16(es))
	be.PutUint16(out[10:], uint16(16*n-(16<<es)))
	headAt := -1
	for i, t := range tags {
		b := tables[t]
		if t == "head" {
			b = append([]byte(nil), b...)
			be.PutUint32(b[8:], 0)
			headAt = len(out)
		}
		p := 12 + 16*i
		copy(out[p:], t)
		be.PutUint32(out[p+4:], checksum(b))
		be.PutUint32(out[p+8:], uint32(len(out)))
		be.PutUint32(out[p+12:], uint32(len(b)))
		out = append(out, b...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	if headAt >= 0 {
		be.PutUint32(out[headAt+8:], 0xB1B0AFBA-checksum(out))
	}
	return out
}

func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i+4 <= len(b); i += 4 {
		sum += binary.BigEndian.Uint32(b[i:])
	}
	if rem := len(b) % 4; rem != 0 {
		var last [4]byte
		copy(last[:], b[len(b)-rem:])
		sum += binary.BigEndian.Uint32(last[:])
	}
	return sum
}
