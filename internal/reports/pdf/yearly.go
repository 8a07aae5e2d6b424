package pdf

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"sunlight/internal/vocab/money"
)

// maxYears is how many year ends the yearly summary shows.
const maxYears = 10

// Yearly renders the yearly asset-growth summary y as an A4 PDF to w. Only
// the last ten entries of YearEnds are shown. The same y gives the same
// bytes; an error wrapping ErrBadData means the data must be fixed; no
// panic escapes.
func (r *Renderer) Yearly(w io.Writer, y *Yearly) error {
	return safely("the yearly summary", func() error {
		if y == nil {
			return fmt.Errorf("%w: nil *Yearly", ErrBadData)
		}
		d, c, err := r.yearlyDoc(y)
		if err != nil {
			return err
		}
		return d.output(w, meta{
			title:    fmt.Sprintf("%s %d年 社区集体资产增长情况", c.Community.Name, c.Year),
			subject:  "社区集体资产增长情况",
			author:   c.Community.Name,
			keywords: fmt.Sprintf("%s %04d %s", c.Community.Code, c.Year, c.Number),
			date:     docDate(c.Year, time.December),
		})
	})
}

// YearlyText returns the text y prints, as MonthlyText.
func (r *Renderer) YearlyText(y *Yearly) (string, error) {
	var out string
	err := safely("the yearly summary", func() error {
		if y == nil {
			return fmt.Errorf("%w: nil *Yearly", ErrBadData)
		}
		d, _, err := r.yearlyDoc(y)
		if err == nil {
			out = d.textContent()
		}
		return err
	})
	return out, err
}

func (r *Renderer) yearlyDoc(y *Yearly) (*doc, *Yearly, error) {
	c, err := r.cleanYearly(y)
	if err != nil {
		return nil, nil, err
	}
	d := newDoc(r.face)
	if c.Layout >= Layout2 {
		d.fallback = r.fallback
	}
	layoutYearly(d, c)
	return d, c, nil
}

func (r *Renderer) cleanYearly(y *Yearly) (*Yearly, error) {
	s := &sanitizer{face: r.face, fallback: r.fallback, layout: y.Layout}
	c := *y
	if c.Year < 1900 || c.Year > 9999 {
		s.fail("Year: %d is out of range", c.Year)
	}
	checkSHA256(s, "PrevSHA256", c.PrevSHA256)
	checkLayout(s, c.Layout)
	cleanCommunity(s, &c.Community)
	c.Number = s.clean("Number", c.Number, false)
	c.WelfareCategory = s.clean("WelfareCategory", c.WelfareCategory, false)
	if n := len(c.YearEnds); n > maxYears {
		c.YearEnds = c.YearEnds[n-maxYears:]
	}
	for i := 1; i < len(c.YearEnds); i++ {
		if c.YearEnds[i].Year <= c.YearEnds[i-1].Year {
			s.fail("YearEnds: years must be in ascending order (%d after %d)", c.YearEnds[i].Year, c.YearEnds[i-1].Year)
		}
	}
	c.Categories = append([]AssetCategoryTotal(nil), y.Categories...)
	for i, a := range c.Categories {
		if a.Count < 0 {
			s.fail("Categories[%d].Count: %d is negative", i, a.Count)
		}
		c.Categories[i].Category = cleanEnum(s, fmt.Sprintf("Categories[%d].Category", i), assetLabels, a.Category)
	}
	c.Income = cleanTotals(s, "Income", c.Income)
	c.Expense = cleanTotals(s, "Expense", c.Expense)
	c.Benefits = cleanBenefits(s, c.Benefits)
	c.Milestones = append([]Milestone(nil), y.Milestones...)
	for i := range c.Milestones {
		c.Milestones[i].Text = s.clean(fmt.Sprintf("Milestones[%d].Text", i), c.Milestones[i].Text, true)
	}
	r.logSubstitutions(c.Number, s.subs)
	return &c, s.err()
}

func cleanTotals(s *sanitizer, field string, in []CategoryTotal) []CategoryTotal {
	out := append([]CategoryTotal(nil), in...)
	for i := range out {
		out[i].Category = s.clean(fmt.Sprintf("%s[%d].Category", field, i), out[i].Category, false)
	}
	return out
}

