package pdf

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/jung-kurt/gofpdf"

	"sunlight/internal/reports/pdf/font"
)

// Layout happens in two passes. The first lays the whole document out into
// a display list (pages of drawing operations), measuring text with the
// parsed Face; nothing touches gofpdf. The second cuts a font subset of the
// characters actually used and replays the list into gofpdf. Doing it this
// way means gofpdf parses a font of a few hundred glyphs instead of the
// 4.6 MB face for every document, the page count is known before any
// footer is drawn ("共 y 页" without gofpdf's page-number alias, whose
// width is unknown when text is centred), and gofpdf's automatic page
// breaks, which interfere with tables that repeat their header rows, are
// never used.

// Page geometry, in millimetres (A4 portrait).
const (
	pageW   = 210.0
	pageH   = 297.0
	marginL = 17.0
	marginR = 17.0
	marginT = 16.0
	// bottom is the lowest y content may reach; the footer lives below.
	bottom   = pageH - 20.0
	runningH = 8.0 // the running header of continuation pages
	contentW = pageW - marginL - marginR
	ptToMM   = 25.4 / 72
)

type opKind uint8

const (
	opFont opKind = iota
	opTextColor
	opDrawColor
	opFillColor
	opLineWidth
	opText
	opRect
	opLine
)

// op is one drawing operation of the display list.
type op struct {
	kind       opKind
	x, y, w, h float64 // opText: x and baseline y; opLine: x,y to w,h
	s          string  // opText: the text; opRect: the gofpdf style "D", "F", "FD"
	size       float64 // opFont: size in points
	r, g, b    int
}

type rgb struct{ r, g, b int }

// Colours of the official look: black text, dark grey rules, a light grey
// for table headers and totals, and the red of Chinese public notices for
// the title and chart highlight.
var (
	black     = rgb{0, 0, 0}
	grey      = rgb{90, 90, 90}
	rule      = rgb{60, 60, 60}
	headFill  = rgb{232, 232, 232}
	totalFill = rgb{245, 245, 245}
	red       = rgb{176, 24, 24}
	barBlue   = rgb{70, 110, 160}
)

// doc is the layout state of one document.
type doc struct {
	face *font.Face
	// fallback draws what face lacks (Layout2 on; nil before): see
	// output for how its characters reach the PDF.
	fallback *font.Face
	pages    [][]op
	cur      int // the page operations go to
	y        float64
	size     float64 // current font size, points
	runes    map[rune]struct{}
	// running is drawn at the top of every page after the first.
	running string
}

func newDoc(face *font.Face) *doc {
	d := &doc{face: face, runes: map[rune]struct{}{}}
	d.newPage()
	return d
}

// textContent is the text of the display list, one line per text
// operation, pages in order (footers included once drawn).
func (d *doc) textContent() string {
	var b strings.Builder
	for _, page := range d.pages {
		for _, o := range page {
			if o.kind == opText {
				b.WriteString(o.s)
				b.WriteByte('\n')
			}
		}
	}
	return b.String()
}

func (d *doc) emit(o op) { d.pages[d.cur] = append(d.pages[d.cur], o) }

func (d *doc) newPage() {
	size := d.size
	d.pages = append(d.pages, nil)
	d.cur = len(d.pages) - 1
	// Operations restate the current state at the top of each page, so
	// that each page's list is complete on its own.
	d.size = 0
	defer func() {
		d.color(opTextColor, black)
		if size > 0 {
			d.setFont(size)
		}
	}()
	d.y = marginT
	if len(d.pages) > 1 && d.running != "" {
		d.setFont(7.5)
		d.color(opTextColor, grey)
		d.text(marginL, d.y+3, d.running)
		d.color(opDrawColor, rule)
		d.lineWidth(0.2)
		d.line(marginL, d.y+4.5, pageW-marginR, d.y+4.5)
		d.y += runningH
	}
}

func (d *doc) setFont(size float64) {
	if size != d.size {
		d.size = size
		d.emit(op{kind: opFont, size: size})
	}
}

