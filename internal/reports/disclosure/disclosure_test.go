package disclosure_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"sunlight/ent"
	"sunlight/internal/demo"
	"sunlight/internal/demo/demotest"
	"sunlight/internal/ledger/signing"
	"sunlight/internal/reports/disclosure"
	"sunlight/internal/reports/pdf"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func render(t *testing.T, client *ent.Client, code string, month calendar.Period) ([]byte, *pdf.Monthly) {
	t.Helper()
	ctx := context.Background()
	c, err := disclosure.Community(ctx, client, code)
	if err != nil {
		t.Fatal(err)
	}
	m, err := disclosure.Monthly(ctx, client, c, month)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := pdf.RenderMonthly(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), m
}

func TestDemoOctober2026Disclosure(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		d := dbtest.Open(t, dsn)
		ctx := context.Background()
		oct := calendar.Month(2026, 10)
		pdf, m := render(t, d.Client, demo.Code, oct)
		again, _ := render(t, d.Client, demo.Code, oct)
		if sha256.Sum256(pdf) != sha256.Sum256(again) {
			t.Fatal("the same data gave two different PDFs")
		}

		// The gathered figures are the article's board.
		want := map[string]string{"办公经费": "26,868.00", "集体公益福利支出": "36,360.00", "办公用品": "1,160.00"}
		for _, e := range m.Expense {
			if w, ok := want[e.Category]; ok {
				if e.Month.Grouped() != w {
					t.Errorf("%s this month = %s, want %s", e.Category, e.Month.Grouped(), w)
				}
				delete(want, e.Category)
			}
		}
		if len(want) > 0 {
			t.Errorf("the report's expense lines lack %v", want)
		}
		if m.Meetings.DeliberationMeetings != 8 {
			// Nine in 2026, the ninth held in November: an October report counts eight.
			t.Errorf("deliberation meetings to the end of October = %d, want 8", m.Meetings.DeliberationMeetings)
		}
		for _, v := range m.Vouchers {
			if v.Signatures < 9 {
				t.Errorf("voucher %s printed with %d signatures", v.Number, v.Signatures)
			}
			// Each signer is named with the fingerprint of the demo's key
			// for that name: the key the signature verifies with.
			if len(v.Signers) != v.Signatures {
				t.Errorf("voucher %s: %d signers for %d signatures", v.Number, len(v.Signers), v.Signatures)
			}
			for _, g := range v.Signers {
				key := demo.SignerKey(demo.Code, g.Name).Public().(ed25519.PublicKey)
				if want := signing.Fingerprint(signing.Encode(key)); g.NameOnly || g.Fingerprint != want || g.Capacity == "" {
					t.Errorf("voucher %s: signer %+v, want fingerprint %s", v.Number, g, want)
				}
			}
		}

		text := pdfText(t, pdf)
		for _, s := range []string{"财务公开", "办公经费", "26,868.00", "贰万陆仟捌佰陆拾捌元整", "阁子市社区", "八、凭证审批签字", "本月全部凭证"} {
			if !strings.Contains(text, s) {
				t.Errorf("pdftotext does not give back %q", s)
			}
		}
		// No resident's full name, ID number or phone in a published report.
		residents := d.Client.Resident.Query().AllX(ctx)
		flat := strings.ReplaceAll(strings.ReplaceAll(text, " ", ""), "\n", "")
		for _, r := range residents {
			if len([]rune(r.Name)) >= 3 && strings.Contains(flat, r.Name) {
				t.Errorf("report shows the full name %s", r.Name)
			}
			if strings.Contains(flat, r.IDNumber) || strings.Contains(flat, r.Phone) {
				t.Errorf("report shows personal data of %s", r.Name)
			}
		}
		qpdfCheck(t, pdf)
	})
}

func TestYearlySummary(t *testing.T) {
	d := demotest.Open(t, dbtest.SQLite)
	ctx := context.Background()
	c, _ := disclosure.Community(ctx, d.Client, demo.Code)
	y, err := disclosure.Yearly(ctx, d.Client, c, 2025)
	if err != nil {
		t.Fatal(err)
	}
	if len(y.YearEnds) != 9 || y.YearEnds[0].Year != 2017 || y.YearEnds[8].Year != 2025 {
		t.Fatalf("year ends %v, want 2017 (first inventory) to 2025", y.YearEnds)
	}
	if y.YearEnds[8].Total < 100_000_000*100 {
		t.Fatalf("2025 total %s, want past 100 million", y.YearEnds[8].Total.Grouped())
	}
	var buf bytes.Buffer
	if err := pdf.RenderYearly(&buf, y); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, buf.Bytes())
	for _, s := range []string{"社区集体资产增长情况", "114,055,439.00", "2017"} {
		if !strings.Contains(text, s) {
			t.Errorf("yearly summary does not give back %q", s)
		}
	}
	qpdfCheck(t, buf.Bytes())
	if _, err := disclosure.Yearly(ctx, d.Client, c, 2010); err == nil {
		t.Fatal("a year before the first inventory was summarised")
	}
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (apt-get install poppler-utils); .ci/run installs it")
	}
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func qpdfCheck(t *testing.T, pdf []byte) {
	t.Helper()
	if _, err := exec.LookPath("qpdf"); err != nil {
		t.Skip("qpdf not installed (apt-get install qpdf); .ci/run installs it")
	}
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("qpdf", "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
}