func layoutYearly(d *doc, y *Yearly) {
	d.running = fmt.Sprintf("%s %d年 社区集体资产增长情况    报告编号：%s", y.Community.Name, y.Year, y.Number)
	span := fmt.Sprintf("%d年", y.Year)
	if n := len(y.YearEnds); n > 1 {
		span = fmt.Sprintf("%d—%d年", y.YearEnds[0].Year, y.YearEnds[n-1].Year)
	}
	d.title("社区集体资产增长情况", fmt.Sprintf("%s · %s", y.Community.Name, span))

	var total, growth string
	if n := len(y.YearEnds); n > 0 && y.YearEnds[n-1].Year == y.Year {
		total = y.YearEnds[n-1].Total.Grouped() + " 元"
		growth = "—"
		if n > 1 {
			growth = growthRate(y.YearEnds[n-2].Total, y.YearEnds[n-1].Total)
		}
	}
	d.keyValues([][2]string{
		{"社区", communityLine(y.Community)},
		{"所属", joinNonEmpty(" · ", y.Community.District, y.Community.SubDistrict)},
		{"报告年度", fmt.Sprintf("%d年1月1日至12月31日", y.Year)},
		{"报告编号", y.Number},
		{"年末资产总额", total},
		{"比上年增长", growth},
		{"公布日期", publishedLine(y.PublishedOn, y.DueOn)},
	}, 9.5)

	d.heading("一、历年年末集体资产总额", 80)
	if len(y.YearEnds) == 0 {
		d.paragraph("无年末资产数据。", 9.5, 0)
	} else {
		barChart(d, y.YearEnds, y.Year)
		cols := []column{{"年度", 24, 'C'}, {"年末资产总额（元）", 56, 'R'}, {"比上年增减（元）", 56, 'R'}, {"增长率", contentW - 136, 'R'}}
		var rows []row
		for i, e := range y.YearEnds {
			diff, rate := "—", "—"
			if i > 0 {
				diff = (e.Total - y.YearEnds[i-1].Total).Grouped()
				rate = growthRate(y.YearEnds[i-1].Total, e.Total)
			}
			rows = append(rows, row{cells: []string{strconv.Itoa(e.Year), e.Total.Grouped(), diff, rate}, total: e.Year == y.Year})
		}
		d.table(cols, rows, 9)
	}

	d.heading(fmt.Sprintf("二、%d年末资产构成", y.Year), 20)
	if len(y.Categories) == 0 {
		d.paragraph("无资产分类数据。", 9.5, 0)
	} else {
		var sum money.Fen
		var count int
		for _, a := range y.Categories {
			sum += a.Value
			count += a.Count
		}
		cols := []column{{"资产类别", 50, 'L'}, {"资产数量（项）", 30, 'R'}, {"年末价值（元）", 56, 'R'}, {"占比", contentW - 136, 'R'}}
		var rows []row
		shares := categoryShares(y.Layout, y.Categories, sum)
		for i, a := range y.Categories {
			rows = append(rows, row{cells: []string{label(assetLabels, a.Category), strconv.Itoa(a.Count), a.Value.Grouped(), shares[i]}})
		}
		rows = append(rows, row{cells: []string{"合计", strconv.Itoa(count), sum.Grouped(), share(sum, sum)}, total: true})
		d.table(cols, rows, 9)
	}

	d.heading(fmt.Sprintf("三、%d年收支情况（单位：元）", y.Year), 20)
	cols := []column{{"收支", 24, 'C'}, {"项目", 80, 'L'}, {"全年金额", contentW - 104, 'R'}}
	var rows []row
	var in, ex money.Fen
	for _, c := range y.Income {
		rows = append(rows, row{cells: []string{"收入", c.Category, c.Amount.Grouped()}})
		in += c.Amount
	}
	rows = append(rows, row{cells: []string{"收入", "收入合计", in.Grouped()}, total: true})
	for _, c := range y.Expense {
		rows = append(rows, row{cells: []string{"支出", c.Category, c.Amount.Grouped()}})
		ex += c.Amount
	}
	rows = append(rows,
		row{cells: []string{"支出", "支出合计", ex.Grouped()}, total: true},
		row{cells: []string{"结余", "收入合计减支出合计", (in - ex).Grouped()}, total: true})
	d.table(cols, rows, 9)

	d.heading(fmt.Sprintf("四、%d年惠民福利发放（按类别汇总）", y.Year), 20)
	benefitTable(d, y.Benefits, "本年", welfareOf(y.Layout, y.WelfareCategory, y.Expense, "第三部分"))

	d.heading("五、发展大事记", 12)
	ms := milestones(y)
	if len(ms) == 0 {
		d.paragraph("无。", 9.5, 0)
	} else {
		cols = []column{{"时间", 30, 'C'}, {"事项", contentW - 30, 'L'}}
		rows = rows[:0]
		for _, m := range ms {
			rows = append(rows, row{cells: []string{dateCN(m.Date), m.Text}})
		}
		d.table(cols, rows, 9)
	}

	signOff(d, y.Community.Name, y.PublishedOn, "年末资产总额为各项资产在年末的最新清查估值之和。")
	d.footers(chainLine(y.PrevSHA256))
}

// thresholds are the totals whose first crossing is a milestone, in fen.
var thresholds = []struct {
	fen   money.Fen
	label string
}{
	{money.Yuan(10_000_000), "1,000万元"},
	{money.Yuan(50_000_000), "5,000万元"},
	{money.Yuan(100_000_000), "1亿元"},
	{money.Yuan(200_000_000), "2亿元"},
	{money.Yuan(500_000_000), "5亿元"},
	{money.Yuan(1_000_000_000), "10亿元"},
}

