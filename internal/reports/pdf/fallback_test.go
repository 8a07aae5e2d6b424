package pdf

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// rareFixture is October's disclosure in the current layout with the rare
// characters of names: 𠮷 (U+20BB7, Extension B) in a resident's name and a
// summary, 㐀 (U+3400, Extension A), and ☃, which no font has, in a
// person's name.
func rareFixture() *Monthly {
	m := octoberFixture()
	m.Layout = LayoutCurrent
	m.Inquiries[0].AskedBy = "𠮷野家"
	m.Vouchers[0].Summary = "支付𠮷祥物制作费㐀"
	m.Contracts[0].Counterparty, m.Contracts[0].CounterpartyIsPerson = "☃春", true
	return m
}

func TestFallbackFont(t *testing.T) {
	var logs bytes.Buffer
	r, err := NewRenderer(WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	m := rareFixture()
	text, err := r.MonthlyText(m)
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.ReplaceAll(text, "\n", "")
	// Masked before cleaning: 𠮷野家 → 𠮷*家; ☃春 → ☃* → 〓*.
	for _, want := range []string{"𠮷*家", "支付𠮷祥物制作费㐀", "〓*"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the layout lacks %q", want)
		}
	}
	if strings.Contains(flat, "U+20BB7") {
		t.Error("𠮷 is printed by its code point, not from the fallback font")
	}
	var a, b bytes.Buffer
	if err := r.Monthly(&a, m); err != nil {
		t.Fatalf("a rare character stopped the report: %v", err)
	}
	if err := r.Monthly(&b, m); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the same data gave two different PDFs")
	}
	if !strings.Contains(logs.String(), "U+2603") || strings.Contains(logs.String(), "U+20BB7") || strings.Contains(logs.String(), "U+3400") {
		t.Errorf("want one WARN for ☃ and none for what the fallback draws:\n%s", logs.String())
	}
	t.Run("pdftotext gives the characters back", func(t *testing.T) {
		got := strings.ReplaceAll(pdfText(t, a.Bytes()), " ", "")
		for _, want := range []string{"𠮷*家", "支付𠮷祥物制作费㐀", "〓*"} {
			if !strings.Contains(got, want) {
				t.Errorf("pdftotext lacks %q", want)
			}
		}
		if strings.ContainsRune(got, 0xE000) {
			t.Error("pdftotext gives the private code, not 𠮷")
		}
	})
	t.Run("qpdf finds the file sound", func(t *testing.T) {
		tool := needTool(t, "qpdf")
		if out, err := exec.Command(tool, "--check", writeTemp(t, "r.pdf", a.Bytes())).CombinedOutput(); err != nil {
			t.Errorf("qpdf --check: %v\n%s", err, out)
		}
	})
	t.Run("without a fallback 𠮷 is a visible substitute", func(t *testing.T) {
		r, err := NewRenderer(WithFallback(nil), WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatal(err)
		}
		text, err := r.MonthlyText(rareFixture())
		if err != nil {
			t.Fatal(err)
		}
		if flat := strings.ReplaceAll(text, "\n", ""); !strings.Contains(flat, "〓*家") || !strings.Contains(flat, "支付〓祥物制作费〓") {
			t.Errorf("want 〓 for what no font has:\n%s", text)
		}
	})
}

// TestLayout1Unchanged: reports published in layout 1 (𠮷 by its code
// point, no balance) render to the bytes they were published with. The
// hashes were taken with the renderer of commit f21275f, before Layout2.
func TestLayout1Unchanged(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	m := rareFixture()
	m.Layout = Layout1
	m.Balance = &Balance{GoLiveYear: 2026, GoLiveMonth: time.September, Opening: yuan("1000.00")} // not printed before Layout2
	y := yearlyFixture()
	y.Layout = Layout1
	for _, tc := range []struct {
		name   string
		render func(*bytes.Buffer) error
		want   string
	}{
		{"monthly", func(b *bytes.Buffer) error { return r.Monthly(b, m) }, "0879370971944836570027a658c760ede5a7542c668c4d16b05da3d420d80bd6"},
		{"yearly", func(b *bytes.Buffer) error { return r.Yearly(b, y) }, "72d97cbe3b566f0935541b1204a94e906937c7e79ffd9dda1e440232c65a30cf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.render(&b); err != nil {
				t.Fatal(err)
			}
			if sum := sha256.Sum256(b.Bytes()); hex.EncodeToString(sum[:]) != tc.want {
				t.Errorf("layout 1 renders to SHA-256 %x, published as %s", sum, tc.want)
			}
		})
	}
}

