// Package chain verifies published reports as evidence (rule 8 of the
// design). For every community and kind it checks, each finding on a line
// of its own:
//
//   - the chain: each report names its predecessor's SHA-256, and no report
//     is missing: every month from the first monthly disclosure through the
//     community's closed_through, every yearly summary from the first
//     through the last year whose December is closed, and every period a
//     run recorded as published;
//   - the stored file: the archive's PDF has the SHA-256 and size recorded;
//   - the records: rendering the inputs frozen with the report (what it was
//     rendered from when published, package publish) gives the recorded
//     SHA-256;
//   - the books: the vouchers and category totals frozen with a monthly
//     disclosure are still those of the closed month in the ledger. Posted
//     vouchers of a closed month cannot change, so a difference is
//     tampering, named voucher by voucher;
//   - the signatures: every signature of every posted voucher of a
//     disclosed month verifies with its signer's key over the voucher as it
//     is in the books, by a signer of the community in office that day
//     (signatures.go); name-only signatures from before keys are noted as
//     unverified.
//
// Ordinary later edits (a lease extended, an inquiry answered) change none
// of these, so they never fail verify. A report published before inputs
// were frozen is regenerated from today's records instead, as it used to be.
package chain

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"sunlight/ent"
	"sunlight/ent/community"
	"sunlight/ent/jobrun"
	entreport "sunlight/ent/report"
	"sunlight/internal/reports/archive"
	"sunlight/internal/reports/disclosure"
	"sunlight/internal/reports/pdf"
	"sunlight/internal/reports/publish"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/money"
)

// Finding is the verdict on one report, or on one that is missing.
type Finding struct {
	Community string
	Kind      entreport.Kind
	Period    string
	ReportID  int  // 0: the report is missing
	Missing   bool // no report although the period is closed or was published
	OK        bool
	Problems  []string // one finding each: "the stored file changed: …", "the books changed: …"
	// Notes are said without failing: name-only signatures, unverified.
	Notes []string
}

func (f Finding) String() string {
	switch {
	case f.OK:
		var b strings.Builder
		fmt.Fprintf(&b, "OK        %s %s %s", f.Community, f.Kind, f.Period)
		for _, n := range f.Notes {
			b.WriteString("\n          · ")
			b.WriteString(n)
		}
		return b.String()
	case f.Missing:
		return fmt.Sprintf("MISSING   %s %s %s: %s", f.Community, f.Kind, f.Period, strings.Join(f.Problems, "; "))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "MISMATCH  %s %s %s (report %d):", f.Community, f.Kind, f.Period, f.ReportID)
	for _, p := range f.Problems {
		b.WriteString("\n          - ")
		b.WriteString(p)
	}
	for _, n := range f.Notes {
		b.WriteString("\n          · ")
		b.WriteString(n)
	}
	return b.String()
}