func (d *doc) color(k opKind, c rgb)       { d.emit(op{kind: k, r: c.r, g: c.g, b: c.b}) }
func (d *doc) lineWidth(w float64)         { d.emit(op{kind: opLineWidth, w: w}) }
func (d *doc) line(x1, y1, x2, y2 float64) { d.emit(op{kind: opLine, x: x1, y: y1, w: x2, h: y2}) }
func (d *doc) rect(x, y, w, h float64, style string) {
	d.emit(op{kind: opRect, x: x, y: y, w: w, h: h, s: style})
}

// text draws s with its baseline at y. Every rune drawn is recorded for the
// font subset; s must have been cleaned (sanitizer.clean) or be a label of
// this package, whose runes the tests check against the font.
func (d *doc) text(x, baseline float64, s string) {
	if s == "" {
		return
	}
	for _, r := range s {
		d.runes[r] = struct{}{}
	}
	d.emit(op{kind: opText, x: x, y: baseline, s: s})
}

// runeWidth returns the width of r in mm at the current size.
func (d *doc) runeWidth(r rune) float64 {
	return float64(d.faceOf(r).Width(r)) * d.size / 1000 * ptToMM
}

// faceOf is the face that draws r: the main one, or the fallback for what
// the main one lacks.
func (d *doc) faceOf(r rune) *font.Face {
	if d.fallback != nil && (r > 0xFFFF || !d.face.Has(r)) && d.fallback.Has(r) {
		return d.fallback
	}
	return d.face
}

func (d *doc) width(s string) float64 {
	w := 0.0
	for _, r := range s {
		w += d.runeWidth(r)
	}
	return w
}

// lineHeight is the leading for the current size.
func (d *doc) lineHeight() float64 { return d.size * ptToMM * 1.35 }

// baseline returns the baseline for a line box starting at top: CJK glyphs
// fill roughly 0.88 em above and 0.12 em below the baseline, so this centres
// them in the box.
func (d *doc) baseline(top float64) float64 {
	return top + (d.lineHeight()+d.size*ptToMM*0.76)/2
}

// aligned draws s in the box [x, x+w] aligned 'L', 'C' or 'R'.
func (d *doc) aligned(x, w, baseline float64, s string, align byte) {
	switch align {
	case 'C':
		x += (w - d.width(s)) / 2
	case 'R':
		x += w - d.width(s)
	}
	d.text(x, baseline, s)
}

// ensure starts a new page unless h mm fit below the cursor.
func (d *doc) ensure(h float64) {
	if d.y+h > bottom {
		d.newPage()
	}
}

// paragraph writes wrapped text across the content width.
func (d *doc) paragraph(s string, size float64, indent float64) {
	d.setFont(size)
	lh := d.lineHeight()
	for _, l := range wrap(s, contentW-indent, d.runeWidth) {
		d.ensure(lh)
		d.text(marginL+indent, d.baseline(d.y), display(l))
		d.y += lh
	}
}

// heading writes a section heading; keep is the height that must fit with
// it on the page (its first table rows), so a heading never ends a page.
func (d *doc) heading(s string, keep float64) {
	d.setFont(11.5)
	h := d.lineHeight() + 2
	d.y += 3
	d.ensure(h + keep)
	d.text(marginL, d.baseline(d.y), s)
	d.y += h
}

// column of a table.
type column struct {
	title string
	width float64
	align byte // 'L', 'C' or 'R'
}

// row of a table. A total row is shaded.
type row struct {
	cells []string
	total bool
}

// Table metrics.
const (
	cellPadX = 1.2
	cellPadY = 1.0
)

