// Package web serves what district officials open in a browser: the page
// at /reports to pick a community and a period, download its published
// report and compare every community of the district side by side, and
// the PDF downloads at /reports/{id}.pdf. Server-rendered HTML in Chinese,
// no build step, no JavaScript needed.
package officials

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"sunlight/ent"
	"sunlight/ent/community"
	entreport "sunlight/ent/report"
	"sunlight/internal/ledger"
	"sunlight/internal/reports/archive"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/money"
)

// listed are the columns of a report the page and downloads show: all but
// its frozen inputs (some 15 KB a monthly report), which only verify reads.
var listed = func() []string {
	var cols []string
	for _, c := range entreport.Columns {
		if c != entreport.FieldInputs {
			cols = append(cols, c)
		}
	}
	return cols
}()

//go:embed templates/*.html
var templates embed.FS

var page = template.Must(template.New("reports.html").Funcs(template.FuncMap{
	"yuan": func(f money.Fen) string { return f.Grouped() },
	// Officials read times in Beijing time, whatever the server's zone.
	"beijing": func(t time.Time) string { return t.In(calendar.Shanghai).Format("2006-01-02 15:04") },
}).ParseFS(templates, "templates/reports.html"))

// Handler serves the officials' page and the downloads.
type Handler struct {
	client    *ent.Client
	archive   *archive.Archive
	integrity *archive.Integrity
	now       func() time.Time
}

// New returns the handler; now is the clock (nil: time.Now).
func New(client *ent.Client, a *archive.Archive, now func() time.Time) *Handler {
	if now == nil {
		now = time.Now
	}
	return &Handler{client: client, archive: a, integrity: archive.NewIntegrity(a), now: now}
}

// Integrity is the check of every file handed out, for the edge to hook its
// metric and readiness to.
func (h *Handler) Integrity() *archive.Integrity { return h.integrity }

// changedMessage is the refusal of a file that is not the published report.
const changedMessage = "报告文件与发布记录的 SHA-256 不一致，已拒绝提供并记录，请联系平台管理员。\n" +
	"The archived file does not match the published report's SHA-256; it is withheld and the incident is logged.\n"

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /reports", h.page)
	mux.HandleFunc("GET /reports/{file}", h.download)
}

// DownloadURL is where a published report can be downloaded.
func DownloadURL(id int) string { return fmt.Sprintf("/reports/%d.pdf", id) }

// row is one community of the district in the side-by-side table.
type row struct {
	Community *ent.Community
	Report    *ent.Report
	URL       string
	// Changed: the archived file is known not to be the published bytes.
	Changed bool
	// Never: no report, and none will come: the month was closed before
	// the community's chain began on the platform, or precedes its go-live.
	Never   bool
	Income  money.Fen
	Expense money.Fen
}

type view struct {
	Communities []*ent.Community
	Districts   []string
	District    string
	Code        string
	Month       string
	Kind        string
	Selected    *row
	Rows        []row
	Error       string
	Published   int
	// Months is the selected community's twelve months to the chosen
	// one, oldest first (empty without a selected community).
	Months []monthRow
}

// monthRow is one month of a community's month-by-month view.
type monthRow struct {
	Period  string
	Income  money.Fen
	Expense money.Fen
	Report  *ent.Report
	URL     string
	Changed bool
	Never   bool // not published and never will be here (see neverPublished)
}