// Verify checks every published report of the community with code (all
// communities when code is empty), oldest first per community and kind,
// and reports every missing one.
func Verify(ctx context.Context, client *ent.Client, a *archive.Archive, r *pdf.Renderer, code string) ([]Finding, error) {
	q := client.Community.Query().Order(community.ByCode())
	if code != "" {
		q.Where(community.Code(code))
	}
	cs, err := q.All(ctx)
	if err != nil {
		return nil, fmt.Errorf("list communities: %w", err)
	}
	if code != "" && len(cs) == 0 {
		return nil, fmt.Errorf("no community has the code %q", code)
	}
	var out []Finding
	for _, c := range cs {
		for _, kind := range []entreport.Kind{entreport.KindMONTHLY_DISCLOSURE, entreport.KindYEARLY_ASSET_GROWTH} {
			reps, err := published(ctx, client, c.ID, kind)
			if err != nil {
				return nil, err
			}
			missing, err := missingOf(ctx, client, c, kind, reps)
			if err != nil {
				return nil, err
			}
			for _, gap := range missing {
				out = append(out, Finding{Community: c.Code, Kind: kind, Period: gap.Period.String(), Missing: true, Problems: []string{gap.String()}})
			}
			prev := ""
			for _, rep := range reps {
				out = append(out, check(ctx, client, a, r, c, rep, prev))
				prev = rep.Sha256
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Community != out[j].Community {
			return out[i].Community < out[j].Community
		}
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Period < out[j].Period
	})
	return out, nil
}

// published lists the published reports of a community and kind in period
// order, with only the given columns when some are named.
func published(ctx context.Context, client *ent.Client, communityID int, kind entreport.Kind, columns ...string) ([]*ent.Report, error) {
	q := client.Report.Query().Where(entreport.CommunityID(communityID), entreport.KindEQ(kind),
		entreport.StatusEQ(entreport.StatusPUBLISHED)).Order(entreport.ByPeriod())
	if len(columns) > 0 {
		q.Select(columns...)
	}
	reps, err := q.All(ctx)
	if err != nil {
		return nil, fmt.Errorf("reports of community %d: %w", communityID, err)
	}
	return reps, nil
}

// Gap is a report that should exist and does not.
type Gap struct {
	Community string
	Kind      entreport.Kind
	Period    calendar.Period
}

func (g Gap) String() string {
	what := "monthly disclosure"
	if g.Kind == entreport.KindYEARLY_ASSET_GROWTH {
		what = "yearly asset-growth summary"
	}
	return fmt.Sprintf("%s %s %s is missing", g.Community, g.Period, what)
}

// Missing lists the reports of c that should exist and do not: a gap in
// the chain of monthly disclosures between the first one and the last
// closed month, a yearly summary between the first one and the last year
// whose December is closed, or a period a run recorded as published.
// Catch-up does not publish these again: a missing report is a finding
// for people, not something to paper over.
func Missing(ctx context.Context, client *ent.Client, c *ent.Community) ([]Gap, error) {
	var out []Gap
	for _, kind := range []entreport.Kind{entreport.KindMONTHLY_DISCLOSURE, entreport.KindYEARLY_ASSET_GROWTH} {
		// Every scheduler tick asks this of every community: the periods
		// are enough, not each report's frozen inputs (some 15 KB a month).
		reps, err := published(ctx, client, c.ID, kind, entreport.FieldID, entreport.FieldPeriod)
		if err != nil {
			return nil, err
		}
		gaps, err := missingOf(ctx, client, c, kind, reps)
		if err != nil {
			return nil, err
		}
		out = append(out, gaps...)
	}
	return out, nil
}

func missingOf(ctx context.Context, client *ent.Client, c *ent.Community, kind entreport.Kind, reps []*ent.Report) ([]Gap, error) {
	have := map[string]bool{}
	for _, r := range reps {
		have[r.Period] = true
	}
	due := map[string]bool{}
	if len(reps) > 0 {
		first, err := calendar.ParsePeriod(reps[0].Period)
		if err != nil {
			return nil, fmt.Errorf("report %d: %w", reps[0].ID, err)
		}
		through, err := calendar.ParsePeriod(reps[len(reps)-1].Period)
		if err != nil {
			return nil, fmt.Errorf("report %d: %w", reps[len(reps)-1].ID, err)
		}
		if c.ClosedThrough != nil {
			if closed, err := calendar.ParsePeriod(*c.ClosedThrough); err == nil {
				if kind == entreport.KindYEARLY_ASSET_GROWTH {
					// A year's summary is due once its December is closed.
					y := closed.Year
					if closed.Month != 12 {
						y--
					}
					closed = calendar.Year(y)
				}
				if through.Before(closed) {
					through = closed
				}
			}
		}
		for p := first; !through.Before(p); p = p.Next() {
			due[p.String()] = true
		}
	}
	// A run that recorded the report as published vouches that it existed,
	// even when it was the first or the last of the chain.
	runs, err := client.JobRun.Query().Where(jobrun.Job(publish.JobOf(kind)), jobrun.CommunityID(c.ID), jobrun.StatusEQ(jobrun.StatusSUCCEEDED)).
		Select(jobrun.FieldPeriod).Strings(ctx)
	if err != nil {
		return nil, fmt.Errorf("runs of %s: %w", c.Code, err)
	}
	for _, p := range runs {
		due[p] = true
	}
	var out []Gap
	for p := range due {
		if have[p] {
			continue
		}
		period, err := calendar.ParsePeriod(p)
		if err != nil {
			return nil, fmt.Errorf("period %q of %s: %w", p, c.Code, err)
		}
		out = append(out, Gap{Community: c.Code, Kind: kind, Period: period})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Period.Before(out[j].Period) })
	return out, nil
}

