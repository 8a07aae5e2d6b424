package disclosure_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"sunlight/ent/report"
	"sunlight/ent/resident"
	"sunlight/internal/demo"
	"sunlight/internal/demo/demotest"
	"sunlight/internal/reports/disclosure"
	"sunlight/internal/reports/pdf"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/mask"
	"sunlight/internal/vocab/money"
)

// flat is a report's text without the spaces and line breaks that layout
// puts in, so that a phrase wrapped over two lines still matches.
func flat(s string) string {
	return strings.NewReplacer(" ", "", "\n", "").Replace(s)
}

// TestYearlySummaryAgreesWithItself: gezishi 2025 has welfare vouchers
// (集体公益福利支出 in section 三) but no benefit recorded per resident;
// section 四 used to say 本年未发放惠民福利. It now names the ledger
// amount, and the asset shares add up to the 合计's 100.00%.
func TestYearlySummaryAgreesWithItself(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		d := dbtest.Open(t, dsn)
		ctx := context.Background()
		c, err := disclosure.Community(ctx, d.Client, demo.Code)
		if err != nil {
			t.Fatal(err)
		}
		y, err := disclosure.Yearly(ctx, d.Client, c, 2025)
		if err != nil {
			t.Fatal(err)
		}
		if y.Layout != pdf.LayoutCurrent {
			t.Fatalf("gathered with layout %d, want %d", y.Layout, pdf.LayoutCurrent)
		}
		var welfare, benefits money.Fen
		for _, e := range y.Expense {
			if e.Category == "集体公益福利支出" {
				welfare = e.Amount
			}
		}
		for _, b := range y.Benefits {
			benefits += b.Total
		}
		if welfare == 0 {
			t.Fatal("the demo's 2025 has no 集体公益福利支出: the test would prove nothing")
		}
		r, err := pdf.NewRenderer()
		if err != nil {
			t.Fatal(err)
		}
		text, err := r.YearlyText(y)
		if err != nil {
			t.Fatal(err)
		}
		ft := flat(text)
		if strings.Contains(ft, "本年未发放惠民福利") {
			t.Errorf("section 四 says 本年未发放惠民福利 while section 三 shows 集体公益福利支出 %s", welfare.Grouped())
		}
		if !strings.Contains(ft, welfare.Grouped()) || strings.Count(ft, welfare.Grouped()) < 2 {
			t.Errorf("the welfare ledger amount %s is not restated in section 四:\n%s", welfare.Grouped(), text)
		}
		if benefits == 0 && !strings.Contains(ft, "无按居民逐人登记的惠民福利") {
			t.Errorf("section 四 does not say what it counts:\n%s", text)
		}

		// The shares of section 二 add up to 100.00%.
		sec := text[strings.Index(text, "年末资产构成"):strings.Index(text, "年收支情况")]
		var sum int64
		var rows int
		for _, p := range regexp.MustCompile(`(\d+)\.(\d\d)%`).FindAllStringSubmatch(sec, -1) {
			if p[0] == "100.00%" && rows == len(y.Categories) {
				break // the 合计 row
			}
			bp, _ := money.Parse(p[1] + "." + p[2])
			sum += int64(bp)
			rows++
		}
		if rows != len(y.Categories) || sum != 10_000 {
			t.Errorf("%d category shares add up to %s%%, want %d adding up to 100.00%%:\n%s", rows, money.Percent(sum), len(y.Categories), sec)
		}

		// Reports published before layout versions render as they did,
		// so that `sunlight verify` still finds their bytes.
		old := *y
		old.Layout, old.WelfareCategory = pdf.Layout0, ""
		oldText, err := r.YearlyText(&old)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(flat(oldText), "本年未发放惠民福利") && benefits == 0 {
			t.Error("layout 0 no longer prints as it was published")
		}

		// Same data, same bytes.
		var a, b bytes.Buffer
		if err := r.Yearly(&a, y); err != nil {
			t.Fatal(err)
		}
		if err := r.Yearly(&b, y); err != nil {
			t.Fatal(err)
		}
		if sha256.Sum256(a.Bytes()) != sha256.Sum256(b.Bytes()) {
			t.Error("the same summary gave two different PDFs")
		}
	})
}

