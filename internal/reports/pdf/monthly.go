package pdf

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"sunlight/internal/vocab/mask"
	"sunlight/internal/vocab/money"
)

// Monthly renders the monthly disclosure m as an A4 PDF to w. The output
// depends only on m and the font: the same m gives the same bytes. An error
// wrapping ErrBadData (a *GlyphError, for instance) means the data must be
// fixed; no panic escapes.
func (r *Renderer) Monthly(w io.Writer, m *Monthly) error {
	return safely("the monthly disclosure", func() error {
		if m == nil {
			return fmt.Errorf("%w: nil *Monthly", ErrBadData)
		}
		d, c, err := r.monthlyDoc(m)
		if err != nil {
			return err
		}
		return d.output(w, meta{
			title:    fmt.Sprintf("%s %d年%d月 财务公开", c.Community.Name, c.Year, c.Month),
			subject:  "财务公开 · 月月清",
			author:   c.Community.Name,
			keywords: fmt.Sprintf("%s %04d-%02d %s", c.Community.Code, c.Year, int(c.Month), c.Number),
			date:     docDate(c.Year, c.Month),
		})
	})
}

// MonthlyText returns the text m prints, one string per line drawn, in
// drawing order: what a reader sees, for tests and checks that should not
// need a PDF text extractor.
func (r *Renderer) MonthlyText(m *Monthly) (string, error) {
	var out string
	err := safely("the monthly disclosure", func() error {
		if m == nil {
			return fmt.Errorf("%w: nil *Monthly", ErrBadData)
		}
		d, _, err := r.monthlyDoc(m)
		if err == nil {
			out = d.textContent()
		}
		return err
	})
	return out, err
}

func (r *Renderer) monthlyDoc(m *Monthly) (*doc, *Monthly, error) {
	c, err := r.cleanMonthly(m)
	if err != nil {
		return nil, nil, err
	}
	d := newDoc(r.face)
	if c.Layout >= Layout2 {
		d.fallback = r.fallback
	}
	layoutMonthly(d, c)
	return d, c, nil
}