func check(ctx context.Context, client *ent.Client, a *archive.Archive, r *pdf.Renderer, c *ent.Community, rep *ent.Report, prev string) Finding {
	f := Finding{Community: c.Code, Kind: rep.Kind, Period: rep.Period, ReportID: rep.ID}
	problem := func(format string, args ...any) { f.Problems = append(f.Problems, fmt.Sprintf(format, args...)) }
	if rep.PrevSha256 != prev {
		problem("the chain is broken: the report names %s as the previous report, the previous published one is %s", short(rep.PrevSha256), short(prev))
	}
	stored, err := a.Get(ctx, rep.StorageKey)
	if err != nil {
		problem("the stored file is unreadable: %v", err)
	} else if got := hash(stored); got != rep.Sha256 || int64(len(stored)) != rep.Size {
		problem("the stored file changed: the archive's PDF has SHA-256 %s (%d bytes), the record says %s (%d bytes)", short(got), len(stored), short(rep.Sha256), rep.Size)
	}
	p, err := calendar.ParsePeriod(rep.Period)
	if err != nil {
		problem("the records changed: period %q: %v", rep.Period, err)
		return f.done()
	}
	if rep.Inputs == "" {
		again, _, err := disclosure.Render(ctx, client, r, c, rep.Kind, p)
		switch {
		case err != nil:
			problem("cannot regenerate from today's records: %v", err)
		case hash(again) != rep.Sha256:
			problem("the records changed: regenerated from today's records (no inputs were frozen with this report) it gives SHA-256 %s, the record says %s: the records of %s changed after publishing",
				short(hash(again)), short(rep.Sha256), rep.Period)
		}
		return f.done()
	}
	again, _, err := publish.Render(r, rep.Kind, []byte(rep.Inputs))
	switch {
	case err != nil:
		problem("the records changed: the inputs frozen with the report cannot be rendered: %v", err)
	case hash(again) != rep.Sha256:
		problem("the records changed: rendered from the inputs frozen with it the report gives SHA-256 %s, the record says %s (the frozen inputs or the renderer changed)",
			short(hash(again)), short(rep.Sha256))
	}
	if rep.Kind == entreport.KindMONTHLY_DISCLOSURE {
		for _, d := range booksChanged(ctx, client, c, p, rep) {
			problem("the books changed: %s", d)
		}
		bad, notes := signaturesChanged(ctx, client, c, p)
		for _, d := range bad {
			problem("a signature fails: %s", d)
		}
		f.Notes = notes
	}
	return f.done()
}

func (f Finding) done() Finding {
	f.OK = len(f.Problems) == 0
	return f
}

// booksChanged compares the vouchers and totals frozen with a monthly
// disclosure with the closed month in the ledger today.
func booksChanged(ctx context.Context, client *ent.Client, c *ent.Community, p calendar.Period, rep *ent.Report) []string {
	v, err := publish.Decode(rep.Kind, []byte(rep.Inputs))
	if err != nil {
		return []string{err.Error()}
	}
	was := v.(*pdf.Monthly)
	var out []string
	if c.ClosedThrough == nil || *c.ClosedThrough < p.String() {
		closed := "(none)"
		if c.ClosedThrough != nil {
			closed = *c.ClosedThrough
		}
		out = append(out, fmt.Sprintf("%s is published but no longer closed (closed through %s)", p, closed))
	}
	now, err := disclosure.Monthly(ctx, client, c, p)
	if err != nil {
		return append(out, fmt.Sprintf("cannot read %s from the books: %v", p, err))
	}
	out = append(out, vouchersChanged(was.Vouchers, now.Vouchers, was.Layout >= pdf.Layout3)...)
	out = append(out, linesChanged("income", was.Income, now.Income)...)
	out = append(out, linesChanged("expense", was.Expense, now.Expense)...)
	if was.Layout >= pdf.Layout2 {
		out = append(out, balanceChanged(was.Balance, now.Balance)...)
	}
	return out
}

