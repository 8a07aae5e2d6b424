package pdf

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"unicode/utf8"

	"sunlight/internal/reports/pdf/font"
)

// unitWidth measures CJK as 2 and everything else as 1, so expectations
// can be written by counting.
func unitWidth(r rune) float64 {
	if r == ' ' {
		return 1
	}
	if isCJK(r) || r > 0x2000 {
		return 2
	}
	return 1
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		max  float64
		want []string
	}{
		{"fits", "财务公开", 8, []string{"财务公开"}},
		{"cjk breaks anywhere", "阁子市社区财务公开", 8, []string{"阁子市社", "区财务公", "开"}},
		{"comma not at line start", "办公经费，集体福利", 8, []string{"办公经", "费，集体", "福利"}},
		{"full stop and bracket", "慰问老人（八十岁以上）。", 10, []string{"慰问老人", "（八十岁以", "上）。"}},
		{"opening bracket not at line end", "支出办《公》", 8, []string{"支出办", "《公》"}},
		{"latin at spaces", "part-time cleaners paid", 12, []string{"part-time ", "cleaners ", "paid"}},
		{"number kept whole", "金额26,868.00元", 10, []string{"金额", "26,868.00", "元"}},
		{"long word broken", "abcdefghijkl", 5, []string{"abcde", "fghij", "kl"}},
		{"newline forces break", "第一行\n第二行", 20, []string{"第一行\n", "第二行"}},
		{"trailing newline", "行\n", 20, []string{"行\n"}},
		{"empty", "", 10, []string{""}},
		{"char wider than line", "财务", 1, []string{"财", "务"}},
		{"punctuation run", "好——很好……是", 8, []string{"好——很", "好……是"}},
		{"mixed", "保洁员工资 (Oct. payroll)", 14, []string{"保洁员工资 ", "(Oct. payroll)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := wrap(tc.in, tc.max, unitWidth)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("wrap(%q, %v) = %q, want %q", tc.in, tc.max, got, tc.want)
			}
			if strings.Join(got, "") != tc.in {
				t.Errorf("characters lost or added: %q", got)
			}
		})
	}
}

// The invariants of wrap on any input: nothing lost, no line starts with
// closing punctuation unless forced, lines fit unless a single segment is
// wider than the line.
func checkWrap(t *testing.T, s string, max float64) {
	lines := wrap(s, max, unitWidth)
	if got := strings.Join(lines, ""); got != s {
		t.Fatalf("wrap(%q, %v): lines %q join to %q", s, max, lines, got)
	}
	for i, l := range lines {
		if i > 0 && l == "" {
			t.Fatalf("wrap(%q, %v): empty line %d in %q", s, max, i, lines)
		}
		w := 0.0
		for _, r := range display(l) {
			w += unitWidth(r)
		}
		first, _ := utf8.DecodeRuneInString(l)
		if w > max && utf8.RuneCountInString(display(l)) > 1 && !overlongSegment(l, max) {
			t.Fatalf("wrap(%q, %v): line %q is %v wide", s, max, l, w)
		}
		if i > 0 && isNoStart(first) && max >= 8 && !strings.HasSuffix(lines[i-1], "\n") && !overlongSegment(lines[i-1]+l, max) {
			t.Fatalf("wrap(%q, %v): line %d starts with %q: %q", s, max, i, first, lines)
		}
	}
}

// overlongSegment reports whether s contains an unbreakable segment wider
// than max, where breaking rules must give way.
func overlongSegment(s string, max float64) bool {
	for _, seg := range segments(s, unitWidth) {
		if seg.width > max {
			return true
		}
	}
	return false
}

func FuzzWrap(f *testing.F) {
	for _, s := range []string{"办公经费，集体福利。", "part-time cleaners", "（八十岁以上）", "a\nb", "𠮷", "\xff\xfe", "——……", "26,868.00元"} {
		f.Add(s, uint8(8))
	}
	f.Fuzz(func(t *testing.T, s string, max uint8) {
		if !utf8.ValidString(s) {
			return // wrap gets cleaned text only; clean is fuzzed below
		}
		checkWrap(t, s, float64(max%40)+1)
	})
}