// cleanMonthly validates m and returns a copy with every string cleaned for
// printing and every personal name masked.
func (r *Renderer) cleanMonthly(m *Monthly) (*Monthly, error) {
	s := &sanitizer{face: r.face, fallback: r.fallback, layout: m.Layout}
	c := *m
	if c.Month < time.January || c.Month > time.December {
		s.fail("Month: %d is not a month", c.Month)
	}
	if c.Year < 1900 || c.Year > 9999 {
		s.fail("Year: %d is out of range", c.Year)
	}
	checkSHA256(s, "PrevSHA256", c.PrevSHA256)
	checkLayout(s, c.Layout)
	cleanCommunity(s, &c.Community)
	c.Number = s.clean("Number", c.Number, false)
	c.WelfareCategory = s.clean("WelfareCategory", c.WelfareCategory, false)

	if b := m.Balance; b != nil {
		if b.GoLiveMonth < time.January || b.GoLiveMonth > time.December {
			s.fail("Balance.GoLiveMonth: %d is not a month", b.GoLiveMonth)
		}
		if b.GoLiveYear > c.Year || (b.GoLiveYear == c.Year && b.GoLiveMonth > c.Month) {
			s.fail("Balance: the go-live month %d-%02d is after the report's month", b.GoLiveYear, int(b.GoLiveMonth))
		}
		bc := *b
		c.Balance = &bc
	}
	c.Income = cleanCategories(s, "Income", c.Income)
	c.Expense = cleanCategories(s, "Expense", c.Expense)

	c.Vouchers = append([]Voucher(nil), m.Vouchers...)
	for i := range c.Vouchers {
		v := &c.Vouchers[i]
		f := fmt.Sprintf("Vouchers[%d].", i)
		v.Number = s.clean(f+"Number", v.Number, false)
		v.Summary = s.clean(f+"Summary", v.Summary, true)
		v.Category = s.clean(f+"Category", v.Category, false)
		v.Direction = cleanEnum(s, f+"Direction", directionLabels, v.Direction)
		if v.Signatures < 0 {
			s.fail("%sSignatures: %d is negative", f, v.Signatures)
		}
		if c.Layout >= Layout3 {
			v.Signers = cleanSigners(s, f+"Signers", v.Signers)
		} else {
			v.Signers = nil // not printed before Layout3
		}
	}

	mt := &c.Meetings
	if mt.DeliberationMeetings < 0 || mt.ProjectsDecided < 0 || mt.NeedsResolved < 0 {
		s.fail("Meetings: negative count")
	}
	mt.Held = append([]Meeting(nil), m.Meetings.Held...)
	for i := range mt.Held {
		f := fmt.Sprintf("Meetings.Held[%d].", i)
		mt.Held[i].Title = s.clean(f+"Title", mt.Held[i].Title, true)
		mt.Held[i].Kind = cleanEnum(s, f+"Kind", meetingKindLabels, mt.Held[i].Kind)
	}
	mt.Matters = append([]MatterStep(nil), m.Meetings.Matters...)
	for i := range mt.Matters {
		f := fmt.Sprintf("Meetings.Matters[%d].", i)
		mt.Matters[i].Title = s.clean(f+"Title", mt.Matters[i].Title, true)
		mt.Matters[i].Stage = cleanEnum(s, f+"Stage", stageLabels, mt.Matters[i].Stage)
		mt.Matters[i].Outcome = cleanEnum(s, f+"Outcome", outcomeLabels, mt.Matters[i].Outcome)
	}

	c.Contracts = append([]Contract(nil), m.Contracts...)
	for i := range c.Contracts {
		k := &c.Contracts[i]
		f := fmt.Sprintf("Contracts[%d].", i)
		k.Code = s.clean(f+"Code", k.Code, false)
		k.Title = s.clean(f+"Title", k.Title, true)
		k.Kind = cleanEnum(s, f+"Kind", contractKindLabels, k.Kind)
		k.Procurement = cleanEnum(s, f+"Procurement", procurementLabels, k.Procurement)
		switch {
		case k.CounterpartyIsPerson && c.Layout >= Layout1:
			// Masked before cleaning: a character masked out is never
			// printed, so it needs no substitute.
			k.Counterparty = s.clean(f+"Counterparty", mask.Name(k.Counterparty), false)
		case k.CounterpartyIsPerson:
			k.Counterparty = mask.Name(s.clean(f+"Counterparty", k.Counterparty, true))
		default:
			k.Counterparty = s.clean(f+"Counterparty", k.Counterparty, true)
		}
	}

	c.Benefits = cleanBenefits(s, c.Benefits)

	a := &c.Approval
	a.Supervisors = cleanNames(s, "Approval.Supervisors", m.Approval.Supervisors)
	a.Heads = cleanNames(s, "Approval.Heads", m.Approval.Heads)
	a.Preparers = cleanNames(s, "Approval.Preparers", m.Approval.Preparers)
	a.Accountants = cleanNames(s, "Approval.Accountants", m.Approval.Accountants)

	c.Inquiries = append([]Inquiry(nil), m.Inquiries...)
	for i := range c.Inquiries {
		q := &c.Inquiries[i]
		f := fmt.Sprintf("Inquiries[%d].", i)
		if c.Layout >= Layout1 {
			q.AskedBy = s.clean(f+"AskedBy", mask.Name(q.AskedBy), false)
		} else {
			q.AskedBy = mask.Name(s.clean(f+"AskedBy", q.AskedBy, false))
		}
		q.Subject = s.clean(f+"Subject", q.Subject, true)
		q.Question = s.clean(f+"Question", q.Question, true)
		q.Status = cleanEnum(s, f+"Status", inquiryLabels, q.Status)
	}
	r.logSubstitutions(c.Number, s.subs)
	return &c, s.err()
}

