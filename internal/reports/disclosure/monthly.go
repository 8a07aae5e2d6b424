// Package disclosure gathers what a published report says from the
// platform's records: the monthly disclosure (财务公开) and the yearly
// asset-growth summary, as the structs package report renders. It reads
// only what was true at the end of the period (vouchers posted in it, totals
// to its last day), so gathering a past period again gives the same struct
// and the renderer the same bytes.
package disclosure

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"entgo.io/ent/dialect/sql"

	"sunlight/ent"
	"sunlight/ent/community"
	"sunlight/ent/contract"
	"sunlight/ent/inquiry"
	"sunlight/ent/matter"
	"sunlight/ent/matterdisclosure"
	"sunlight/ent/meeting"
	"sunlight/ent/report"
	"sunlight/ent/resident"
	"sunlight/ent/signature"
	"sunlight/ent/voucher"
	"sunlight/internal/governance"
	"sunlight/internal/ledger"
	"sunlight/internal/ledger/signing"
	"sunlight/internal/reports/pdf"
	"sunlight/internal/valuation"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/civic"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/vocab/mask"
)

// Community loads a community by its code.
func Community(ctx context.Context, client *ent.Client, code string) (*ent.Community, error) {
	c, err := client.Community.Query().Where(community.Code(code)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, fail.NotFoundf("no community has the code %q", code)
	}
	if err != nil {
		return nil, fmt.Errorf("load community %s: %w", code, err)
	}
	return c, nil
}

// Number is the report number of a community, kind and period.
func Number(c *ent.Community, kind report.Kind, p calendar.Period) string {
	if kind == report.KindYEARLY_ASSET_GROWTH {
		return fmt.Sprintf("%s-%s-ZC", c.Code, p)
	}
	return fmt.Sprintf("%s-%s-CW", c.Code, p)
}

// PublishDay is the day a period's report is due: the first day after it.
// A gathered report is dated so until Dated gives it its real day.
func PublishDay(p calendar.Period) time.Time { return p.End() }

// Dated gives a gathered report (*pdf.Monthly or *pdf.Yearly) the day, in
// Asia/Shanghai, of the instant at which it is published; a zero at leaves
// it dated on its due day.
func Dated(v any, at time.Time) {
	if at.IsZero() {
		return
	}
	switch v := v.(type) {
	case *pdf.Monthly:
		v.PublishedOn = calendar.DayOf(at)
	case *pdf.Yearly:
		v.PublishedOn = calendar.DayOf(at)
	}
}

// Ended refuses a period that has not ended at now: a report of it would
// not be a disclosure.
func Ended(p calendar.Period, now time.Time) error {
	if !calendar.DayOf(now).Before(p.End()) {
		return nil
	}
	return fail.Conflictf("%s has not ended yet (it ends on %s, Asia/Shanghai): its report cannot be made before %s",
		p, calendar.FormatDate(p.Last()), calendar.FormatDate(p.End()))
}

func info(c *ent.Community) pdf.Community {
	return pdf.Community{Name: c.Name, Code: c.Code, SubDistrict: c.SubDistrict, District: c.District}
}

// Monthly gathers the monthly disclosure of community c for month.
func Monthly(ctx context.Context, client *ent.Client, c *ent.Community, month calendar.Period) (*pdf.Monthly, error) {
	if !month.IsMonth() {
		return nil, fail.Invalidf("a monthly disclosure needs a month such as 2026-10, got %q", month)
	}
	m := &pdf.Monthly{
		Layout:          pdf.LayoutCurrent,
		WelfareCategory: ledger.WelfareCategory,
		Community:       info(c),
		Year:            month.Year,
		Month:           month.Month,
		Number:          Number(c, report.KindMONTHLY_DISCLOSURE, month),
		PublishedOn:     PublishDay(month),
		DueOn:           PublishDay(month),
	}
	steps := []func(context.Context, *ent.Client, *ent.Community, calendar.Period, *pdf.Monthly) error{
		ledgerLines, voucherLines, meetingLines, contractLines, monthBenefits, inquiryLines, assetTotal, approval,
	}
	for _, step := range steps {
		if err := step(ctx, client, c, month, m); err != nil {
			return nil, fmt.Errorf("gather %s disclosure of %s: %w", month, c.Code, err)
		}
	}
	prev, err := PrevSHA256(ctx, client, c.ID, report.KindMONTHLY_DISCLOSURE, month)
	if err != nil {
		return nil, err
	}
	m.PrevSHA256 = prev
	return m, nil
}