func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	v := view{Code: q.Get("community"), Month: q.Get("month"), Kind: q.Get("kind"), District: q.Get("district")}
	if v.Kind == "" {
		v.Kind = "monthly"
	}
	if v.Month == "" {
		v.Month = calendar.MonthOf(calendar.DayOf(h.now())).Prev().String()
	}
	period, err := calendar.ParsePeriod(v.Month)
	if err != nil || !period.IsMonth() {
		v.Error = "月份格式应为 YYYY-MM，例如 2026-10"
		period = calendar.MonthOf(calendar.DayOf(h.now())).Prev()
		v.Month = period.String()
	}
	all, err := h.client.Community.Query().Order(community.ByDistrict(), community.ByCode()).All(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Communities = all
	seen := map[string]bool{}
	for _, c := range all {
		if !seen[c.District] {
			seen[c.District] = true
			v.Districts = append(v.Districts, c.District)
		}
	}
	if v.District == "" && len(v.Districts) > 0 {
		v.District = v.Districts[0]
		for _, c := range all {
			if c.Code == v.Code {
				v.District = c.District
			}
		}
	}
	rows, err := h.district(ctx, all, v.District, period)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Rows = rows
	for i := range rows {
		if rows[i].Report != nil {
			v.Published++
		}
	}
	if v.Code != "" {
		sel, err := h.selected(ctx, all, v.Code, v.Kind, period)
		switch {
		case err != nil:
			v.Error = err.Error()
		default:
			v.Selected = sel
			if v.Months, err = h.months(ctx, sel.Community, period); err != nil {
				h.fail(w, r, err)
				return
			}
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := page.Execute(w, v); err != nil {
		slog.ErrorContext(ctx, "render reports page", "err", err)
	}
}

// district lists the district's communities for month: the report, if
// published, and the month's posted totals.
func (h *Handler) district(ctx context.Context, all []*ent.Community, district string, month calendar.Period) ([]row, error) {
	var ids []int
	var cs []*ent.Community
	for _, c := range all {
		if c.District == district {
			ids = append(ids, c.ID)
			cs = append(cs, c)
		}
	}
	reports, err := h.client.Report.Query().Where(
		entreport.CommunityIDIn(ids...), entreport.KindEQ(entreport.KindMONTHLY_DISCLOSURE),
		entreport.Period(month.String()), entreport.StatusEQ(entreport.StatusPUBLISHED),
	).Select(listed...).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load reports: %w", err)
	}
	byCommunity := map[int]*ent.Report{}
	for _, r := range reports {
		byCommunity[r.CommunityID] = r
	}
	// The same totals as the API's districtTotals.
	totals, err := ledger.TotalsOf(ctx, h.client, cs, month)
	if err != nil {
		return nil, err
	}
	rows := make([]row, len(totals))
	for i, t := range totals {
		rows[i] = row{Community: t.Community, Income: t.Income, Expense: t.Expense}
		if r := byCommunity[t.Community.ID]; r != nil {
			rows[i].Report, rows[i].URL = r, DownloadURL(r.ID)
			// Only what a download already found: reading every file of the
			// district for each page view would cost too much.
			rows[i].Changed = h.integrity.Known(r.StorageKey)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Community.Code < rows[j].Community.Code })
	return rows, nil
}

func (h *Handler) selected(ctx context.Context, all []*ent.Community, code, kind string, month calendar.Period) (*row, error) {
	var c *ent.Community
	for _, x := range all {
		if x.Code == code {
			c = x
		}
	}
	if c == nil {
		return nil, fmt.Errorf("没有代码为 %q 的社区", code)
	}
	k, p := entreport.KindMONTHLY_DISCLOSURE, month
	if kind == "yearly" {
		k, p = entreport.KindYEARLY_ASSET_GROWTH, calendar.Year(month.Year)
	}
	r, err := h.client.Report.Query().Where(entreport.CommunityID(c.ID), entreport.KindEQ(k),
		entreport.Period(p.String()), entreport.StatusEQ(entreport.StatusPUBLISHED)).Select(listed...).Only(ctx)
	if ent.IsNotFound(err) {
		never, err := h.neverPublished(ctx, c, k, p)
		if err != nil {
			return nil, err
		}
		return &row{Community: c, Never: never}, nil
	}
	if err != nil {
		return nil, err
	}
	sel := &row{Community: c, Report: r, URL: DownloadURL(r.ID)}
	// The page shows the recorded SHA-256 beside the link: check that the
	// file is still that one (one file, as a download would).
	if _, err := h.integrity.Read(ctx, r.StorageKey, r.Sha256); err != nil {
		if !errors.Is(err, archive.ErrChanged) {
			slog.ErrorContext(ctx, "read a published report for the page", "report", r.ID, "err", err)
		}
		sel.Changed, sel.URL = true, ""
	}
	return sel, nil
}

// viewMonths is how many months the month-by-month view shows.
const viewMonths = 12

// months is c's month-by-month view: the twelve months to month, each
// with its posted income and expense, from the API's monthlySeries query
// (ledger.SelectionMonthly: closed months from their month sums, open ones
// from the vouchers), and its published disclosure.
func (h *Handler) months(ctx context.Context, c *ent.Community, month calendar.Period) ([]monthRow, error) {
	from := month
	for range viewMonths - 1 {
		from = from.Prev()
	}
	series, err := ledger.SelectionMonthly(ctx, h.client, ledger.Select(&c.ID, nil, nil), from, month)
	if err != nil {
		return nil, fmt.Errorf("months of %s: %w", c.Code, err)
	}
	reports, err := h.client.Report.Query().Where(
		entreport.CommunityID(c.ID), entreport.KindEQ(entreport.KindMONTHLY_DISCLOSURE), entreport.StatusEQ(entreport.StatusPUBLISHED),
		entreport.PeriodGTE(from.String()), entreport.PeriodLTE(month.String()),
	).Select(listed...).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("reports of %s: %w", c.Code, err)
	}
	byPeriod := make(map[string]*ent.Report, len(reports))
	for _, r := range reports {
		byPeriod[r.Period] = r
	}
	first := ""
	if len(reports) < len(series) && c.ClosedThrough != nil && *c.ClosedThrough >= from.String() {
		// Some closed month of the view has no report: it may precede
		// the chain.
		if first, err = h.firstMonthly(ctx, c); err != nil {
			return nil, err
		}
	}
	out := make([]monthRow, len(series))
	for i, m := range series {
		out[i] = monthRow{Period: m.Period.String(), Income: m.Income, Expense: m.Expense}
		if r := byPeriod[out[i].Period]; r != nil {
			out[i].Report, out[i].URL = r, DownloadURL(r.ID)
			out[i].Changed = h.integrity.Known(r.StorageKey)
		} else {
			out[i].Never = never(c, m.Period, first)
		}
	}
	return out, nil
}