// checkLayout refuses a layout version this renderer does not know (a
// report frozen by a newer Sunlight): printing it the current way would
// give other bytes than were published.
func checkLayout(s *sanitizer, v int) {
	if v < Layout0 || v > LayoutCurrent {
		s.fail("Layout: version %d is not known to this renderer (it knows %d to %d)", v, Layout0, LayoutCurrent)
	}
}

func cleanCommunity(s *sanitizer, c *Community) {
	c.Name = s.clean("Community.Name", c.Name, false)
	c.Code = s.clean("Community.Code", c.Code, false)
	c.SubDistrict = s.clean("Community.SubDistrict", c.SubDistrict, false)
	c.District = s.clean("Community.District", c.District, false)
	if c.Name == "" {
		s.fail("Community.Name is empty")
	}
}

// cleanNames returns names cleaned and masked, without empty ones.
func cleanNames(s *sanitizer, field string, in []string) []string {
	var out []string
	for i, n := range in {
		if n = s.clean(fmt.Sprintf("%s[%d]", field, i), mask.Name(n), false); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// cleanSigners returns a voucher's signers cleaned, names masked (as every
// person's name in a report); a signature with a key needs its fingerprint.
func cleanSigners(s *sanitizer, field string, in []VoucherSigner) []VoucherSigner {
	out := append([]VoucherSigner(nil), in...)
	for i := range out {
		g := &out[i]
		f := fmt.Sprintf("%s[%d].", field, i)
		g.Name = s.clean(f+"Name", mask.Name(g.Name), false)
		g.Capacity = cleanEnum(s, f+"Capacity", capacityLabels, g.Capacity)
		g.Fingerprint = s.clean(f+"Fingerprint", g.Fingerprint, false)
		switch {
		case g.Name == "":
			s.fail("%sName is empty", f)
		case g.NameOnly && g.Fingerprint != "":
			s.fail("%sFingerprint: a name-only signature has no key", f)
		case !g.NameOnly && g.Fingerprint == "":
			s.fail("%sFingerprint is empty for a signature with a key", f)
		}
	}
	return out
}

func cleanCategories(s *sanitizer, field string, in []CategoryAmount) []CategoryAmount {
	out := append([]CategoryAmount(nil), in...)
	for i := range out {
		out[i].Category = s.clean(fmt.Sprintf("%s[%d].Category", field, i), out[i].Category, false)
	}
	return out
}

func cleanBenefits(s *sanitizer, in []BenefitLine) []BenefitLine {
	out := append([]BenefitLine(nil), in...)
	for i, b := range out {
		if b.Count < 0 {
			s.fail("Benefits[%d].Count: %d is negative", i, b.Count)
		}
		out[i].Kind = cleanEnum(s, fmt.Sprintf("Benefits[%d].Kind", i), benefitLabels, b.Kind)
	}
	return out
}

// layoutMonthly lays out the monthly disclosure.
func layoutMonthly(d *doc, m *Monthly) {
	period := fmt.Sprintf("%d年%d月", m.Year, m.Month)
	d.running = fmt.Sprintf("%s %s 财务公开    报告编号：%s", m.Community.Name, period, m.Number)
	d.title("财务公开", fmt.Sprintf("%s · %s", m.Community.Name, period))

	first := Date(m.Year, m.Month, 1)
	last := first.AddDate(0, 1, -1)
	d.keyValues([][2]string{
		{"社区", communityLine(m.Community)},
		{"所属", joinNonEmpty(" · ", m.Community.District, m.Community.SubDistrict)},
		{"公开期间", fmt.Sprintf("%s至%d月%d日", dateCN(first), last.Month(), last.Day())},
		{"报告编号", m.Number},
		{"公布日期", publishedLine(m.PublishedOn, m.DueOn)},
		{"集体资产总额", m.TotalAssets.Grouped() + " 元"},
	}, 9.5)

	// 一、收支
	d.heading("一、本月收支情况（单位：元）", 20)
	cols := []column{
		{"收支", 20, 'C'}, {"项目", 70, 'L'}, {"本月金额", 43, 'R'}, {"本年累计", contentW - 133, 'R'},
	}
	// From Layout1 every line gives its month amount in capitals too, as
	// on a paper board, where figures alone can be altered by a stroke.
	capitals := m.Layout >= Layout1
	if capitals {
		cols = []column{
			{"收支", 12, 'C'}, {"项目", 34, 'L'}, {"本月金额", 28, 'R'}, {"本月金额大写", 70, 'L'}, {"本年累计", contentW - 144, 'R'},
		}
	}
	line := func(cells ...string) []string {
		if !capitals {
			return cells
		}
		amount, _ := money.Parse(strings.ReplaceAll(cells[2], ",", ""))
		return []string{cells[0], cells[1], cells[2], money.Capitals(amount), cells[3]}
	}
	var rows []row
	var inM, inY, exM, exY money.Fen
	for _, c := range m.Income {
		rows = append(rows, row{cells: line("收入", c.Category, c.Month.Grouped(), c.YearToDate.Grouped())})
		inM += c.Month
		inY += c.YearToDate
	}
	rows = append(rows, row{cells: line("收入", "收入合计", inM.Grouped(), inY.Grouped()), total: true})
	for _, c := range m.Expense {
		rows = append(rows, row{cells: line("支出", c.Category, c.Month.Grouped(), c.YearToDate.Grouped())})
		exM += c.Month
		exY += c.YearToDate
	}
	rows = append(rows,
		row{cells: line("支出", "支出合计", exM.Grouped(), exY.Grouped()), total: true},
		row{cells: line("结余", "收入合计减支出合计", (inM - exM).Grouped(), (inY - exY).Grouped()), total: true})
	d.table(cols, rows, 9)
	if capitals {
		d.paragraph(fmt.Sprintf("本年累计：收入合计 %s 元（大写：%s），支出合计 %s 元（大写：%s），结余 %s 元（大写：%s）。",
			inY.Grouped(), money.Capitals(inY), exY.Grouped(), money.Capitals(exY), (inY-exY).Grouped(), money.Capitals(inY-exY)), 8.5, 0)
	}
	if m.Layout >= Layout2 && m.Balance != nil {
		balanceTable(d, m, inM, exM, inY, exY)
	}

	// 二、凭证
	d.heading("二、本月记账凭证", 20)
	if len(m.Vouchers) == 0 {
		d.paragraph("本月无记账凭证。", 9.5, 0)
	} else {
		cols = []column{
			{"日期", 15, 'C'}, {"凭证号", 22, 'L'}, {"摘要", 35, 'L'}, {"收支", 8, 'C'},
			{"类别", 19, 'L'}, {"金额（元）", 20, 'R'}, {"金额大写", 47, 'L'}, {"签字", contentW - 166, 'C'},
		}
		rows = rows[:0]
		var vin, vex money.Fen
		for _, v := range m.Vouchers {
			rows = append(rows, row{cells: []string{
				fmt.Sprintf("%d月%d日", v.Date.Month(), v.Date.Day()), v.Number, v.Summary,
				label(directionLabels, v.Direction), v.Category, v.Amount.Grouped(), money.Capitals(v.Amount),
				strconv.Itoa(v.Signatures),
			}})
			switch v.Direction {
			case Income:
				vin += v.Amount
			case Expense:
				vex += v.Amount
			}
		}
		rows = append(rows, row{cells: []string{"合计", fmt.Sprintf("共 %d 张", len(m.Vouchers)),
			fmt.Sprintf("收入 %s 元\n支出 %s 元", vin.Grouped(), vex.Grouped())}, total: true})
		d.table(cols, rows, 7.5)
	}

	// 三、会议与重大事项
	d.heading("三、民主议事与重大事项", 12)
	mt := m.Meetings
	d.paragraph(fmt.Sprintf("本年以来，已召开议事协商会议 %d 次，决定惠民项目 %d 个，解决居民诉求 %d 件。",
		mt.DeliberationMeetings, mt.ProjectsDecided, mt.NeedsResolved), 9.5, 0)
	d.y += 1
	if len(mt.Held) == 0 {
		d.paragraph("本月未召开会议。", 9.5, 0)
	} else {
		d.subheading("本月会议")
		cols = []column{
			{"日期", 20, 'C'}, {"会议类型", 26, 'C'}, {"会议名称", 64, 'L'},
			{"应到", 12, 'C'}, {"实到", 12, 'C'}, {"表决（赞成/反对/弃权）", contentW - 134, 'C'},
		}
		rows = rows[:0]
		for _, h := range mt.Held {
			vote := "未表决"
			if h.For+h.Against+h.Abstain > 0 {
				vote = fmt.Sprintf("%d / %d / %d", h.For, h.Against, h.Abstain)
			}
			rows = append(rows, row{cells: []string{dateISO(h.Date), label(meetingKindLabels, h.Kind), h.Title,
				strconv.Itoa(h.Entitled), strconv.Itoa(h.Attended), vote}})
		}
		d.table(cols, rows, 8)
	}
	if len(mt.Matters) > 0 {
		d.subheading("重大事项进展（四议两公开）")
		cols = []column{{"日期", 20, 'C'}, {"事项", 86, 'L'}, {"本月进展", 40, 'C'}, {"结果", contentW - 146, 'C'}}
		rows = rows[:0]
		for _, s := range mt.Matters {
			rows = append(rows, row{cells: []string{dateISO(s.Date), s.Title, label(stageLabels, s.Stage), label(outcomeLabels, s.Outcome)}})
		}
		d.table(cols, rows, 8)
	}

	// 四、合同
	d.heading("四、合同签订与履行", 20)
	if len(m.Contracts) == 0 {
		d.paragraph("本月无签订或履行中的合同。", 9.5, 0)
	} else {
		cols = []column{
			{"合同编号", 22, 'L'}, {"合同名称", 40, 'L'}, {"相对方", 28, 'L'}, {"类型", 10, 'C'},
			{"采购方式", 16, 'C'}, {"金额（元）", 24, 'R'}, {"起止日期", contentW - 140, 'C'},
		}
		rows = rows[:0]
		for _, k := range m.Contracts {
			period := dateISO(k.StartsOn) + " 至 "
			if k.EndsOn.IsZero() {
				period += "长期"
			} else {
				period += dateISO(k.EndsOn)
			}
			if k.SignedOn.Year() == m.Year && k.SignedOn.Month() == m.Month {
				period += "（本月签订）"
			}
			rows = append(rows, row{cells: []string{k.Code, k.Title, k.Counterparty,
				label(contractKindLabels, k.Kind), label(procurementLabels, k.Procurement), k.Amount.Grouped(), period}})
		}
		d.table(cols, rows, 7.5)
	}

	// 五、惠民福利
	d.heading("五、惠民福利发放（按类别汇总，不列个人信息）", 20)
	var monthExpense []CategoryTotal
	for _, e := range m.Expense {
		monthExpense = append(monthExpense, CategoryTotal{Category: e.Category, Amount: e.Month})
	}
	benefitTable(d, m.Benefits, "本月", welfareOf(m.Layout, m.WelfareCategory, monthExpense, "第一部分"))

	// 六、质询
	d.heading("六、居民质询（未答复及逾期）", 12)
	if len(m.Inquiries) == 0 {
		d.paragraph("本月无未答复或逾期答复的居民质询。", 9.5, 0)
	} else {
		cols = []column{
			{"提出日期", 20, 'C'}, {"提问人", 16, 'C'}, {"涉及事项", 32, 'L'}, {"质询内容", 80, 'L'}, {"状态", contentW - 148, 'C'},
		}
		rows = rows[:0]
		for _, q := range m.Inquiries {
			rows = append(rows, row{cells: []string{dateISO(q.AskedOn), q.AskedBy, q.Subject, q.Question, label(inquiryLabels, q.Status)}})
		}
		d.table(cols, rows, 8)
	}

	// 七、资产
	d.heading("七、集体资产", 12)
	d.paragraph(fmt.Sprintf("截至%s，社区集体资产总额为人民币 %s 元（大写：%s）。",
		dateCN(last), m.TotalAssets.Grouped(), money.Capitals(m.TotalAssets)), 9.5, 0)

	if m.Layout >= Layout3 {
		signerTable(d, m.Vouchers)
	}

	signOff(d, m.Community.Name, m.PublishedOn,
		"以上内容如有疑问，请于公布之日起三十日内向社区监督委员会提出质询。")
	if m.Layout >= Layout1 {
		approvalBlock(d, m.Approval)
	}
	d.footers(chainLine(m.PrevSHA256))
}

// nameOnlyNote is what the report prints for a signature recorded by
// name only, in the fingerprint's place.
const nameOnlyNote = "仅签名，未经密钥验证"

// signerTable prints 八、凭证审批签字 (Layout3 on): each person who signed
// the month's vouchers once, in the order of first signing, with the
// capacity, the fingerprint of the key the signature verifies with and
// the vouchers signed, so a reader can tell who signed each voucher and
// check the key against the signer's own. A name-only signature is said
// to be unverified, in the table and in the note under it.
func signerTable(d *doc, vouchers []Voucher) {
	d.heading("八、凭证审批签字", 20)
	if len(vouchers) == 0 {
		d.paragraph("本月无记账凭证，无审批签字。", 9.5, 0)
		return
	}
	type signed struct {
		VoucherSigner
		numbers []string
	}
	var rows []*signed
	index := map[VoucherSigner]*signed{}
	for _, v := range vouchers {
		for _, g := range v.Signers {
			r, ok := index[g]
			if !ok {
				r = &signed{VoucherSigner: g}
				index[g] = r
				rows = append(rows, r)
			}
			if n := len(r.numbers); n == 0 || r.numbers[n-1] != v.Number {
				r.numbers = append(r.numbers, v.Number)
			}
		}
	}
	if len(rows) == 0 {
		d.paragraph("本月凭证无签字记录。", 9.5, 0)
		return
	}
	cols := []column{{"签字人", 18, 'C'}, {"身份", 22, 'C'}, {"密钥指纹", 38, 'C'}, {"签字凭证", contentW - 78, 'L'}}
	var out []row
	nameOnly := false
	for _, r := range rows {
		key := r.Fingerprint
		if r.NameOnly {
			key, nameOnly = nameOnlyNote, true
		}
		what := strings.Join(r.numbers, "、")
		if len(r.numbers) == len(vouchers) {
			what = fmt.Sprintf("本月全部凭证（%d 张）", len(vouchers))
		}
		out = append(out, row{cells: []string{r.Name, label(capacityLabels, r.Capacity), key, what}})
	}
	d.table(cols, out, 8)
	note := "密钥指纹为签字人登记的 Ed25519 公钥的 SHA-256 前 8 字节；每个签名均以该公钥对凭证原文验证，可用 sunlight verify 复核。"
	if nameOnly {
		note += "标注“" + nameOnlyNote + "”的签字是启用密钥签名前仅登记姓名的签字，无法验证，不计为已验证签名。"
	}
	d.paragraph(note, 8.5, 0)
}

// balanceTable prints the money of a community with an opening balance
// (Layout2 on): the balance at the month's start, the month's income and
// expense (the 合计 rows above) and the balance at its end, and what its
// year to date counts from.
func balanceTable(d *doc, m *Monthly, inM, exM, inY, exY money.Fen) {
	b := m.Balance
	first := Date(m.Year, m.Month, 1)
	last := first.AddDate(0, 1, -1)
	live := fmt.Sprintf("%d年%d月", b.GoLiveYear, b.GoLiveMonth)
	opening := fmt.Sprintf("期初余额（%s）", dateCN(first))
	if b.GoLiveYear == m.Year && b.GoLiveMonth == m.Month {
		opening = fmt.Sprintf("期初余额（%s，建账录入）", dateCN(first))
	}
	closing := b.Opening + inM - exM
	d.y += 1
	d.subheading("资金余额（单位：元）")
	cols := []column{{"项目", 62, 'L'}, {"金额", 36, 'R'}, {"大写", contentW - 98, 'L'}}
	rows := []row{
		{cells: []string{opening, b.Opening.Grouped(), money.Capitals(b.Opening)}},
		{cells: []string{"加：本月收入", inM.Grouped(), money.Capitals(inM)}},
		{cells: []string{"减：本月支出", exM.Grouped(), money.Capitals(exM)}},
		{cells: []string{fmt.Sprintf("期末余额（%s）", dateCN(last)), closing.Grouped(), money.Capitals(closing)}, total: true},
	}
	d.table(cols, rows, 9)
	if b.GoLiveYear != m.Year {
		return
	}
	note := fmt.Sprintf("本社区账务自%s起在本平台记载，上表“本年累计”自%s起计。", live, live)
	if b.IncomeBefore != 0 || b.ExpenseBefore != 0 {
		note += fmt.Sprintf("%s前本年已发生收入 %s 元、支出 %s 元（建账时录入），本年全年累计收入 %s 元（大写：%s）、支出 %s 元（大写：%s）。",
			live, b.IncomeBefore.Grouped(), b.ExpenseBefore.Grouped(),
			(b.IncomeBefore + inY).Grouped(), money.Capitals(b.IncomeBefore+inY),
			(b.ExpenseBefore + exY).Grouped(), money.Capitals(b.ExpenseBefore+exY))
	}
	d.paragraph(note, 8.5, 0)
}

// subheading is a small heading inside a section.
func (d *doc) subheading(s string) {
	d.setFont(9.5)
	d.ensure(d.lineHeight() + 14)
	d.text(marginL, d.baseline(d.y), s)
	d.y += d.lineHeight()
}

// welfare is the ledger line benefits are paid from, for the note under
// the benefits table (Layout1 on): category empty means no note.
type welfare struct {
	category string
	amount   money.Fen
	section  string // where the ledger line is printed, e.g. 第一部分
}

// welfareOf finds the welfare category among the expense lines; a
// category the period has no line for is an amount of zero.
func welfareOf(layout int, category string, expense []CategoryTotal, section string) welfare {
	if layout < Layout1 || category == "" {
		return welfare{}
	}
	w := welfare{category: category, section: section}
	for _, e := range expense {
		if e.Category == category {
			w.amount += e.Amount
		}
	}
	return w
}

// welfareNote says what the benefits table counts and what the ledger's
// welfare line counts, so the two never read as a contradiction: benefits
// are recorded per resident (and printed per kind), the ledger line is
// every welfare expense, including visits and events paid without a
// per-resident record.
func welfareNote(w welfare, period string, benefits money.Fen, listed bool) string {
	ledger := fmt.Sprintf("账面“%s”（见%s）%s %s 元", w.category, w.section, period, w.amount.Grouped())
	switch {
	case !listed && w.amount == 0:
		return period + "未发放惠民福利，账面亦无“" + w.category + "”。"
	case !listed:
		return fmt.Sprintf("%s无按居民逐人登记的惠民福利发放；%s，为未逐人登记的公益福利支出（慰问、活动等）。", period, ledger)
	case w.amount == benefits:
		return fmt.Sprintf("注：上表为按居民逐人登记的惠民福利，合计 %s 元，与%s一致。", benefits.Grouped(), ledger)
	case w.amount > benefits:
		return fmt.Sprintf("注：上表为按居民逐人登记的惠民福利，合计 %s 元；%s，其中 %s 元为未逐人登记的公益福利支出（慰问、活动等）。",
			benefits.Grouped(), ledger, (w.amount - benefits).Grouped())
	default:
		return fmt.Sprintf("注：上表为按居民逐人登记的惠民福利，合计 %s 元；%s，其余 %s 元从其他科目列支。",
			benefits.Grouped(), ledger, (benefits - w.amount).Grouped())
	}
}

func benefitTable(d *doc, benefits []BenefitLine, period string, w welfare) {
	var n int
	var total money.Fen
	for _, b := range benefits {
		n += b.Count
		total += b.Total
	}
	if len(benefits) == 0 {
		if w.category != "" {
			d.paragraph(welfareNote(w, period, 0, false), 9.5, 0)
			return
		}
		d.paragraph(period+"未发放惠民福利。", 9.5, 0)
		return
	}
	defer func() {
		if w.category != "" {
			d.paragraph(welfareNote(w, period, total, true), 8.5, 0)
		}
	}()
	cols := []column{{"福利类别", 80, 'L'}, {"发放人次", 40, 'R'}, {"发放金额（元）", contentW - 120, 'R'}}
	var rows []row
	for _, b := range benefits {
		rows = append(rows, row{cells: []string{label(benefitLabels, b.Kind), strconv.Itoa(b.Count), b.Total.Grouped()}})
	}
	rows = append(rows, row{cells: []string{"合计", strconv.Itoa(n), total.Grouped()}, total: true})
	d.table(cols, rows, 9)
}

// signOff writes the closing note and the issuer, right-aligned, as on a
// paper notice.
func signOff(d *doc, community string, on time.Time, note string) {
	d.y += 2
	d.paragraph(note, 8.5, 0)
	d.setFont(10.5)
	lh := d.lineHeight()
	d.ensure(2*lh + 6)
	d.y += 4
	issuer := community + "居民委员会"
	d.aligned(marginL, contentW-8, d.baseline(d.y), issuer, 'R')
	d.y += lh
	d.aligned(marginL, contentW-8, d.baseline(d.y), dateCN(on), 'R')
	d.y += lh
}

// blank is a line to sign on, for a role the records name nobody in.
const blank = "＿＿＿＿＿＿"

// approvalBlock ends the monthly disclosure as a paper board ends: the
// supervisory committee's review with room to write, and who reviewed,
// who answers for it and who kept the books, with blank lines to sign
// where the records name nobody.
func approvalBlock(d *doc, a Approval) {
	names := func(ns []string) string {
		if len(ns) == 0 {
			return blank
		}
		return strings.Join(ns, "、")
	}
	const box = 24.0
	d.setFont(10)
	lh := d.lineHeight()
	d.ensure(lh + box + 4*lh + 6)
	d.y += 4
	d.text(marginL, d.baseline(d.y), "监督委员会审核意见：")
	d.y += lh + 1
	d.color(opDrawColor, rule)
	d.lineWidth(0.3)
	d.rect(marginL, d.y, contentW, box, "D")
	d.y += box + 2
	d.paragraph("审核人（监督委员会）："+names(a.Supervisors), 10, 0)
	d.paragraph("负责人："+names(a.Heads)+"　　经办人："+names(a.Preparers)+"　　会计："+names(a.Accountants), 10, 0)
	d.paragraph("日期：＿＿＿＿年＿＿月＿＿日", 10, 0)
}

func communityLine(c Community) string {
	if c.Code == "" {
		return c.Name
	}
	return c.Name + "（" + c.Code + "）"
}

func joinNonEmpty(sep string, parts ...string) string {
	out := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		if out != "" {
			out += sep
		}
		out += p
	}
	return out
}