// table draws a bordered table that breaks across pages, repeating its
// header row on every page it spans. A row taller than a page is split
// between its lines.
func (d *doc) table(cols []column, rows []row, size float64) {
	d.setFont(size)
	lh := d.lineHeight()
	drawHeader := func() {
		d.setFont(size)
		wrapped := make([][]string, len(cols))
		n := 1
		for i, c := range cols {
			wrapped[i] = wrap(c.title, c.width-2*cellPadX, d.runeWidth)
			n = max(n, len(wrapped[i]))
		}
		h := float64(n)*lh + 2*cellPadY
		d.cells(cols, wrapped, 0, n, h, headFill, true)
		d.y += h
	}
	headerH := func() float64 {
		n := 1
		for _, c := range cols {
			n = max(n, len(wrap(c.title, c.width-2*cellPadX, d.runeWidth)))
		}
		return float64(n)*lh + 2*cellPadY
	}()
	d.ensure(headerH + lh + 2*cellPadY)
	drawHeader()
	for _, r := range rows {
		d.setFont(size)
		wrapped := make([][]string, len(cols))
		n := 1
		for i, c := range cols {
			txt := ""
			if i < len(r.cells) {
				txt = r.cells[i]
			}
			wrapped[i] = wrap(txt, c.width-2*cellPadX, d.runeWidth)
			n = max(n, len(wrapped[i]))
		}
		fill := rgb{-1, 0, 0}
		if r.total {
			fill = totalFill
		}
		rowH := float64(n)*lh + 2*cellPadY
		freshRoom := bottom - marginT - runningH - headerH
		for from := 0; from < n; {
			fit := int((bottom - d.y - 2*cellPadY) / lh)
			// Move a row that does not fit to the next page whole if it
			// fits there; split it between lines only when it is taller
			// than a page.
			if fit < 1 || (from == 0 && fit < n && rowH <= freshRoom) {
				d.newPage()
				drawHeader()
				continue
			}
			to := min(n, from+fit)
			h := float64(to-from)*lh + 2*cellPadY
			d.cells(cols, wrapped, from, to, h, fill, false)
			d.y += h
			from = to
			if from < n {
				d.newPage()
				drawHeader()
			}
		}
	}
	d.y += 1.5
}

// cells draws one row's cells: lines [from, to) of each cell's wrapped
// text in boxes of height h at the cursor. A fill with r < 0 means none.
func (d *doc) cells(cols []column, wrapped [][]string, from, to int, h float64, fill rgb, header bool) {
	lh := d.lineHeight()
	d.color(opDrawColor, rule)
	d.lineWidth(0.2)
	style := "D"
	if fill.r >= 0 {
		d.color(opFillColor, fill)
		style = "FD"
	}
	x := marginL
	for i, c := range cols {
		d.rect(x, d.y, c.width, h, style)
		align := c.align
		if header {
			align = 'C'
		}
		lines := wrapped[i]
		// Vertically centre short cells in a tall row, like a spreadsheet,
		// unless the row is split across pages: then its start is on top.
		top := d.y + cellPadY
		if n := len(lines); n < to-from && from == 0 && to == rowLines(wrapped) {
			top += float64(to-from-n) * lh / 2
		}
		for j := from; j < to && j < len(lines); j++ {
			d.aligned(x+cellPadX, c.width-2*cellPadX, d.baseline(top+float64(j-from)*lh), display(lines[j]), align)
		}
		x += c.width
	}
}

// rowLines is the number of lines of a row: that of its tallest cell.
func rowLines(wrapped [][]string) int {
	n := 1
	for _, w := range wrapped {
		n = max(n, len(w))
	}
	return n
}

// keyValues draws the header block: a bordered grid of label/value pairs,
// two pairs to a row.
func (d *doc) keyValues(pairs [][2]string, size float64) {
	d.setFont(size)
	lh := d.lineHeight()
	labelW := 24.0
	valueW := contentW/2 - labelW
	for i := 0; i < len(pairs); i += 2 {
		type cell struct {
			x, w  float64
			lines []string
			label bool
		}
		var cs []cell
		x := marginL
		for j := i; j < i+2; j++ {
			var k, v string
			if j < len(pairs) {
				k, v = pairs[j][0], pairs[j][1]
			}
			vw := valueW
			if j == i && i+1 >= len(pairs) {
				// A lone last pair spans the whole row.
				vw = contentW - labelW
			}
			cs = append(cs, cell{x, labelW, wrap(k, labelW-2*cellPadX, d.runeWidth), true})
			cs = append(cs, cell{x + labelW, vw, wrap(v, vw-2*cellPadX, d.runeWidth), false})
			x += labelW + vw
			if vw != valueW {
				break
			}
		}
		n := 1
		for _, c := range cs {
			n = max(n, len(c.lines))
		}
		h := float64(n)*lh + 2*cellPadY + 1
		d.ensure(h)
		d.color(opDrawColor, rule)
		d.lineWidth(0.2)
		for _, c := range cs {
			if c.label {
				d.color(opFillColor, headFill)
				d.rect(c.x, d.y, c.w, h, "FD")
			} else {
				d.rect(c.x, d.y, c.w, h, "D")
			}
			top := d.y + cellPadY + 0.5 + float64(n-len(c.lines))*lh/2
			for k, l := range c.lines {
				align := byte('L')
				if c.label {
					align = 'C'
				}
				d.aligned(c.x+cellPadX, c.w-2*cellPadX, d.baseline(top+float64(k)*lh), display(l), align)
			}
		}
		d.y += h
	}
}

