package governance

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect/sql"

	"sunlight/ent"
	"sunlight/ent/matter"
	"sunlight/ent/matterdisclosure"
	"sunlight/ent/meeting"
	"sunlight/internal/storage/rowlock"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
)

// Stages are the six steps of 四议两公开 in the only order they may happen.
var Stages = []matter.Stage{
	matter.StagePROPOSAL, matter.StageDELIBERATION, matter.StageREVIEW,
	matter.StageRESOLUTION, matter.StageRESOLUTION_DISCLOSURE, matter.StageRESULT_DISCLOSURE,
}

var stageNames = map[matter.Stage]string{
	matter.StagePROPOSAL:              "党组织提议",
	matter.StageDELIBERATION:          "两委会议商议",
	matter.StageREVIEW:                "党员大会审议",
	matter.StageRESOLUTION:            "居民代表会议决议",
	matter.StageRESOLUTION_DISCLOSURE: "决议公开",
	matter.StageRESULT_DISCLOSURE:     "实施结果公开",
}

// stageKinds is the meeting that holds each of the first four stages.
var stageKinds = map[matter.Stage]meeting.Kind{
	matter.StagePROPOSAL:     meeting.KindPARTY_BRANCH,
	matter.StageDELIBERATION: meeting.KindTWO_COMMITTEES,
	matter.StageREVIEW:       meeting.KindPARTY_MEMBERS,
	matter.StageRESOLUTION:   meeting.KindREPRESENTATIVES,
}

// StageKind is the kind of meeting that holds stage s, and false for the
// two disclosures, which are not meetings.
func StageKind(s matter.Stage) (meeting.Kind, bool) {
	k, ok := stageKinds[s]
	return k, ok
}

// IsVote reports whether stage s is decided by a vote that needs a quorum
// of two thirds and a majority of those present.
func IsVote(s matter.Stage) bool {
	return s == matter.StageREVIEW || s == matter.StageRESOLUTION
}

func stageIndex(s matter.Stage) int { return slices.Index(Stages, s) }

func describe(s matter.Stage) string { return fmt.Sprintf("%s (%s)", s, stageNames[s]) }

// Closed reports whether m takes no further stage: rejected, or through
// all six.
func Closed(m *ent.Matter) bool {
	return m.Outcome == matter.OutcomeREJECTED || m.Outcome == matter.OutcomeCOMPLETED ||
		(m.Stage != nil && *m.Stage == matter.StageRESULT_DISCLOSURE)
}

// NextStage is the stage m must pass next, and false once m is closed.
func NextStage(m *ent.Matter) (matter.Stage, bool) {
	if Closed(m) {
		return "", false
	}
	if m.Stage == nil {
		return Stages[0], true
	}
	return Stages[stageIndex(*m.Stage)+1], true
}

// checkNext refuses any stage of m but the next one, naming the one
// expected.
func checkNext(m *ent.Matter, s matter.Stage) error {
	if stageIndex(s) < 0 {
		return fail.Invalidf("unknown stage %q; the stages are %s", s, stageList())
	}
	if m.Outcome == matter.OutcomeREJECTED {
		return fail.Conflictf("matter %q was rejected (%s); it takes no further stage", m.Title, m.RejectionReason)
	}
	next, ok := NextStage(m)
	if !ok {
		return fail.Conflictf("matter %q has passed all six stages of 四议两公开; it takes no further stage", m.Title)
	}
	if s == next {
		return nil
	}
	if m.Stage != nil && stageIndex(s) <= stageIndex(*m.Stage) {
		return fail.Conflictf("stage %s of matter %q is already recorded and cannot be repeated; the next stage expected is %s", describe(s), m.Title, describe(next))
	}
	return fail.Conflictf("stage %s cannot be recorded yet: stages of 四议两公开 cannot be skipped, and the next stage expected for matter %q is %s", describe(s), m.Title, describe(next))
}

func stageList() string {
	s := make([]string, len(Stages))
	for i, st := range Stages {
		s[i] = describe(st)
	}
	return strings.Join(s, " → ")
}