// balanceChanged compares the opening balance a disclosure printed (from
// Layout2 on) with what the books give today.
func balanceChanged(was, now *pdf.Balance) []string {
	str := func(b *pdf.Balance) string {
		if b == nil {
			return "none"
		}
		return fmt.Sprintf("%s at the month's start (go-live %d-%02d, before it this year: income %s, expense %s)",
			b.Opening.Grouped(), b.GoLiveYear, int(b.GoLiveMonth), b.IncomeBefore.Grouped(), b.ExpenseBefore.Grouped())
	}
	if a, b := str(was), str(now); a != b {
		return []string{fmt.Sprintf("balance %s in the published report, %s in the books", a, b)}
	}
	return nil
}

// vouchersChanged compares the published vouchers with the books; signers
// too for a report that printed them (Layout3 on).
func vouchersChanged(was, now []pdf.Voucher, signers bool) []string {
	byNumber := func(vs []pdf.Voucher) map[string]pdf.Voucher {
		m := make(map[string]pdf.Voucher, len(vs))
		for _, v := range vs {
			m[v.Number] = v
		}
		return m
	}
	wm, nm := byNumber(was), byNumber(now)
	var out []string
	for _, w := range was {
		n, ok := nm[w.Number]
		if !ok {
			out = append(out, fmt.Sprintf("voucher %s (%s, %s) is in the published report, not among the posted vouchers of the month in the books", w.Number, w.Amount.Grouped(), w.Summary))
			continue
		}
		differ := func(what, a, b string) {
			if a != b {
				out = append(out, fmt.Sprintf("voucher %s %s %s in the published report, %s in the books", w.Number, what, a, b))
			}
		}
		differ("amount", w.Amount.Grouped(), n.Amount.Grouped())
		differ("date", calendar.FormatDate(w.Date), calendar.FormatDate(n.Date))
		differ("direction", string(w.Direction), string(n.Direction))
		differ("category", w.Category, n.Category)
		differ("summary", w.Summary, n.Summary)
		differ("signatures", fmt.Sprint(w.Signatures), fmt.Sprint(n.Signatures))
		if signers {
			differ("signers", signerList(w.Signers), signerList(n.Signers))
		}
	}
	for _, n := range now {
		if _, ok := wm[n.Number]; !ok {
			out = append(out, fmt.Sprintf("voucher %s (%s, %s) is posted in the month in the books, not in the published report", n.Number, n.Amount.Grouped(), n.Summary))
		}
	}
	return out
}

// signerList names a voucher's signers as the report printed them, for a
// finding: name (capacity, key fingerprint or name-only).
func signerList(gs []pdf.VoucherSigner) string {
	if len(gs) == 0 {
		return "(none)"
	}
	out := make([]string, len(gs))
	for i, g := range gs {
		key := g.Fingerprint
		if g.NameOnly {
			key = "name-only"
		}
		out[i] = fmt.Sprintf("%s (%s, %s)", g.Name, g.Capacity, key)
	}
	return strings.Join(out, ", ")
}

func linesChanged(direction string, was, now []pdf.CategoryAmount) []string {
	type pair struct{ month, ytd money.Fen }
	wm, nm := map[string]pair{}, map[string]pair{}
	var names []string
	for _, l := range was {
		wm[l.Category] = pair{l.Month, l.YearToDate}
		names = append(names, l.Category)
	}
	for _, l := range now {
		if _, ok := wm[l.Category]; !ok {
			names = append(names, l.Category)
		}
		nm[l.Category] = pair{l.Month, l.YearToDate}
	}
	var out []string
	for _, name := range names {
		w, n := wm[name], nm[name]
		if w.month != n.month {
			out = append(out, fmt.Sprintf("%s %s this month %s in the published report, %s in the books", direction, name, w.month.Grouped(), n.month.Grouped()))
		}
		if w.ytd != n.ytd {
			out = append(out, fmt.Sprintf("%s %s year to date %s in the published report, %s in the books", direction, name, w.ytd.Grouped(), n.ytd.Grouped()))
		}
	}
	return out
}

func hash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func short(h string) string {
	if len(h) > 16 {
		return h[:16] + "…"
	}
	if h == "" {
		return "(none)"
	}
	return h
}
