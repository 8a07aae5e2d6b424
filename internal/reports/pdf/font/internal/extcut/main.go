// Command extcut cuts the fallback font of Sunlight's reports: the CJK
// Extension A and Extension B characters of a Hanazono Mincho face, for the
// rare characters of real names (𠮷, U+20BB7) that the main font lacks.
//
// The fallback embedded in sunlight/internal/reports/pdf/font was made from
// Debian's fonts-hanazono package (20170904-2.1) with:
//
//	apt-get download fonts-hanazono && dpkg-deb -x fonts-hanazono_*.deb x
//	go run ./internal/reports/pdf/font/internal/extcut \
//	    -in x/usr/share/fonts/truetype/hanazono/HanaMinA.ttf \
//	    -out internal/reports/pdf/font/hanazono-ext.ttf
//
// HanaMinA holds all of Extension A (6,582 characters) and the 2,858
// characters of Extension B most in use; HanaMinB's other 39,853 would add
// some 22 MB, so they are left out: a name character no font has is still
// printed as 〓 and logged. The glyphs are copied as they are (package font's
// SubsetAs); the cmap has a format-12 subtable for Extension B.
package main

import (
	"flag"
	"fmt"
	"os"

	"sunlight/internal/reports/pdf/font"
)

func main() {
	in := flag.String("in", "", "input .ttf file (HanaMinA.ttf)")
	out := flag.String("out", "", "output .ttf file")
	flag.Parse()
	if *in == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "extcut:", err)
		os.Exit(1)
	}
}

// Ranges are the blocks the fallback covers.
var Ranges = [][2]rune{{0x3400, 0x4DBF}, {0x20000, 0x2A6DF}}

func run(in, out string) error {
	f, err := font.Load(in)
	if err != nil {
		return err
	}
	var m []font.Mapping
	for _, rg := range Ranges {
		for r := rg[0]; r <= rg[1]; r++ {
			if f.Has(r) {
				m = append(m, font.Mapping{Code: r, Rune: r})
			}
		}
	}
	b, err := f.SubsetAs(m)
	if err != nil {
		return err
	}
	if _, err := font.Parse(b); err != nil {
		return fmt.Errorf("the cut font does not parse: %w", err)
	}
	fmt.Printf("%d characters, %d bytes\n", len(m), len(b))
	return os.WriteFile(out, b, 0o644)
}
