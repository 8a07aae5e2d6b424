package graph

import (
	"time"

	"sunlight/ent/benefit"
	"sunlight/graph/model"
	"sunlight/internal/governance"
	"sunlight/internal/vocab/calendar"
)

// today is the civil date of the resolver's clock, the default of every
// asOf argument.
func (r *Resolver) today(asOf *time.Time) time.Time {
	if asOf != nil {
		return *asOf
	}
	return calendar.DayOf(r.now())
}

func stageRecord(in model.RecordMatterStageInput) governance.StageRecord {
	rec := governance.StageRecord{MatterID: in.MatterID, Stage: in.Stage}
	if m := in.Meeting; m != nil {
		rec.Meeting = &governance.StageMeeting{
			HeldAt: m.HeldAt, Title: m.Title, Place: deref(m.Place), Entitled: m.Entitled, Attended: m.Attended,
			VotesFor: m.VotesFor, VotesAgainst: m.VotesAgainst, VotesAbstain: m.VotesAbstain,
			Minutes: deref(m.Minutes), SupervisionOpinion: deref(m.SupervisionOpinion),
		}
	}
	if d := in.Disclosure; d != nil {
		rec.Disclosure = &governance.StageDisclosure{DisclosedOn: d.DisclosedOn, Channel: d.Channel, Text: d.Text}
	}
	return rec
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// ageOf is the age the benefit b is for (governance.MinAge); the schema's
// AgeBenefit enum names only benefits that have one.
func ageOf(b model.AgeBenefit) int {
	age, _ := governance.MinAge(benefit.Kind(b))
	return age
}