// PrevSHA256 is the hash of the community's last published report of kind
// before period: the link of the chain.
func PrevSHA256(ctx context.Context, client *ent.Client, communityID int, kind report.Kind, p calendar.Period) (string, error) {
	r, err := client.Report.Query().Where(
		report.CommunityID(communityID), report.KindEQ(kind),
		report.StatusEQ(report.StatusPUBLISHED), report.PeriodLT(p.String()),
	).Order(report.ByPeriod(sql.OrderDesc())).First(ctx)
	if ent.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("find the report before %s: %w", p, err)
	}
	return r.Sha256, nil
}

// ledgerLines gathers the income and expense lines and, for a community
// with an opening balance (期初余额), its balance at the month's start; its
// year to date then counts from its go-live month (ledger.OpeningYear).
func ledgerLines(ctx context.Context, client *ent.Client, c *ent.Community, month calendar.Period, m *pdf.Monthly) error {
	b, err := ledger.BalanceAt(ctx, client, c.ID, month)
	if err != nil {
		return err
	}
	if b != nil {
		m.Balance = &pdf.Balance{GoLiveYear: b.GoLive.Year, GoLiveMonth: b.GoLive.Month, Opening: b.Opening,
			IncomeBefore: b.IncomeBefore, ExpenseBefore: b.ExpenseBefore}
	}
	this, err := ledger.TotalsFor(ctx, client, c.ID, month)
	if err != nil {
		return err
	}
	ytd, err := ledger.TotalsOver(ctx, client, c.ID, month, ledger.OpeningYear(b, month))
	if err != nil {
		return err
	}
	// Every category of the year so far appears, with 0.00 for this month
	// when nothing was posted in it: the board lists the same lines each month.
	for _, ct := range ytd.Categories {
		line := pdf.CategoryAmount{Category: ct.Category, Month: this.Category(ct.Direction, ct.Category), YearToDate: ct.Amount}
		if ct.Direction == voucher.DirectionINCOME {
			m.Income = append(m.Income, line)
		} else {
			m.Expense = append(m.Expense, line)
		}
	}
	return nil
}

// voucherLines gathers the month's posted vouchers with who signed each,
// in the order they signed (signed_at, then id): the signer's name and
// capacity as signed, and the fingerprint of the signer's registered key
// for an Ed25519 signature, or name-only for one recorded before keys.
func voucherLines(ctx context.Context, client *ent.Client, c *ent.Community, month calendar.Period, m *pdf.Monthly) error {
	posted := ledger.PostedIn(c.ID, ledger.PeriodSpan(month))
	vs, err := client.Voucher.Query().Where(posted).Order(voucher.ByOccurredOn(), voucher.ByNumber()).
		WithSignatures(func(q *ent.SignatureQuery) {
			q.Order(signature.BySignedAt(), signature.ByID()).WithSignedBy()
		}).All(ctx)
	if err != nil {
		return fmt.Errorf("load vouchers: %w", err)
	}
	for _, v := range vs {
		line := pdf.Voucher{
			Date: v.OccurredOn, Number: v.Number, Summary: v.Summary,
			Direction: pdf.Direction(v.Direction), Category: v.Category, Amount: v.Amount,
			Signatures: len(v.Edges.Signatures),
		}
		for _, s := range v.Edges.Signatures {
			g := pdf.VoucherSigner{Name: s.Signer, Capacity: pdf.Capacity(s.Role)}
			switch who := s.Edges.SignedBy; {
			case s.Method == signature.MethodNAME_ONLY:
				g.NameOnly = true
			case who == nil || who.PublicKey == nil || signing.Fingerprint(*who.PublicKey) == "":
				return fmt.Errorf("voucher %s: the signature of %s names no signer with a key", v.Number, s.Signer)
			default:
				g.Fingerprint = signing.Fingerprint(*who.PublicKey)
			}
			line.Signers = append(line.Signers, g)
		}
		m.Vouchers = append(m.Vouchers, line)
	}
	return nil
}

