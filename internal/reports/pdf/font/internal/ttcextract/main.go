// Command ttcextract copies one face of a TrueType Collection (.ttc) into a
// plain TrueType file (.ttf).
//
// It exists because gofpdf's AddUTF8Font reads only plain .ttf files while
// Debian ships WenQuanYi Micro Hei as a .ttc, and fontTools (the usual tool
// for this) is not available to the build. The font embedded in
// sunlight/report/font was made with:
//
//	go run ./report/font/internal/ttcextract \
//	    -in /usr/share/fonts/truetype/wqy/wqy-microhei.ttc -face 0 \
//	    -out report/font/wqy-microhei.ttf
//
// The tables are copied byte for byte; only their offsets change (each table
// starts on a 4-byte boundary, as the OpenType specification requires) and
// head.checkSumAdjustment is recomputed for the new file.
package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
)

func main() {
	in := flag.String("in", "", "input .ttc file")
	out := flag.String("out", "", "output .ttf file")
	face := flag.Int("face", 0, "index of the face to extract")
	flag.Parse()
	if *in == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	src, err := os.ReadFile(*in)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ttcextract:", err)
		os.Exit(1)
	}
	ttf, err := Extract(src, *face)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ttcextract:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, ttf, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "ttcextract:", err)
		os.Exit(1)
	}
}

type record struct {
	tag            string
	checksum       uint32
	offset, length uint32
	newOffset      uint32
}

// Extract returns face number face of the collection ttc as a standalone
// TrueType font.
func Extract(ttc []byte, face int) ([]byte, error) {
	be := binary.BigEndian
	if len(ttc) < 12 || string(ttc[:4]) != "ttcf" {
		return nil, errors.New("not a TrueType collection (no ttcf header)")
	}
	numFonts := int(be.Uint32(ttc[8:12]))
	if face < 0 || face >= numFonts {
		return nil, fmt.Errorf("face %d out of range: the collection has %d faces", face, numFonts)
	}
	if len(ttc) < 12+4*numFonts {
		return nil, errors.New("truncated collection header")
	}
	start := int(be.Uint32(ttc[12+4*face:]))
	if start+12 > len(ttc) {
		return nil, errors.New("face offset beyond the end of the file")
	}
	sfntVersion := be.Uint32(ttc[start:])
	numTables := int(be.Uint16(ttc[start+4:]))
	if start+12+16*numTables > len(ttc) {
		return nil, errors.New("truncated table directory")
	}
	recs := make([]record, numTables)
	for i := range recs {
		p := start + 12 + 16*i
		recs[i] = record{
			tag:      string(ttc[p : p+4]),
			checksum: be.Uint32(ttc[p+4:]),
			offset:   be.Uint32(ttc[p+8:]),
			length:   be.Uint32(ttc[p+12:]),
		}
		if uint64(recs[i].offset)+uint64(recs[i].length) > uint64(len(ttc)) {
			return nil, fmt.Errorf("table %q extends beyond the end of the file", recs[i].tag)
		}
	}
	// The directory must be sorted by tag; the source's order is kept if it
	// already is, and fixed if not.
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].tag < recs[j].tag })

	headerLen := 12 + 16*numTables
	pos := uint32(pad4(headerLen))
	for i := range recs {
		recs[i].newOffset = pos
		pos += uint32(pad4(int(recs[i].length)))
	}
	out := make([]byte, pos)
	be.PutUint32(out[0:], sfntVersion)
	be.PutUint16(out[4:], uint16(numTables))
	// searchRange, entrySelector and rangeShift follow from numTables.
	es := 0
	for 1<<(es+1) <= numTables {
		es++
	}
	be.PutUint16(out[6:], uint16(16<<es))
	be.PutUint16(out[8:], uint16(es))
	be.PutUint16(out[10:], uint16(numTables*16-(16<<es)))
	headOff := -1
	for i, r := range recs {
		p := 12 + 16*i
		copy(out[p:], r.tag)
		be.PutUint32(out[p+4:], r.checksum)
		be.PutUint32(out[p+8:], r.newOffset)
		be.PutUint32(out[p+12:], r.length)
		copy(out[r.newOffset:], ttc[r.offset:r.offset+r.length])
		if r.tag == "head" {
			headOff = int(r.newOffset)
		}
	}
	if headOff >= 0 && headOff+12 <= len(out) {
		// checkSumAdjustment is defined over the whole file with the field
		// itself set to zero.
		be.PutUint32(out[headOff+8:], 0)
		be.PutUint32(out[headOff+8:], 0xB1B0AFBA-checksum(out))
	}
	return out, nil
}

func pad4(n int) int { return (n + 3) &^ 3 }

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