// title draws the document title and subtitle in the official style: a
// red title centred over a double red rule (the 红头 of Chinese notices).
func (d *doc) title(title, subtitle string) {
	d.setFont(22)
	d.color(opTextColor, red)
	d.aligned(marginL, contentW, d.baseline(d.y), title, 'C')
	d.y += d.lineHeight() + 1
	d.setFont(12)
	d.color(opTextColor, black)
	d.aligned(marginL, contentW, d.baseline(d.y), subtitle, 'C')
	d.y += d.lineHeight() + 1.5
	d.color(opDrawColor, red)
	d.lineWidth(0.8)
	d.line(marginL, d.y, pageW-marginR, d.y)
	d.lineWidth(0.25)
	d.line(marginL, d.y+1.2, pageW-marginR, d.y+1.2)
	d.y += 4
}

// footers draws, on every page, the chain line and "第 x 页 / 共 y 页". It
// runs after layout, when the page count is known.
func (d *doc) footers(chain string) {
	total := len(d.pages)
	for p := range d.pages {
		d.cur, d.size = p, 0
		d.color(opDrawColor, rule)
		d.lineWidth(0.2)
		d.line(marginL, pageH-15, pageW-marginR, pageH-15)
		d.color(opTextColor, grey)
		d.setFont(6.5)
		d.text(marginL, pageH-11, chain)
		d.setFont(8)
		d.aligned(marginL, contentW, pageH-11, fmt.Sprintf("第 %d 页 / 共 %d 页", p+1, total), 'R')
	}
}

// meta is the document information written to the PDF.
type meta struct {
	title, subject, author, keywords string
	date                             time.Time
}

// output replays the display list into gofpdf and writes the PDF to w.
func (d *doc) output(w io.Writer, m meta) error {
	runes := make([]rune, 0, len(d.runes))
	var extra []rune // drawn from the fallback face
	for r := range d.runes {
		if d.faceOf(r) == d.face {
			runes = append(runes, r)
		} else {
			extra = append(extra, r)
		}
	}
	// Sorted so the subset (and the PDF bytes) do not depend on map order.
	sort.Slice(runes, func(i, j int) bool { return runes[i] < runes[j] })
	for _, r := range runes {
		if !d.face.Has(r) {
			return fmt.Errorf("report: internal error: the layout drew %q (%U), which the font lacks", r, r)
		}
	}
	sub, err := d.face.Subset(runes)
	if err != nil {
		return err
	}
	fb, err := d.fallbackFont(extra)
	if err != nil {
		return err
	}
	pdf := gofpdf.NewCustom(&gofpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: "A4"})
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(m.date)
	pdf.SetModificationDate(m.date)
	pdf.SetCompression(true)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	pdf.SetTitle(m.title, true)
	pdf.SetSubject(m.subject, true)
	pdf.SetAuthor(m.author, true)
	pdf.SetKeywords(m.keywords, true)
	pdf.SetCreator("Sunlight", true)
	pdf.SetProducer("Sunlight report (gofpdf 1.16.2)", true)
	pdf.AddUTF8FontFromBytes("cjk", "", sub)
	if fb != nil {
		pdf.AddUTF8FontFromBytes("cjkx", "", fb.subset)
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("report: font: %w", err)
	}
	var size float64
	for _, page := range d.pages {
		pdf.AddPage()
		for _, o := range page {
			switch o.kind {
			case opFont:
				pdf.SetFont("cjk", "", o.size)
				size = o.size
			case opText:
				if fb == nil || !strings.ContainsFunc(o.s, fb.has) {
					pdf.Text(o.x, o.y, o.s)
					break
				}
				d.mixedText(pdf, fb, size, o)
			case opTextColor:
				pdf.SetTextColor(o.r, o.g, o.b)
			case opDrawColor:
				pdf.SetDrawColor(o.r, o.g, o.b)
			case opFillColor:
				pdf.SetFillColor(o.r, o.g, o.b)
			case opLineWidth:
				pdf.SetLineWidth(o.w)
			case opRect:
				pdf.Rect(o.x, o.y, o.w, o.h, o.s)
			case opLine:
				pdf.Line(o.x, o.y, o.w, o.h)
			}
		}
		if err := pdf.Error(); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("report: writing PDF: %w", err)
	}
	return nil
}