// milestones returns y's milestones plus one for each threshold the shown
// year-end totals cross (only a crossing seen in the data: a community
// already above 1亿元 in the first year shown gets none for it), in date
// order.
func milestones(y *Yearly) []Milestone {
	out := append([]Milestone(nil), y.Milestones...)
	for i := 1; i < len(y.YearEnds); i++ {
		prev, cur := y.YearEnds[i-1], y.YearEnds[i]
		for _, t := range thresholds {
			if prev.Total < t.fen && cur.Total >= t.fen {
				out = append(out, Milestone{
					Date: Date(cur.Year, time.December, 31),
					Text: fmt.Sprintf("年末集体资产总额首次突破%s，达 %s 元。", t.label, cur.Total.Grouped()),
				})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out
}

// categoryShares formats each category's share of sum. From Layout1 on the
// shares are apportioned by largest remainder (money.Shares) so that they
// add up to the 合计 row's 100.00%; Layout0 rounded each on its own and
// could add up to 99.99% or 100.01%.
func categoryShares(layout int, cats []AssetCategoryTotal, sum money.Fen) []string {
	out := make([]string, len(cats))
	if layout >= Layout1 {
		values := make([]money.Fen, len(cats))
		for i, a := range cats {
			values[i] = a.Value
		}
		if bps, ok := money.Shares(values); ok {
			for i, bp := range bps {
				out[i] = money.Percent(bp) + "%"
			}
			return out
		}
	}
	for i, a := range cats {
		out[i] = share(a.Value, sum)
	}
	return out
}

// growthRate formats (cur-prev)/prev as a percentage with two decimals,
// rounded as the API's growthPercent (money.Ratio).
func growthRate(prev, cur money.Fen) string { return share(cur-prev, prev) }

func share(part, whole money.Fen) string {
	bp, ok := money.Ratio(part, whole)
	if !ok {
		return "—"
	}
	return money.Percent(bp) + "%"
}

// barChart draws the year-end totals as a bar chart with gofpdf's vector
// primitives (rectangles and lines), the bar of year in red.
func barChart(d *doc, ends []YearEnd, year int) {
	const (
		chartH = 70.0
		axisW  = 20.0
		plotH  = 50.0
	)
	d.ensure(chartH)
	top := d.y
	maxV := money.Fen(0)
	for _, e := range ends {
		maxV = max(maxV, e.Total)
	}
	// Values are shown in 万元 once they are large, as district reports do.
	unit, div := "元", 100.0
	if maxV >= money.Yuan(1_000_000) {
		unit, div = "万元", 1_000_000
	}
	step := niceStep(float64(maxV) / div / 5)
	ticks := int(math.Ceil(float64(maxV) / div / step))
	ticks = max(ticks, 1)
	scaleTop := step * float64(ticks)

	d.setFont(7.5)
	d.color(opTextColor, grey)
	d.text(marginL, d.baseline(top), "单位："+unit)
	x0, y0 := marginL+axisW, top+6+plotH // origin: bottom-left of the plot
	plotW := contentW - axisW - 2
	d.lineWidth(0.1)
	d.color(opDrawColor, rgb{200, 200, 200})
	for i := 0; i <= ticks; i++ {
		v := step * float64(i)
		yy := y0 - plotH*v/scaleTop
		if i > 0 {
			d.line(x0, yy, x0+plotW, yy)
		}
		tick := groupFloat(v)
		if step < 1 {
			tick = strconv.FormatFloat(v, 'f', 2, 64)
		}
		d.aligned(marginL, axisW-2, yy+1, tick, 'R')
	}
	d.color(opDrawColor, rule)
	d.lineWidth(0.3)
	d.line(x0, y0, x0+plotW, y0)
	d.line(x0, y0, x0, y0-plotH)

	slot := plotW / float64(len(ends))
	barW := math.Min(slot*0.6, 14)
	for i, e := range ends {
		v := math.Max(float64(e.Total)/div, 0)
		h := plotH * v / scaleTop
		x := x0 + slot*float64(i) + (slot-barW)/2
		c := barBlue
		if e.Year == year {
			c = red
		}
		d.color(opFillColor, c)
		if h > 0 {
			d.rect(x, y0-h, barW, h, "F")
		}
		d.color(opTextColor, black)
		d.setFont(6.5)
		d.aligned(x-slot/2+barW/2, slot, y0-h-1.2, groupFloat(math.Round(v)), 'C')
		d.setFont(7.5)
		d.aligned(x-slot/2+barW/2, slot, y0+4, strconv.Itoa(e.Year), 'C')
	}
	d.color(opTextColor, black)
	d.y = top + chartH - 4
}

// niceStep rounds a raw axis step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// groupFloat formats a whole number with thousands separators.
func groupFloat(v float64) string {
	s := strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