func FuzzClean(f *testing.F) {
	face, err := font.Default()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"张𠮷春", "\xff\xfe 办公", "a\r\nb\tc", "\u200b零宽", "ꙮ", "财务公开"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		san := &sanitizer{face: face}
		out := san.clean("F", s, true)
		if !utf8.ValidString(out) {
			t.Fatalf("clean(%q) = %q: invalid UTF-8", s, out)
		}
		for _, r := range out {
			if r != '\n' && r != ' ' && !face.Has(r) {
				t.Fatalf("clean(%q) = %q keeps %U, which the font lacks", s, out, r)
			}
		}
		for _, e := range san.errs {
			var ge *GlyphError
			if !errors.As(e, &ge) || !strings.ContainsRune(s, ge.Rune) {
				t.Fatalf("clean(%q): error %v does not name a character of the input", s, e)
			}
		}
		checkWrap(t, out, 17)
	})
}

func TestClean(t *testing.T) {
	face, err := font.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, in, want string
		multiline      bool
		bad            rune
		sub            rune
		layout         int
	}{
		{name: "plain", in: "办公经费", want: "办公经费"},
		{name: "above BMP replaced", in: "张𠮷春", want: "张□春"},
		{name: "invalid utf-8 replaced", in: "a\xffb", want: "a□b"},
		{name: "tab and crlf", in: "a\tb\r\nc\rd", want: "a b\nc\nd", multiline: true},
		{name: "newline in single line", in: "a\nb", want: "a b"},
		{name: "invisible dropped", in: "\ufeff零\u200b宽\u0007", want: "零宽"},
		{name: "trimmed", in: "  财务  ", want: "财务"},
		{name: "missing glyph substituted", in: "字ꙮ字", want: "字〓字", sub: 'ꙮ'},
		{name: "emoji in a name substituted", in: "张☃春", want: "张〓春", sub: '☃'},
		{name: "above BMP by code point", in: "张𠮷春", want: "张[U+20BB7]春", sub: '𠮷', layout: Layout1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &sanitizer{face: face, layout: tc.layout}
			if got := s.clean("Vouchers[2].Summary", tc.in, tc.multiline); got != tc.want {
				t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
			}
			err := s.err()
			if tc.sub != 0 && (len(s.subs) != 1 || s.subs[0].Rune != tc.sub || s.subs[0].Field != "Vouchers[2].Summary") {
				t.Errorf("substitutions %+v, want one of %q in Vouchers[2].Summary", s.subs, tc.sub)
			}
			if tc.bad == 0 {
				if err != nil {
					t.Errorf("unexpected error %v", err)
				}
				return
			}
			var ge *GlyphError
			if !errors.As(err, &ge) || ge.Rune != tc.bad || ge.Field != "Vouchers[2].Summary" {
				t.Fatalf("error %v, want a GlyphError for %q in Vouchers[2].Summary", err, tc.bad)
			}
			if !errors.Is(err, ErrBadData) || !strings.Contains(err.Error(), string(tc.bad)) || !strings.Contains(err.Error(), "U+A66E") {
				t.Errorf("error %q should name the character and be ErrBadData", err)
			}
		})
	}
}

