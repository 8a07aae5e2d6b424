package main

import (
	"bytes"
	"os"
	"testing"
)

// The committed font must be exactly what the tool makes from Debian's
// collection, so anyone can check where its bytes came from.
func TestExtractReproducesEmbeddedFont(t *testing.T) {
	ttc, err := os.ReadFile("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
	if err != nil {
		t.Skip("fonts-wqy-microhei is not installed (apt-get install -y fonts-wqy-microhei)")
	}
	want, err := os.ReadFile("../../wqy-microhei.ttf")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Extract(ttc, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("extracted face 0 differs from report/font/wqy-microhei.ttf")
	}
	if _, err := Extract(ttc, 2); err == nil {
		t.Error("face 2 of a two-face collection: no error")
	}
}

func TestExtractRefusesNonCollection(t *testing.T) {
	for _, in := range [][]byte{nil, []byte("\x00\x01\x00\x00 a plain font")} {
		if _, err := Extract(in, 0); err == nil {
			t.Errorf("Extract(%q): no error", in)
		}
	}
}