// fallbackSubset is the fallback face cut for one document. gofpdf
// encodes text as UCS-2 and its fonts' ToUnicode maps each code to itself,
// so a character above U+FFFF (𠮷, U+20BB7) is put in the subset under a
// code of the Private Use Area (U+E000 on, in rune order) and drawn inside
// a marked-content span whose ActualText is the real character: viewers
// show the glyph, and copying or extracting the text (pdftotext) gives 𠮷,
// not the private code. Extension A characters keep their own code.
type fallbackSubset struct {
	subset []byte
	code   map[rune]rune // rune drawn -> code in the subset
}

func (f *fallbackSubset) has(r rune) bool { _, ok := f.code[r]; return ok }

func (d *doc) fallbackFont(runes []rune) (*fallbackSubset, error) {
	if len(runes) == 0 {
		return nil, nil
	}
	sort.Slice(runes, func(i, j int) bool { return runes[i] < runes[j] })
	f := &fallbackSubset{code: make(map[rune]rune, len(runes))}
	m := make([]font.Mapping, 0, len(runes))
	private := rune(0xE000)
	for _, r := range runes {
		code := r
		if r > 0xFFFF {
			if private > 0xF8FF {
				return nil, fmt.Errorf("report: internal error: more than 6,400 characters above U+FFFF in one document")
			}
			code, private = private, private+1
		}
		f.code[r] = code
		m = append(m, font.Mapping{Code: code, Rune: r})
	}
	sub, err := d.fallback.SubsetAs(m)
	if err != nil {
		return nil, err
	}
	f.subset = sub
	return f, nil
}

// mixedText draws o's text in runs of the main and the fallback face,
// each placed after the width of the runs before it.
func (d *doc) mixedText(pdf *gofpdf.Fpdf, fb *fallbackSubset, size float64, o op) {
	x := o.x
	s := o.s
	for s != "" {
		first, _ := utf8.DecodeRuneInString(s)
		extra := fb.has(first)
		n := 0
		for n < len(s) {
			r, w := utf8.DecodeRuneInString(s[n:])
			if fb.has(r) != extra {
				break
			}
			n += w
		}
		run := s[:n]
		s = s[n:]
		var width float64
		for _, r := range run {
			width += float64(d.faceOf(r).Width(r)) * size / 1000 * ptToMM
		}
		if !extra {
			pdf.Text(x, o.y, run)
			x += width
			continue
		}
		coded := []rune(run)
		wide := false
		for i, r := range coded {
			wide = wide || r > 0xFFFF
			coded[i] = fb.code[r]
		}
		if wide {
			pdf.RawWriteStr("/Span <</ActualText <FEFF" + utf16Hex(run) + ">>> BDC")
		}
		pdf.SetFont("cjkx", "", size)
		pdf.Text(x, o.y, string(coded))
		pdf.SetFont("cjk", "", size)
		if wide {
			pdf.RawWriteStr("EMC")
		}
		x += width
	}
}

// utf16Hex is s in UTF-16BE, as hex digits (a PDF text string).
func utf16Hex(s string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	return b.String()
}

// Formatting helpers shared by both reports.

func dateCN(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}

// publishedLine is the header's 公布日期: the real date, and the due date
// when the report came out late.
func publishedLine(on, due time.Time) string {
	if !due.IsZero() && on.After(due) {
		return fmt.Sprintf("%s（应于%s公布）", dateCN(on), dateCN(due))
	}
	return dateCN(on)
}

func dateISO(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

func chainLine(prev string) string {
	if prev == "" {
		return "上一期报告 SHA-256: 无（首期报告）"
	}
	return "上一期报告 SHA-256: " + strings.ToLower(prev)
}