func TestRareCharacters(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	t.Run("above U+FFFF is replaced", func(t *testing.T) {
		m := octoberFixture()
		m.Inquiries[0].AskedBy = "𠮷𠮷春"
		m.Vouchers[0].Summary = "支付𠮷祥物制作费"
		var buf bytes.Buffer
		if err := r.Monthly(&buf, m); err != nil {
			t.Fatalf("Monthly: %v", err)
		}
		text := strings.ReplaceAll(pdfText(t, buf.Bytes()), " ", "")
		for _, want := range []string{"□*春", "支付□祥物"} {
			if !strings.Contains(text, want) {
				t.Errorf("pdftotext lacks %q", want)
			}
		}
	})
	t.Run("missing glyph is substituted and logged", func(t *testing.T) {
		var logs bytes.Buffer
		r, err := NewRenderer(WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
		if err != nil {
			t.Fatal(err)
		}
		m := octoberFixture()
		m.Vouchers[5].Summary = "维修费ꙮ"
		m.Community.Name = "阁子市社区\u0D9E"
		var buf bytes.Buffer
		if err := r.Monthly(&buf, m); err != nil {
			t.Fatalf("a character the font lacks stopped the report: %v", err)
		}
		if buf.Len() == 0 {
			t.Fatal("no PDF")
		}
		text, err := r.MonthlyText(m)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text, "维修费〓") || !strings.Contains(text, "阁子市社区〓") {
			t.Errorf("the substitute is not printed:\n%s", text)
		}
		for _, want := range []string{"level=WARN", "report=gezishi-2026-10", "Vouchers[5].Summary", "U+A66E", "Community.Name", "U+0D9E"} {
			if !strings.Contains(logs.String(), want) {
				t.Errorf("the log does not mention %s:\n%s", want, logs.String())
			}
		}
	})
	t.Run("yearly too", func(t *testing.T) {
		y := yearlyFixture()
		y.Milestones[0].Text = "ꙮ"
		text, err := r.YearlyText(y)
		if err != nil || !strings.Contains(text, "〓") {
			t.Fatalf("err = %v, text has no substitute: %v", err, !strings.Contains(text, "〓"))
		}
	})
	t.Run("layout 1 prints the code point above U+FFFF", func(t *testing.T) {
		m := octoberFixture()
		m.Layout = Layout1
		m.Inquiries[0].AskedBy = "𠮷野家"
		m.Vouchers[0].Summary = "支付𠮷祥物制作费"
		m.Contracts[0].Counterparty, m.Contracts[0].CounterpartyIsPerson = "☃春", true
		text, err := r.MonthlyText(m)
		if err != nil {
			t.Fatal(err)
		}
		// Masked before cleaning: 𠮷野家 → 𠮷*家 → [U+20BB7]*家.
		for _, want := range []string{"[U+20BB7]*家", "支付[U+20BB7]祥物", "〓*"} {
			if !strings.Contains(strings.ReplaceAll(text, "\n", ""), want) {
				t.Errorf("text lacks %q:\n%s", want, text)
			}
		}
		var a, b bytes.Buffer
		if err := r.Monthly(&a, m); err != nil {
			t.Fatal(err)
		}
		if err := r.Monthly(&b, m); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Error("the same data gave two different PDFs")
		}
	})
}

func TestBadData(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		mutate func(*Monthly)
	}{
		{"month", func(m *Monthly) { m.Month = 13 }},
		{"hash", func(m *Monthly) { m.PrevSHA256 = "not-a-hash" }},
		{"signatures", func(m *Monthly) { m.Vouchers[0].Signatures = -1 }},
		{"no name", func(m *Monthly) { m.Community.Name = "" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := octoberFixture()
			tc.mutate(m)
			if err := r.Monthly(&bytes.Buffer{}, m); !errors.Is(err, ErrBadData) {
				t.Errorf("err = %v, want ErrBadData", err)
			}
		})
	}
	if err := r.Monthly(&bytes.Buffer{}, nil); !errors.Is(err, ErrBadData) {
		t.Errorf("nil: %v", err)
	}
	y := yearlyFixture()
	y.YearEnds[3].Year = 2000
	if err := r.Yearly(&bytes.Buffer{}, y); !errors.Is(err, ErrBadData) {
		t.Errorf("unordered years: %v", err)
	}
}

