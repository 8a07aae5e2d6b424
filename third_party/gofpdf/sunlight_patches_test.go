package gofpdf

// Tests for Sunlight's patches: each patched function against the upstream
// code it replaced, which is kept here as the reference.

import (
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"
)

// upstreamSliceCompress is v1.16.2's sliceCompress: a new writer per call.
func upstreamSliceCompress(data []byte) []byte {
	var buf bytes.Buffer
	cmp, _ := zlib.NewWriterLevel(&buf, zlib.BestSpeed)
	cmp.Write(data)
	cmp.Close()
	return buf.Bytes()
}

// upstreamFontID is v1.16.2's generateFontID.
func upstreamFontID(fdt fontDefType) (string, error) {
	fdt.File = ""
	b, err := json.Marshal(&fdt)
	return fmt.Sprintf("%x", sha1.Sum(b)), err
}

func TestSliceCompressSameBytesAsANewWriter(t *testing.T) {
	rnd := rand.New(rand.NewSource(1))
	// One after another through the pool, as a document's streams are: a
	// reused writer must carry nothing over from the stream before.
	inputs := [][]byte{nil, {}, []byte("BT 10.00 20.00 Td (x) Tj ET\n"), make([]byte, 256*256*2)}
	for _, n := range []int{1, 100, 70000, 300000} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rnd.Intn(4)) // compressible, with matches everywhere
		}
		inputs = append(inputs, b)
	}
	page := bytes.Repeat([]byte("0.50 w 20.00 700.00 170.00 -8.00 re S\n"), 3000)
	inputs = append(inputs, page, page)
	for round := 0; round < 3; round++ {
		for i, in := range inputs {
			if got, want := sliceCompress(in), upstreamSliceCompress(in); !bytes.Equal(got, want) {
				t.Fatalf("round %d, input %d (%d bytes): %d bytes compressed, upstream %d", round, i, len(in), len(got), len(want))
			}
		}
	}
}

func FuzzAppendFixed(f *testing.F) {
	for _, v := range []float64{0, -0.0, 0.005, -0.005, 1.125, 595.28, 841.89, -1e-9, 1e21, math.Inf(1), math.Inf(-1), math.NaN(), math.MaxFloat64} {
		f.Add(v, 2)
		f.Add(v, 3)
	}
	f.Fuzz(func(t *testing.T, v float64, prec int) {
		if prec < 0 || prec > 20 {
			return
		}
		if got, want := string(appendFixed(nil, v, prec)), fmt.Sprintf("%.*f", prec, v); got != want {
			t.Errorf("appendFixed(%v, %d) = %q, fmt %q", v, prec, got, want)
		}
	})
}

func FuzzGenerateFontID(f *testing.F) {
	f.Add("UTF8", "cjk", "", 1000, -200, 900, 65536, int64(1))
	f.Add("TrueType", `a"Cw":null<&>`, "cp1252", 0, 0, 0, 256, int64(2))
	f.Add("Core", "Helvetica", "", 0, 0, 0, 0, int64(3))
	f.Fuzz(func(t *testing.T, tp, name, enc string, ascent, descent, missing, n int, seed int64) {
		if n < 0 || n > 1<<17 {
			return
		}
		rnd := rand.New(rand.NewSource(seed))
		fdt := fontDefType{Tp: tp, Name: name, Enc: enc, File: "x.z", Up: -100, Ut: 50}
		fdt.Desc.Ascent, fdt.Desc.Descent, fdt.Desc.MissingWidth = ascent, descent, missing
		if n > 0 || seed%2 == 0 { // seed odd and n 0: a nil table
			fdt.Cw = make([]int, n)
			for i := range fdt.Cw {
				fdt.Cw[i] = rnd.Intn(70000) - 2000
			}
		}
		got, err := generateFontID(fdt)
		want, werr := upstreamFontID(fdt)
		if got != want || (err == nil) != (werr == nil) {
			t.Errorf("font ID %q (%v), upstream %q (%v)", got, err, want, werr)
		}
	})
}

// TestDrawingOperatorsSameBytes: Text and Rect, appended instead of
// Sprintf'd, write what upstream's format strings write, with and without a
// text colour different from the fill (the q … Q wrapper), for text that
// needs escaping and for coordinates that round either way.
func TestDrawingOperatorsSameBytes(t *testing.T) {
	pdf := New("P", "mm", "A4", "")
	pdf.AddPage()
	pdf.SetFont("Helvetica", "", 10)
	k, h := pdf.k, pdf.h
	var want []string
	for i, c := range []struct {
		x, y, w, hh float64
		text        string
		style       string
		coloured    bool
	}{
		{10, 20, 30, 5, "plain", "D", false},
		{0.005, 296.995, 0.0049, -1, `esc (a) \ b` + "\r", "F", true},
		{-3.14159, 1e-7, 209.99, 0.001, "", "FD", false},
		{105.125, 148.5, 1e6, 12.5, "end", "df*", true},
	} {
		if c.coloured {
			pdf.SetTextColor(200, 10, 10)
		} else {
			pdf.SetTextColor(0, 0, 0)
		}
		pdf.Text(c.x, c.y, c.text)
		s := fmt.Sprintf("BT %.2f %.2f Td (%s) Tj ET", c.x*k, (h-c.y)*k, pdf.escape(c.text))
		if pdf.colorFlag {
			s = fmt.Sprintf("q %s %s Q", pdf.color.text.str, s)
		}
		want = append(want, s)
		pdf.Rect(c.x, c.y, c.w, c.hh, c.style)
		want = append(want, fmt.Sprintf("%.2f %.2f %.2f %.2f re %s", c.x*k, (h-c.y)*k, c.w*k, -c.hh*k, fillDrawOp(c.style)))
		if i == 1 && !pdf.colorFlag {
			t.Fatal("the coloured case does not exercise the q … Q wrapper")
		}
	}
	if err := pdf.Error(); err != nil {
		t.Fatal(err)
	}
	got := pdf.pages[1].String()
	if !strings.HasSuffix(got, strings.Join(want, "\n")+"\n") {
		t.Errorf("page content ends\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
}