// StageMeeting is the meeting that holds one of the first four stages, as
// on the paper 登记表. Its kind follows from the stage.
type StageMeeting struct {
	HeldAt             time.Time
	Title              string
	Place              string
	Entitled           int
	Attended           int
	VotesFor           *int
	VotesAgainst       *int
	VotesAbstain       *int
	Minutes            string
	SupervisionOpinion string
}

// StageDisclosure is the public notice of one of the two disclosure stages.
type StageDisclosure struct {
	DisclosedOn time.Time
	Channel     string
	Text        string
}

// StageRecord moves a matter on by one stage: a meeting for the first four
// stages, a disclosure for the last two.
type StageRecord struct {
	MatterID   int
	Stage      matter.Stage
	Meeting    *StageMeeting
	Disclosure *StageDisclosure
}

// RecordStage records the next stage of a matter. The rules (order, the
// kind of meeting, quorum and majority, a failed vote rejecting the
// matter) are the hooks' of Install, so they hold for every path; this is
// the convenient front door. Run it in a transaction (the GraphQL layer
// does) so the stage and the matter change together.
func RecordStage(ctx context.Context, client *ent.Client, r StageRecord) (*ent.Matter, error) {
	m, err := loadMatter(ctx, client, r.MatterID)
	if err != nil {
		return nil, err
	}
	kind, isMeeting := StageKind(r.Stage)
	switch {
	case stageIndex(r.Stage) < 0:
		return nil, fail.Invalidf("unknown stage %q; the stages are %s", r.Stage, stageList())
	case isMeeting && (r.Meeting == nil || r.Disclosure != nil):
		return nil, fail.Invalidf("stage %s is held by a meeting: give meeting (time, attendance, votes) and no disclosure", describe(r.Stage))
	case !isMeeting && (r.Disclosure == nil || r.Meeting != nil):
		return nil, fail.Invalidf("stage %s is a public notice: give disclosure (date, channel, text) and no meeting", describe(r.Stage))
	}
	if isMeeting {
		mt := r.Meeting
		err = client.Meeting.Create().SetCommunityID(m.CommunityID).SetMatterID(m.ID).
			SetMatterStage(meeting.MatterStage(r.Stage)).SetKind(kind).
			SetHeldAt(mt.HeldAt).SetTitle(mt.Title).SetPlace(mt.Place).
			SetEntitled(mt.Entitled).SetAttended(mt.Attended).
			SetNillableVotesFor(mt.VotesFor).SetNillableVotesAgainst(mt.VotesAgainst).SetNillableVotesAbstain(mt.VotesAbstain).
			SetMinutes(mt.Minutes).SetSupervisionOpinion(mt.SupervisionOpinion).Exec(ctx)
	} else {
		d := r.Disclosure
		err = client.MatterDisclosure.Create().SetCommunityID(m.CommunityID).SetMatterID(m.ID).
			SetStage(matterdisclosure.Stage(r.Stage)).SetDisclosedOn(d.DisclosedOn).
			SetChannel(d.Channel).SetText(d.Text).Exec(ctx)
	}
	if err != nil {
		return nil, err
	}
	return client.Matter.Get(ctx, m.ID)
}

func loadMatter(ctx context.Context, client *ent.Client, id int) (*ent.Matter, error) {
	return readMatter(ctx, client, id, nil)
}

// lockMatter is loadMatter locking the matter's row until the transaction
// ends (package rowlock): a stage is checked against the matter and moves
// it on, so two requests recording the same stage take turns, and the
// second finds it recorded.
func lockMatter(ctx context.Context, client *ent.Client, id int) (*ent.Matter, error) {
	return readMatter(ctx, client, id, rowlock.Update)
}

func readMatter(ctx context.Context, client *ent.Client, id int, lock func(*sql.Selector)) (*ent.Matter, error) {
	q := client.Matter.Query().Where(matter.ID(id))
	if lock != nil {
		q.Modify(lock)
	}
	m, err := q.Only(ctx)
	if ent.IsNotFound(err) {
		return nil, fail.NotFoundf("matter %d does not exist", id)
	}
	if err != nil {
		return nil, fmt.Errorf("load matter %d: %w", id, err)
	}
	return m, nil
}

// TimelineEntry is one step in a matter's history: a meeting about it
// (a stage meeting or another one) or a disclosure.
type TimelineEntry struct {
	Stage      *matter.Stage // nil for a meeting that held no stage
	Date       time.Time     // civil date
	Meeting    *ent.Meeting
	Disclosure *ent.MatterDisclosure
}