// Edge cases render without error: empty sections, one year, more than ten
// years, a voucher summary longer than a page.
func TestEdgeCases(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	empty := &Monthly{Community: Community{Name: "新村"}, Year: 2026, Month: 1}
	long := octoberFixture()
	long.Vouchers[1].Summary = strings.Repeat("很长的摘要，", 900)
	one := &Yearly{Community: Community{Name: "新村"}, Year: 2026, YearEnds: []YearEnd{{2026, 0}}}
	many := yearlyFixture()
	for i := 0; i < 5; i++ {
		many.YearEnds = append([]YearEnd{{many.YearEnds[0].Year - 1, many.YearEnds[0].Total / 2}}, many.YearEnds...)
	}
	for name, fn := range map[string]func() error{
		"empty monthly": func() error { return r.Monthly(&bytes.Buffer{}, empty) },
		"long summary":  func() error { return r.Monthly(&bytes.Buffer{}, long) },
		"one year":      func() error { return r.Yearly(&bytes.Buffer{}, one) },
		"empty yearly": func() error {
			return r.Yearly(&bytes.Buffer{}, &Yearly{Community: Community{Name: "新村"}, Year: 2026})
		},
		"15 years": func() error { return r.Yearly(&bytes.Buffer{}, many) },
	} {
		t.Run(name, func(t *testing.T) {
			if err := fn(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestPanicBecomesError(t *testing.T) {
	err := safely("a test", func() error { panic("boom") })
	if err == nil || !strings.Contains(err.Error(), "boom") || errors.Is(err, ErrBadData) {
		t.Fatalf("err = %v", err)
	}
}

func TestFontOption(t *testing.T) {
	if _, err := NewRenderer(WithFontFile("/nonexistent.ttf")); err == nil {
		t.Error("missing font file: no error")
	}
	if _, err := NewRenderer(WithFontFile("text_test.go")); err == nil || !strings.Contains(err.Error(), "not a TrueType font") {
		t.Errorf("a Go file as font: %v", err)
	}
	face, _ := font.Default()
	r, err := NewRenderer(WithFace(face))
	if err != nil || r.Font() != face {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	if err := RenderMonthly(&a, octoberFixture()); err != nil {
		t.Fatal(err)
	}
	if err := r.Monthly(&b, octoberFixture()); err != nil || !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Errorf("RenderMonthly and Renderer.Monthly differ (%v)", err)
	}
}

// Every label the layout can print must be in the embedded font: output
// refuses a rune outside the subset, so a missing one would fail reports.
func TestLabelsCovered(t *testing.T) {
	face, err := font.Default()
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, m := range []map[string]string{
		toStrings(directionLabels), toStrings(meetingKindLabels), toStrings(stageLabels), toStrings(outcomeLabels),
		toStrings(contractKindLabels), toStrings(procurementLabels), toStrings(benefitLabels),
		toStrings(inquiryLabels), toStrings(assetLabels),
	} {
		for _, v := range m {
			all = append(all, v)
		}
	}
	for _, s := range all {
		for _, r := range s {
			if !face.Has(r) {
				t.Errorf("label %q: %q not in the font", s, r)
			}
		}
	}
}

func toStrings[K ~string](m map[K]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[string(k)] = v
	}
	return out
}

// An enum value the renderer does not know prints as itself, cleaned.
func TestUnknownEnum(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	m := octoberFixture()
	m.Benefits[0].Kind = "NEW_KIND_𠮷"
	m.Meetings.Held[0].Kind = "WORKSHOP"
	var buf bytes.Buffer
	if err := r.Monthly(&buf, m); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, buf.Bytes())
	for _, want := range []string{"NEW_KIND_□", "WORKSHOP"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext lacks %q", want)
		}
	}
	m.Contracts[0].Procurement = "ꙮ"
	if text, err := r.MonthlyText(m); err != nil || !strings.Contains(text, "〓") {
		t.Errorf("unknown enum with a missing glyph: %v, want it printed as 〓", err)
	}
}