// neverPublished says whether c's monthly disclosure of month will never be
// published here: the month is before the community's go-live month, or
// it was closed before the community's first published disclosure (the
// scheduler goes on from a chain or from the last closed month, never back).
func (h *Handler) neverPublished(ctx context.Context, c *ent.Community, kind entreport.Kind, month calendar.Period) (bool, error) {
	if kind != entreport.KindMONTHLY_DISCLOSURE {
		return false, nil
	}
	if live, ok := ledger.GoLive(c); ok && month.Before(live) {
		return true, nil
	}
	if c.ClosedThrough == nil || *c.ClosedThrough < month.String() {
		return false, nil // open, or closed and its disclosure still due
	}
	first, err := h.firstMonthly(ctx, c)
	if err != nil {
		return false, err
	}
	return never(c, month, first), nil
}

// firstMonthly is the period of c's first published monthly disclosure,
// "" if none.
func (h *Handler) firstMonthly(ctx context.Context, c *ent.Community) (string, error) {
	first, err := h.client.Report.Query().Where(entreport.CommunityID(c.ID), entreport.KindEQ(entreport.KindMONTHLY_DISCLOSURE),
		entreport.StatusEQ(entreport.StatusPUBLISHED)).Order(entreport.ByPeriod()).Select(entreport.FieldPeriod).First(ctx)
	if ent.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("first report of %s: %w", c.Code, err)
	}
	return first.Period, nil
}

// never is neverPublished for a monthly disclosure, given the period of c's
// first published one ("" if none: a closed month then precedes the chain,
// which begins after the last closed month).
func never(c *ent.Community, month calendar.Period, first string) bool {
	if live, ok := ledger.GoLive(c); ok && month.Before(live) {
		return true
	}
	if c.ClosedThrough == nil || *c.ClosedThrough < month.String() {
		return false
	}
	return first == "" || month.String() < first
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	slog.ErrorContext(r.Context(), "reports page", "err", err)
	http.Error(w, "服务器内部错误，请稍后再试", http.StatusInternalServerError)
}

// download streams a published report: Content-Disposition with the
// Chinese file name (RFC 5987), ETag from the SHA-256, range requests and
// conditional requests through http.ServeContent.
func (h *Handler) download(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	idText, ok := strings.CutSuffix(file, ".pdf")
	id, err := strconv.Atoi(idText)
	if !ok || err != nil {
		http.NotFound(w, r)
		return
	}
	ctx := r.Context()
	rep, err := h.client.Report.Query().Where(entreport.ID(id), entreport.StatusEQ(entreport.StatusPUBLISHED)).Select(listed...).WithCommunity().Only(ctx)
	if ent.IsNotFound(err) {
		http.Error(w, "没有这份已发布的报告", http.StatusNotFound)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// Read whole and checked against the record before the first byte goes
	// out: a changed file is never served under the recorded hash.
	data, err := h.integrity.Read(ctx, rep.StorageKey, rep.Sha256)
	if errors.Is(err, archive.ErrChanged) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, changedMessage)
		return
	}
	if errors.Is(err, archive.ErrNotFound) {
		slog.ErrorContext(ctx, "published report missing from the archive", "report", rep.ID, "key", rep.StorageKey)
		http.Error(w, "报告文件缺失，已记录", http.StatusInternalServerError)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	name := FileName(rep)
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`,
		asciiName(rep), url.PathEscape(name)))
	w.Header().Set("ETag", `"`+rep.Sha256+`"`)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable") // a published report never changes
	w.Header().Set("X-Content-SHA256", rep.Sha256)
	modified := rep.GeneratedAt
	if rep.PublishedAt != nil {
		modified = *rep.PublishedAt
	}
	http.ServeContent(w, r, name, modified, bytes.NewReader(data))
}

// FileName is the Chinese file name of a report: 阁子市社区-2026年10月-财务公开.pdf.
func FileName(r *ent.Report) string {
	p, _ := calendar.ParsePeriod(r.Period)
	what := "财务公开"
	if r.Kind == entreport.KindYEARLY_ASSET_GROWTH {
		what = "集体资产增长情况"
	}
	name := r.Number
	if r.Edges.Community != nil {
		name = r.Edges.Community.Name
	}
	return fmt.Sprintf("%s-%s-%s.pdf", name, p.Chinese(), what)
}

func asciiName(r *ent.Report) string {
	return strings.ReplaceAll(r.Number, `"`, "") + ".pdf"
}