// Timeline is the history of matter id in date order, with two statements.
func Timeline(ctx context.Context, client *ent.Client, id int) ([]TimelineEntry, error) {
	ms, err := client.Meeting.Query().Where(meeting.MatterID(id)).Order(meeting.ByHeldAt(), meeting.ByID()).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load meetings of matter %d: %w", id, err)
	}
	ds, err := client.MatterDisclosure.Query().Where(matterdisclosure.MatterID(id)).Order(matterdisclosure.ByID()).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load disclosures of matter %d: %w", id, err)
	}
	return timelineOf(ms, ds), nil
}

// timelineOf orders one matter's meetings (by time) and disclosures (by id)
// into its history.
func timelineOf(ms []*ent.Meeting, ds []*ent.MatterDisclosure) []TimelineEntry {
	out := make([]TimelineEntry, 0, len(ms)+len(ds))
	for _, m := range ms {
		e := TimelineEntry{Date: calendar.DayOf(m.HeldAt), Meeting: m}
		if m.MatterStage != nil {
			s := matter.Stage(*m.MatterStage)
			e.Stage = &s
		}
		out = append(out, e)
	}
	for _, d := range ds {
		s := matter.Stage(d.Stage)
		out = append(out, TimelineEntry{Stage: &s, Date: d.DisclosedOn, Disclosure: d})
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.Date.Equal(b.Date) {
			return a.Date.Before(b.Date)
		}
		if (a.Meeting == nil) != (b.Meeting == nil) {
			return a.Meeting != nil
		}
		if a.Meeting != nil {
			return a.Meeting.HeldAt.Before(b.Meeting.HeldAt)
		}
		return stageIndex(*a.Stage) < stageIndex(*b.Stage)
	})
	return out
}

// timelines are the histories of a community's matters, read once per
// operation for a list of matters (TimelineInList).
type timelines struct {
	mu   sync.Mutex
	read map[int]map[int][]TimelineEntry // community → matter → history
}

// TimelineInList is Timeline for a matter shown in a list: under
// WithReadCache the first matter reads the histories of every matter of its
// community (two statements), so the list costs two statements, not two per
// matter. Without it, it is Timeline.
func TimelineInList(ctx context.Context, client *ent.Client, m *ent.Matter) ([]TimelineEntry, error) {
	rc, _ := ctx.Value(readCacheKey{}).(*readCache)
	if rc == nil {
		return Timeline(ctx, client, m.ID)
	}
	tl := &rc.timelines
	tl.mu.Lock()
	defer tl.mu.Unlock()
	byMatter, ok := tl.read[m.CommunityID]
	if !ok {
		ms, err := client.Meeting.Query().
			Where(meeting.CommunityID(m.CommunityID), meeting.MatterIDNotNil()).
			Order(meeting.ByHeldAt(), meeting.ByID()).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("load meetings of the matters of community %d: %w", m.CommunityID, err)
		}
		ds, err := client.MatterDisclosure.Query().
			Where(matterdisclosure.CommunityID(m.CommunityID)).Order(matterdisclosure.ByID()).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("load disclosures of community %d: %w", m.CommunityID, err)
		}
		meetings := map[int][]*ent.Meeting{}
		for _, x := range ms {
			meetings[*x.MatterID] = append(meetings[*x.MatterID], x)
		}
		disclosures := map[int][]*ent.MatterDisclosure{}
		for _, d := range ds {
			disclosures[d.MatterID] = append(disclosures[d.MatterID], d)
		}
		byMatter = map[int][]TimelineEntry{}
		for id, ms := range meetings {
			byMatter[id] = timelineOf(ms, disclosures[id])
		}
		for id, ds := range disclosures {
			if _, done := byMatter[id]; !done {
				byMatter[id] = timelineOf(nil, ds)
			}
		}
		if tl.read == nil {
			tl.read = map[int]map[int][]TimelineEntry{}
		}
		tl.read[m.CommunityID] = byMatter
	}
	if out, ok := byMatter[m.ID]; ok {
		return out, nil
	}
	return []TimelineEntry{}, nil
}
