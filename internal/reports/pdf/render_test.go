package pdf

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// needTool skips the test when an external tool is missing; CI installs
// poppler-utils and qpdf.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed (apt-get install -y poppler-utils qpdf)", name)
	}
	return p
}

func renderBoth(t *testing.T) map[string][]byte {
	t.Helper()
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	var mb, yb bytes.Buffer
	if err := r.Monthly(&mb, octoberFixture()); err != nil {
		t.Fatalf("Monthly: %v", err)
	}
	if err := r.Yearly(&yb, yearlyFixture()); err != nil {
		t.Fatalf("Yearly: %v", err)
	}
	return map[string][]byte{"monthly": mb.Bytes(), "yearly": yb.Bytes()}
}

func writeTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	tool := needTool(t, "pdftotext")
	out, err := exec.Command(tool, "-layout", writeTemp(t, "r.pdf", pdf), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func TestTextComesBack(t *testing.T) {
	docs := renderBoth(t)
	for _, tc := range []struct {
		doc  string
		want []string
	}{
		{"monthly", []string{"财务公开", "办公经费", "26,868.00", "贰万陆仟捌佰陆拾捌元整", "集体公益福利支出", "36,360.00",
			"办公用品", "1,160.00", "阁子市社区", "第 1 页 / 共", "上一期报告 SHA-256: 9f2c4e1ab37d", "张*春", "李*国",
			"议事协商会议 9 次", "108,652,340.00", "第 4 页 / 共 4 页"}},
		{"yearly", []string{"社区集体资产增长情况", "108,652,340.00", "首次突破1亿元", "2017", "房屋建筑", "天使基金奖励", "7.28%",
			"上一期报告 SHA-256: 0c1d2e3f"}},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			// pdftotext drops the narrow spaces around CJK text.
			text := strings.ReplaceAll(pdfText(t, docs[tc.doc]), " ", "")
			for _, w := range tc.want {
				if !strings.Contains(text, strings.ReplaceAll(w, " ", "")) {
					t.Errorf("pdftotext output lacks %q", w)
				}
			}
			for _, full := range []string{"张三春", "李建国", "王秀英"} {
				if strings.Contains(text, full) {
					t.Errorf("full name %q printed", full)
				}
			}
		})
	}
}

func TestQpdfCheck(t *testing.T) {
	tool := needTool(t, "qpdf")
	for name, pdf := range renderBoth(t) {
		t.Run(name, func(t *testing.T) {
			out, err := exec.Command(tool, "--check", writeTemp(t, name+".pdf", pdf)).CombinedOutput()
			if err != nil {
				t.Fatalf("qpdf --check: %v\n%s", err, out)
			}
			if !strings.Contains(string(out), "No syntax or stream encoding errors") {
				t.Errorf("qpdf --check:\n%s", out)
			}
		})
	}
}

func TestPages(t *testing.T) {
	tool := needTool(t, "pdfinfo")
	for name, want := range map[string]int{"monthly": 4, "yearly": 2} {
		t.Run(name, func(t *testing.T) {
			out, err := exec.Command(tool, writeTemp(t, name+".pdf", renderBoth(t)[name])).Output()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(out), "Page size:       595.28 x 841.89 pts (A4)") {
				t.Errorf("not A4:\n%s", out)
			}
			if !strings.Contains(string(out), fmt.Sprintf("Pages:           %d\n", want)) {
				t.Errorf("want %d pages:\n%s", want, out)
			}
		})
	}
}

func TestReproducible(t *testing.T) {
	a, b := renderBoth(t), renderBoth(t)
	for name := range a {
		ha, hb := sha256.Sum256(a[name]), sha256.Sum256(b[name])
		if ha != hb {
			t.Errorf("%s: two renders differ: %s vs %s", name, hex.EncodeToString(ha[:]), hex.EncodeToString(hb[:]))
		}
		if len(a[name]) > 150_000 {
			t.Errorf("%s is %d bytes; the font subset should keep it small", name, len(a[name]))
		}
	}
}

func TestWritePNG(t *testing.T) {
	dir := os.Getenv("REPORT_PNG_DIR")
	if dir == "" {
		t.Skip("set REPORT_PNG_DIR to write PDFs and first-page PNGs there")
	}
	tool := needTool(t, "pdftoppm")
	for name, pdf := range renderBoth(t) {
		p := filepath.Join(dir, name+".pdf")
		if err := os.WriteFile(p, pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(tool, "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", p, filepath.Join(dir, name)).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v\n%s", err, out)
		}
	}
}

// One Renderer shared by goroutines gives each the same bytes (run with
// -race to check the sharing).
func TestConcurrent(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := r.Monthly(&want, octoberFixture()); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 6)
	for range 6 {
		go func() {
			var b bytes.Buffer
			err := r.Monthly(&b, octoberFixture())
			if err == nil && !bytes.Equal(b.Bytes(), want.Bytes()) {
				err = errors.New("concurrent render gave different bytes")
			}
			errs <- err
		}()
	}
	for range 6 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