// approval names the approval block's people: the supervisory committee
// members living in the community at the month's end (residents with the
// SUPERVISOR role, by id) and those who signed the month's posted vouchers
// as 书记 (负责人), 经办人 and 会计, each once, in the order they first
// signed.
func approval(ctx context.Context, client *ent.Client, c *ent.Community, month calendar.Period, m *pdf.Monthly) error {
	rs, err := client.Resident.Query().Where(
		resident.CommunityID(c.ID),
		resident.Or(resident.MovedOutOnIsNil(), resident.MovedOutOnGT(month.Last())),
	).Order(resident.ByID()).Select(resident.FieldName, resident.FieldRoles).All(ctx)
	if err != nil {
		return fmt.Errorf("load supervisors: %w", err)
	}
	for _, r := range rs {
		if slices.Contains(r.Roles, civic.Supervisor) {
			m.Approval.Supervisors = append(m.Approval.Supervisors, r.Name)
		}
	}
	sigs, err := client.Signature.Query().Where(
		signature.HasVoucherWith(ledger.PostedIn(c.ID, ledger.PeriodSpan(month))),
		signature.RoleIn(signature.RoleSECRETARY, signature.RolePREPARER, signature.RoleACCOUNTANT),
	).Order(signature.BySignedAt(), signature.ByID()).Select(signature.FieldSigner, signature.FieldRole).All(ctx)
	if err != nil {
		return fmt.Errorf("load signers: %w", err)
	}
	add := func(to *[]string, name string) {
		if !slices.Contains(*to, name) {
			*to = append(*to, name)
		}
	}
	for _, s := range sigs {
		switch s.Role {
		case signature.RoleSECRETARY:
			add(&m.Approval.Heads, s.Signer)
		case signature.RolePREPARER:
			add(&m.Approval.Preparers, s.Signer)
		case signature.RoleACCOUNTANT:
			add(&m.Approval.Accountants, s.Signer)
		}
	}
	return nil
}

func meetingLines(ctx context.Context, client *ent.Client, c *ent.Community, month calendar.Period, m *pdf.Monthly) error {
	counts, err := governance.CountsBetween(ctx, client, c.ID, calendar.Year(month.Year).First(), month.End())
	if err != nil {
		return err
	}
	m.Meetings.DeliberationMeetings = counts.DeliberationMeetings
	m.Meetings.ProjectsDecided = counts.ProjectsDecided
	m.Meetings.NeedsResolved = counts.NeedsResolved
	from, to := calendar.StartOf(month.First()), calendar.StartOf(month.End())
	held, err := client.Meeting.Query().Where(
		meeting.CommunityID(c.ID), meeting.HeldAtGTE(from), meeting.HeldAtLT(to),
	).Order(meeting.ByHeldAt(), meeting.ByID()).WithMatter().All(ctx)
	if err != nil {
		return fmt.Errorf("load meetings: %w", err)
	}
	for _, h := range held {
		line := pdf.Meeting{Date: calendar.DayOf(h.HeldAt), Kind: pdf.MeetingKind(h.Kind), Title: h.Title, Entitled: h.Entitled, Attended: h.Attended}
		if h.VotesFor != nil {
			line.For = *h.VotesFor
		}
		if h.VotesAgainst != nil {
			line.Against = *h.VotesAgainst
		}
		if h.VotesAbstain != nil {
			line.Abstain = *h.VotesAbstain
		}
		m.Meetings.Held = append(m.Meetings.Held, line)
		if h.MatterStage != nil && h.Edges.Matter != nil {
			m.Meetings.Matters = append(m.Meetings.Matters, pdf.MatterStep{
				Date: line.Date, Title: h.Edges.Matter.Title, Stage: pdf.MatterStage(*h.MatterStage),
				Outcome: outcomeAt(h.Edges.Matter, *h.MatterStage),
			})
		}
	}
	ds, err := client.MatterDisclosure.Query().Where(
		matterdisclosure.CommunityID(c.ID), matterdisclosure.DisclosedOnGTE(month.First()), matterdisclosure.DisclosedOnLT(month.End()),
	).Order(matterdisclosure.ByDisclosedOn(), matterdisclosure.ByID()).WithMatter().All(ctx)
	if err != nil {
		return fmt.Errorf("load disclosures: %w", err)
	}
	for _, d := range ds {
		m.Meetings.Matters = append(m.Meetings.Matters, pdf.MatterStep{
			Date: d.DisclosedOn, Title: d.Edges.Matter.Title, Stage: pdf.MatterStage(d.Stage),
			Outcome: outcomeAt(d.Edges.Matter, matter.Stage(d.Stage)),
		})
	}
	sort.SliceStable(m.Meetings.Matters, func(i, j int) bool {
		return m.Meetings.Matters[i].Date.Before(m.Meetings.Matters[j].Date)
	})
	return nil
}

// outcomeAt is the outcome a matter had when it reached stage s, as far
// as a report of that month can say it: a rejection shows at the failed
// vote, completion at the result disclosure, resolution from the vote on.
func outcomeAt[S ~string](mt *ent.Matter, s S) pdf.MatterOutcome {
	switch string(s) {
	case string(matter.StageRESULT_DISCLOSURE):
		return pdf.OutcomeCompleted
	case string(matter.StageRESOLUTION), string(matter.StageRESOLUTION_DISCLOSURE):
		if mt.Outcome == matter.OutcomeREJECTED {
			return pdf.OutcomeRejected
		}
		return pdf.OutcomeResolved
	case string(matter.StageREVIEW):
		if mt.Outcome == matter.OutcomeREJECTED && mt.Stage != nil && *mt.Stage == matter.StageREVIEW {
			return pdf.OutcomeRejected
		}
	}
	return pdf.OutcomePending
}

