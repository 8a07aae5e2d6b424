package governance

import (
	"context"
	"fmt"
	"strings"
	"time"

	"sunlight/ent"
	"sunlight/ent/hook"
	"sunlight/ent/inquiry"
	"sunlight/ent/report"
	"sunlight/ent/voucher"
	"sunlight/internal/storage/rowlock"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
)

// AnswerDays is how many days staff have to answer an inquiry (质询).
const AnswerDays = 10

// DueOn is the last day to answer an inquiry asked on asked.
func DueOn(asked time.Time) time.Time { return asked.AddDate(0, 0, AnswerDays) }

// Answer records the answer to inquiry id.
func Answer(ctx context.Context, client *ent.Client, id int, answer, by string, on time.Time) (*ent.Inquiry, error) {
	q, err := client.Inquiry.UpdateOneID(id).SetAnswer(strings.TrimSpace(answer)).
		SetAnsweredBy(strings.TrimSpace(by)).SetAnsweredOn(on).Save(ctx)
	if ent.IsNotFound(err) {
		return nil, fail.NotFoundf("inquiry %d does not exist", id)
	}
	return q, err
}

// Open lists a community's inquiries asked by the civil date on and not
// answered by then, oldest first; with overdueOnly, only those asked more
// than AnswerDays days before on.
func Open(ctx context.Context, client *ent.Client, communityID int, on time.Time, overdueOnly bool) ([]*ent.Inquiry, error) {
	asked := inquiry.AskedOnLTE(on)
	if overdueOnly {
		asked = inquiry.AskedOnLT(on.AddDate(0, 0, -AnswerDays))
	}
	qs, err := client.Inquiry.Query().Where(
		inquiry.CommunityID(communityID), asked,
		inquiry.Or(inquiry.AnsweredOnIsNil(), inquiry.AnsweredOnGT(on)),
	).Order(inquiry.ByAskedOn(), inquiry.ByID()).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("open inquiries on %s: %w", calendar.FormatDate(on), err)
	}
	return qs, nil
}

// Overdue reports whether q is unanswered past its due day on the date on.
func Overdue(q *ent.Inquiry, on time.Time) bool {
	answered := q.AnsweredOn != nil && !q.AnsweredOn.After(on)
	return !answered && on.After(DueOn(q.AskedOn))
}

// inquiryRules: an inquiry names what it asks about (rule 10: a report
// line, a report or a voucher, of its own community); an answer comes with
// its date, not before the question, and once given it stands.
func inquiryRules(next ent.Mutator) ent.Mutator {
	return hook.InquiryFunc(func(ctx context.Context, m *ent.InquiryMutation) (ent.Value, error) {
		if m.Op().Is(ent.OpDelete | ent.OpDeleteOne) {
			return next.Mutate(ctx, m)
		}
		answer, hasAnswer := m.Answer()
		on, hasOn := m.AnsweredOn()
		if m.Op().Is(ent.OpCreate) {
			if err := checkSubject(ctx, m); err != nil {
				return nil, err
			}
			if asked, _ := m.AskedOn(); hasOn || strings.TrimSpace(answer) != "" {
				if err := checkAnswer(answer, on, hasOn, asked); err != nil {
					return nil, err
				}
			}
			return next.Mutate(ctx, m)
		}
		if !hasAnswer && !hasOn && !m.AnsweredOnCleared() {
			return next.Mutate(ctx, m)
		}
		ids, err := m.IDs(ctx)
		if err != nil {
			return nil, fmt.Errorf("find inquiries to answer: %w", err)
		}
		// Locked until the answer commits: of two answers given at once,
		// the second waits and finds the first (an answer given stands).
		q := m.Client().Inquiry.Query().Where(inquiry.IDIn(ids...))
		q.Modify(rowlock.Update)
		olds, err := q.All(ctx)
		if err != nil {
			return nil, fmt.Errorf("load inquiries to answer: %w", err)
		}
		for _, o := range olds {
			if o.AnsweredOn != nil {
				return nil, fail.Conflictf("inquiry %d was already answered on %s; an answer given stands", o.ID, calendar.FormatDate(*o.AnsweredOn))
			}
			if err := checkAnswer(answer, on, hasOn, o.AskedOn); err != nil {
				return nil, err
			}
		}
		return next.Mutate(ctx, m)
	})
}

// checkSubject requires a new inquiry to name a report line, a report or a
// voucher, the latter two of the inquiry's community.
func checkSubject(ctx context.Context, m *ent.InquiryMutation) error {
	cid, _ := m.CommunityID()
	line, _ := m.ReportLine()
	vid, hasVoucher := m.VoucherID()
	rid, hasReport := m.ReportID()
	if strings.TrimSpace(line) == "" && !hasVoucher && !hasReport {
		return fail.Invalidf("an inquiry (质询) names what it asks about: a report line (e.g. 办公经费), a report or a voucher")
	}
	if hasVoucher {
		ok, err := m.Client().Voucher.Query().Where(voucher.ID(vid), voucher.CommunityID(cid)).Exist(ctx)
		if err != nil {
			return fmt.Errorf("check the inquiry's voucher: %w", err)
		}
		if !ok {
			return fail.Invalidf("voucher %d is not a voucher of this community", vid)
		}
	}
	if hasReport {
		ok, err := m.Client().Report.Query().Where(report.ID(rid), report.CommunityID(cid)).Exist(ctx)
		if err != nil {
			return fmt.Errorf("check the inquiry's report: %w", err)
		}
		if !ok {
			return fail.Invalidf("report %d is not a report of this community", rid)
		}
	}
	return nil
}

func checkAnswer(answer string, on time.Time, hasOn bool, asked time.Time) error {
	if strings.TrimSpace(answer) == "" || !hasOn {
		return fail.Invalidf("an answer (答复) needs its text and the date it was given")
	}
	if on.Before(asked) {
		return fail.Invalidf("the answer is dated %s, before the question was asked on %s", calendar.FormatDate(on), calendar.FormatDate(asked))
	}
	return nil
}