// TestMonthlyCapitalsAndApproval: every total of section 一 is given in
// capitals, and the report ends with the approval block naming the
// supervisory committee (masked) and the month's signers.
func TestMonthlyCapitalsAndApproval(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		d := dbtest.Open(t, dsn)
		ctx := context.Background()
		c, err := disclosure.Community(ctx, d.Client, demo.Code)
		if err != nil {
			t.Fatal(err)
		}
		m, err := disclosure.Monthly(ctx, d.Client, c, calendar.Month(2026, 10))
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Approval.Supervisors) != 5 {
			t.Errorf("supervisors %v, want the demo's 5", m.Approval.Supervisors)
		}
		r, err := pdf.NewRenderer()
		if err != nil {
			t.Fatal(err)
		}
		text, err := r.MonthlyText(m)
		if err != nil {
			t.Fatal(err)
		}
		ft := flat(text)
		var inM, inY, exM, exY money.Fen
		for _, l := range m.Income {
			inM, inY = inM+l.Month, inY+l.YearToDate
		}
		for _, l := range m.Expense {
			exM, exY = exM+l.Month, exY+l.YearToDate
		}
		for name, f := range map[string]money.Fen{
			"收入合计": inM, "支出合计": exM, "结余": inM - exM,
			"本年收入合计": inY, "本年支出合计": exY, "本年结余": inY - exY,
		} {
			if !strings.Contains(ft, flat(money.Capitals(f))) {
				t.Errorf("%s %s is not given in capitals (%s)", name, f.Grouped(), money.Capitals(f))
			}
		}
		for _, l := range append(append([]pdf.CategoryAmount(nil), m.Income...), m.Expense...) {
			if !strings.Contains(ft, flat(money.Capitals(l.Month))) {
				t.Errorf("%s %s is not given in capitals", l.Category, l.Month.Grouped())
			}
		}
		for _, s := range []string{"监督委员会审核意见：", "审核人（监督委员会）：", "负责人：罗*强", "经办人：周*华", "会计：陈*萍", "日期："} {
			if !strings.Contains(ft, s) {
				t.Errorf("the approval block lacks %q:\n%s", s, text[strings.LastIndex(text, "监督委员会审核意见"):])
			}
		}
		for _, n := range m.Approval.Supervisors {
			if strings.Contains(ft, n) {
				t.Errorf("the supervisor %s is printed unmasked", n)
			}
			if !strings.Contains(ft, mask.Name(n)) {
				t.Errorf("the supervisor %s is not named (%s)", n, mask.Name(n))
			}
		}

		// Nobody on record: lines to sign on, not a missing block.
		m.Approval = pdf.Approval{}
		text, err = r.MonthlyText(m)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(flat(text), "审核人（监督委员会）：＿＿＿＿＿＿") || !strings.Contains(flat(text), "负责人：＿＿＿＿＿＿") {
			t.Errorf("no names on record: want blank lines in the approval block:\n%s", text[strings.LastIndex(text, "监督委员会审核意见"):])
		}
	})
}

// TestNameCannotStopDisclosure: residents named with a symbol the font
// lacks (☃, in the Basic Multilingual Plane) and with a CJK Extension B
// character (𠮷) still get the month's disclosure made: the characters
// print as a substitute, and a WARN names the field.
func TestNameCannotStopDisclosure(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		d := dbtest.Open(t, dsn)
		ctx := context.Background()
		c, err := disclosure.Community(ctx, d.Client, demo.Code)
		if err != nil {
			t.Fatal(err)
		}
		nov := calendar.Month(2026, 11) // two inquiries open at its end
		m, err := disclosure.Monthly(ctx, d.Client, c, nov)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Inquiries) < 2 {
			t.Fatalf("the demo's November has %d inquiries listed, the test needs 2", len(m.Inquiries))
		}
		rename := map[string]string{m.Inquiries[0].AskedBy: "☃春", m.Inquiries[1].AskedBy: "𠮷野家", m.Approval.Supervisors[0]: "许☃"}
		for from, to := range rename {
			n, err := d.Client.Resident.Update().Where(resident.CommunityID(c.ID), resident.Name(from)).SetName(to).Save(ctx)
			if err != nil || n == 0 {
				t.Fatalf("rename %s: %d, %v", from, n, err)
			}
		}
		var logs bytes.Buffer
		r, err := pdf.NewRenderer(pdf.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
		if err != nil {
			t.Fatal(err)
		}
		out, _, err := disclosure.Render(ctx, d.Client, r, c, report.KindMONTHLY_DISCLOSURE, nov)
		if err != nil {
			t.Fatalf("a resident's name stopped the disclosure: %v", err)
		}
		again, _, err := disclosure.Render(ctx, d.Client, r, c, report.KindMONTHLY_DISCLOSURE, nov)
		if err != nil || !bytes.Equal(out, again) {
			t.Fatalf("not reproducible: %v", err)
		}
		m, err = disclosure.Monthly(ctx, d.Client, c, nov)
		if err != nil {
			t.Fatal(err)
		}
		text, err := r.MonthlyText(m)
		if err != nil {
			t.Fatal(err)
		}
		ft := flat(text)
		// ☃ no font has: 〓 and a WARN; 𠮷 prints as written from the
		// fallback font (Layout2), with no WARN.
		for _, want := range []string{"〓*", "𠮷*家"} {
			if !strings.Contains(ft, want) {
				t.Errorf("the report lacks %q", want)
			}
		}
		for _, want := range []string{"level=WARN", "Inquiries[0].AskedBy", "U+2603", "report=" + m.Number} {
			if !strings.Contains(logs.String(), want) {
				t.Errorf("the log does not mention %s:\n%s", want, logs.String())
			}
		}
		if strings.Contains(logs.String(), "U+20BB7") {
			t.Errorf("𠮷, which the fallback font prints, is logged as a substitute:\n%s", logs.String())
		}
	})
}