func contractLines(ctx context.Context, client *ent.Client, c *ent.Community, month calendar.Period, m *pdf.Monthly) error {
	first, last := month.First(), month.Last()
	cs, err := client.Contract.Query().Where(
		contract.CommunityID(c.ID),
		contract.StatusNEQ(contract.StatusDRAFT),
		contract.Or(
			contract.And(contract.SignedOnGTE(first), contract.SignedOnLTE(last)),
			contract.And(contract.StartsOnLTE(last), contract.Or(contract.EndsOnIsNil(), contract.EndsOnGTE(first))),
		),
	).Order(contract.ByCode()).All(ctx)
	if err != nil {
		return fmt.Errorf("load contracts: %w", err)
	}
	for _, ct := range cs {
		line := pdf.Contract{
			Code: ct.Code, Title: ct.Title, Counterparty: ct.Counterparty, CounterpartyIsPerson: mask.IsPersonName(ct.Counterparty),
			Kind: pdf.ContractKind(ct.Kind), Procurement: pdf.Procurement(ct.Procurement), Amount: ct.Amount,
			SignedOn: ct.SignedOn, StartsOn: ct.StartsOn,
		}
		if ct.EndsOn != nil {
			line.EndsOn = *ct.EndsOn
		}
		m.Contracts = append(m.Contracts, line)
	}
	return nil
}

// benefitLines converts the benefit totals of a period into report lines.
func benefitLines(ctx context.Context, client *ent.Client, communityID int, p calendar.Period) ([]pdf.BenefitLine, error) {
	ts, err := governance.BenefitTotals(ctx, client, communityID, p)
	if err != nil {
		return nil, err
	}
	out := make([]pdf.BenefitLine, len(ts))
	for i, t := range ts {
		out[i] = pdf.BenefitLine{Kind: pdf.BenefitKind(t.Kind), Count: t.Payments, Total: t.Amount}
	}
	return out, nil
}

func monthBenefits(ctx context.Context, client *ent.Client, c *ent.Community, month calendar.Period, m *pdf.Monthly) error {
	lines, err := benefitLines(ctx, client, c.ID, month)
	m.Benefits = lines
	return err
}

// inquiryLines lists the inquiries open at the month's end (overdue by
// governance.Overdue) and those answered in the month but late.
func inquiryLines(ctx context.Context, client *ent.Client, c *ent.Community, month calendar.Period, m *pdf.Monthly) error {
	last := month.Last()
	qs, err := client.Inquiry.Query().Where(
		inquiry.CommunityID(c.ID), inquiry.AskedOnLTE(last),
		inquiry.Or(inquiry.AnsweredOnIsNil(), inquiry.AnsweredOnGT(last), inquiry.AnsweredOnGTE(month.First())),
	).Order(inquiry.ByAskedOn(), inquiry.ByID()).WithResident(func(q *ent.ResidentQuery) { q.Select(resident.FieldName) }).All(ctx)
	if err != nil {
		return fmt.Errorf("load inquiries: %w", err)
	}
	for _, q := range qs {
		var status pdf.InquiryStatus
		switch {
		case q.AnsweredOn == nil || q.AnsweredOn.After(last):
			status = pdf.InquiryOpen
			if governance.Overdue(q, last) {
				status = pdf.InquiryOverdue
			}
		case q.AnsweredOn.After(governance.DueOn(q.AskedOn)):
			status = pdf.InquiryAnswered
		default:
			continue // answered in time: nothing to report
		}
		subject := q.ReportLine
		if subject == "" && q.VoucherID != nil {
			subject = fmt.Sprintf("凭证 %d", *q.VoucherID)
		}
		name := ""
		if q.Edges.Resident != nil {
			name = q.Edges.Resident.Name
		}
		m.Inquiries = append(m.Inquiries, pdf.Inquiry{AskedOn: q.AskedOn, AskedBy: name, Subject: subject, Question: q.Question, Status: status})
	}
	return nil
}

func assetTotal(ctx context.Context, client *ent.Client, c *ent.Community, month calendar.Period, m *pdf.Monthly) error {
	t, err := valuation.TotalsAt(ctx, client, c.ID, month.Last())
	if err != nil {
		return err
	}
	m.TotalAssets = t.Total
	return nil
}
