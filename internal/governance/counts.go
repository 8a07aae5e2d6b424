// Package governance enforces how the community decides: matters pass the
// four deliberations and two disclosures (四议两公开) in order, meetings
// that vote need a quorum, and the period counts the article reports
// (meetings held, projects decided, needs resolved) come from the records.
package governance

import (
	"context"
	"fmt"
	"time"

	"sunlight/ent"
	"sunlight/ent/matter"
	"sunlight/ent/meeting"
	"sunlight/internal/vocab/calendar"
)

// Counts are the governance figures of a period, as in the article's "9
// deliberation meetings, 5 welfare projects decided, 4 needs resolved".
type Counts struct {
	DeliberationMeetings int
	ProjectsDecided      int
	NeedsResolved        int
}

// CountsFor counts a community's deliberation meetings held in p, welfare
// projects resolved in p, and residents' needs resolved in p.
func CountsFor(ctx context.Context, client *ent.Client, communityID int, p calendar.Period) (*Counts, error) {
	return CountsBetween(ctx, client, communityID, p.First(), p.End())
}

// CountsBetween is CountsFor over the civil dates [first, end): a report of
// October counts the year to date without the meetings held after it.
func CountsBetween(ctx context.Context, client *ent.Client, communityID int, first, end time.Time) (*Counts, error) {
	p := calendar.FormatDate(first) + ".." + calendar.FormatDate(end)
	from, to := calendar.StartOf(first), calendar.StartOf(end)
	meetings, err := client.Meeting.Query().Where(
		meeting.CommunityID(communityID),
		meeting.KindEQ(meeting.KindDELIBERATION),
		meeting.HeldAtGTE(from), meeting.HeldAtLT(to),
	).Count(ctx)
	if err != nil {
		return nil, fmt.Errorf("count meetings of %s: %w", p, err)
	}
	var rows []struct {
		Category matter.Category `json:"category"`
		Count    int             `json:"count"`
	}
	err = client.Matter.Query().Where(
		matter.CommunityID(communityID),
		matter.CategoryIn(matter.CategoryWELFARE_PROJECT, matter.CategoryRESIDENT_NEED),
		matter.OutcomeIn(matter.OutcomeRESOLVED, matter.OutcomeCOMPLETED),
		matter.ResolvedOnGTE(first), matter.ResolvedOnLT(end),
	).GroupBy(matter.FieldCategory).Aggregate(ent.Count()).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("count matters of %s: %w", p, err)
	}
	c := &Counts{DeliberationMeetings: meetings}
	for _, r := range rows {
		switch r.Category {
		case matter.CategoryWELFARE_PROJECT:
			c.ProjectsDecided = r.Count
		case matter.CategoryRESIDENT_NEED:
			c.NeedsResolved = r.Count
		}
	}
	return c, nil
}