func TestBalance(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	m := octoberFixture()
	m.Layout = LayoutCurrent
	// The fixture's October: income 243,700.00, expense 125,038.00.
	m.Balance = &Balance{GoLiveYear: 2026, GoLiveMonth: time.September, Opening: yuan("500000.00"),
		IncomeBefore: yuan("1200000.00"), ExpenseBefore: yuan("300000.00")}
	text, err := r.MonthlyText(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"资金余额（单位：元）",
		"期初余额（2026年10月1日）\n500,000.00\n伍拾万元整",
		"加：本月收入\n243,700.00",
		"减：本月支出\n125,038.00",
		"期末余额（2026年10月31日）\n618,662.00\n陆拾壹万捌仟陆佰陆拾贰元整",
		"本社区账务自2026年9月起在本平台记载",
		"2026年9月前本年已发生收入 1,200,000.00 元、支出 300,000.00 元",
	} {
		squeeze := strings.NewReplacer("\n", "", " ", "")
		if !strings.Contains(text, want) && !strings.Contains(squeeze.Replace(text), squeeze.Replace(want)) {
			t.Errorf("the disclosure lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
	t.Run("go-live month says entered", func(t *testing.T) {
		m := octoberFixture()
		m.Layout = LayoutCurrent
		m.Balance = &Balance{GoLiveYear: 2026, GoLiveMonth: time.October, Opening: yuan("1.00")}
		text, err := r.MonthlyText(m)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text, "期初余额（2026年10月1日，建账录入）") || strings.Contains(text, "前本年已发生") {
			t.Errorf("go-live month:\n%s", text)
		}
	})
	t.Run("a later year counts from January", func(t *testing.T) {
		m := octoberFixture()
		m.Layout = LayoutCurrent
		m.Balance = &Balance{GoLiveYear: 2025, GoLiveMonth: time.March, Opening: yuan("1.00")}
		text, err := r.MonthlyText(m)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text, "期末余额") || strings.Contains(text, "在本平台记载") {
			t.Errorf("later year:\n%s", text)
		}
	})
	t.Run("go-live after the month is bad data", func(t *testing.T) {
		m := octoberFixture()
		m.Layout = LayoutCurrent
		m.Balance = &Balance{GoLiveYear: 2026, GoLiveMonth: time.November}
		if _, err := r.MonthlyText(m); err == nil {
			t.Error("a balance from after the month was printed")
		}
	})
}

// TestWriteLayoutPNG writes the current layout's October (with an opening
// balance and rare name characters) as PDF and first-page and last-page
// PNGs, to look at: REPORT_PNG_DIR=/tmp/x go test -run TestWriteLayoutPNG.
func TestWriteLayoutPNG(t *testing.T) {
	dir := os.Getenv("REPORT_PNG_DIR")
	if dir == "" {
		t.Skip("set REPORT_PNG_DIR to write the PDF and PNGs there")
	}
	tool := needTool(t, "pdftoppm")
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	m := rareFixture()
	m.Balance = &Balance{GoLiveYear: 2026, GoLiveMonth: time.September, Opening: yuan("500000.00"),
		IncomeBefore: yuan("1200000.00"), ExpenseBefore: yuan("300000.00")}
	var b bytes.Buffer
	if err := r.Monthly(&b, m); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "layout2.pdf")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(tool, "-png", "-r", "110", p, filepath.Join(dir, "layout2")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
}

// TestLayout2Unchanged: reports published in layout 2 (rare characters in
// the fallback font, the balance table, no signer section) render to the
// bytes they were published with. The hashes were taken with the renderer
// of commit 2138029, before Layout3; the signers given to the voucher are
// not printed before Layout3.
func TestLayout2Unchanged(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	m := rareFixture()
	m.Layout = Layout2
	m.Balance = &Balance{GoLiveYear: 2026, GoLiveMonth: time.September, Opening: yuan("1000.00")}
	for i := range m.Vouchers {
		m.Vouchers[i].Signers = nineSigners // ignored before Layout3
	}
	y := yearlyFixture()
	y.Layout = Layout2
	for _, tc := range []struct {
		name   string
		render func(*bytes.Buffer) error
		want   string
	}{
		{"monthly", func(b *bytes.Buffer) error { return r.Monthly(b, m) }, "356144a70b42a549a29421480ea27451d23a32de78397b9f24ba108549f4b133"},
		{"yearly", func(b *bytes.Buffer) error { return r.Yearly(b, y) }, "72d97cbe3b566f0935541b1204a94e906937c7e79ffd9dda1e440232c65a30cf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.render(&b); err != nil {
				t.Fatal(err)
			}
			if sum := sha256.Sum256(b.Bytes()); hex.EncodeToString(sum[:]) != tc.want {
				t.Errorf("layout 2 renders to SHA-256 %x, published as %s", sum, tc.want)
			}
		})
	}
}
