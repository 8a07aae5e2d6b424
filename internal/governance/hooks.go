package governance

import (
	"context"
	"fmt"
	"time"

	"sunlight/ent"
	"sunlight/ent/community"
	"sunlight/ent/contract"
	"sunlight/ent/hook"
	"sunlight/ent/matter"
	"sunlight/ent/matterdisclosure"
	"sunlight/ent/meeting"
	"sunlight/ent/predicate"
	"sunlight/internal/storage/rowlock"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/vocab/money"
)

// Install registers the governance rules on client: whatever writes a
// meeting, a matter, a disclosure, a contract, a benefit or an inquiry —
// GraphQL, the CLI, the demo loader or code using the ent client — meets
// the same rules.
func Install(client *ent.Client) {
	client.Community.Use(nameSortRule)
	client.Meeting.Use(meetingRules)
	client.Matter.Use(matterRules)
	client.MatterDisclosure.Use(disclosureRules)
	client.Contract.Use(contractRules)
	client.Benefit.Use(benefitRules)
	client.Inquiry.Use(inquiryRules)
}

// ownKey marks the writes the rules make themselves (moving a matter on,
// undoing a half-done stage), which the rules would otherwise refuse.
type ownKey struct{}

func own(ctx context.Context) context.Context { return context.WithValue(ctx, ownKey{}, true) }

func isOwn(ctx context.Context) bool { return ctx.Value(ownKey{}) != nil }

// counts are a meeting's attendance and votes.
type counts struct {
	entitled, attended           int
	votesFor, against, abstained *int
}

func (c counts) check() error {
	if c.attended > c.entitled {
		return fail.Invalidf("attended (实到 %d) cannot exceed entitled (应到 %d)", c.attended, c.entitled)
	}
	votes := 0
	for _, v := range []*int{c.votesFor, c.against, c.abstained} {
		if v != nil {
			votes += *v
		}
	}
	if votes > c.attended {
		return fail.Invalidf("votes for, against and abstaining add up to %d, more than the %d who attended (实到)", votes, c.attended)
	}
	return nil
}

func ptr(v int, ok bool) *int {
	if !ok {
		return nil
	}
	return &v
}

// meetingRules checks attendance and votes on every meeting, and moves a
// matter on when a stage meeting is created.
func meetingRules(next ent.Mutator) ent.Mutator {
	return hook.MeetingFunc(func(ctx context.Context, m *ent.MeetingMutation) (ent.Value, error) {
		if m.Op().Is(ent.OpCreate) {
			e, _ := m.Entitled()
			a, _ := m.Attended()
			c := counts{entitled: e, attended: a, votesFor: ptr(m.VotesFor()), against: ptr(m.VotesAgainst()), abstained: ptr(m.VotesAbstain())}
			if err := c.check(); err != nil {
				return nil, err
			}
			if _, ok := m.MatterStage(); ok {
				return createStageMeeting(ctx, m, c, next)
			}
			return next.Mutate(ctx, m)
		}
		if isOwn(ctx) {
			return next.Mutate(ctx, m)
		}
		if _, ok := m.MatterStage(); ok || m.MatterStageCleared() {
			return nil, fail.Conflictf("the 四议两公开 stage of a meeting is fixed when the stage is recorded (recordMatterStage); it cannot be set or changed afterwards")
		}
		ids, err := m.IDs(ctx)
		if err != nil {
			return nil, fmt.Errorf("find meetings to change: %w", err)
		}
		if len(ids) == 0 {
			return next.Mutate(ctx, m)
		}
		olds, err := m.Client().Meeting.Query().Where(meeting.IDIn(ids...)).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("load meetings to change: %w", err)
		}
		for _, o := range olds {
			if o.MatterStage != nil && (m.Op().Is(ent.OpDelete|ent.OpDeleteOne) || changesRecord(m)) {
				return nil, fail.Conflictf("meeting %q holds the %s stage of a matter; its kind, time, matter, attendance and votes are a record and cannot change (minutes, place and opinion can)", o.Title, describe(matter.Stage(*o.MatterStage)))
			}
			if m.Op().Is(ent.OpDelete | ent.OpDeleteOne) {
				continue
			}
			if err := merged(m, o).check(); err != nil {
				return nil, fmt.Errorf("meeting %q: %w", o.Title, err)
			}
		}
		return next.Mutate(ctx, m)
	})
}

func changesRecord(m *ent.MeetingMutation) bool {
	for _, f := range []string{meeting.FieldKind, meeting.FieldHeldAt, meeting.FieldMatterID, meeting.FieldEntitled, meeting.FieldAttended,
		meeting.FieldVotesFor, meeting.FieldVotesAgainst, meeting.FieldVotesAbstain} {
		if _, ok := m.Field(f); ok {
			return true
		}
		if _, ok := m.AddedField(f); ok {
			return true
		}
		if m.FieldCleared(f) {
			return true
		}
	}
	return false
}

// merged is the counts of o after mutation m.
func merged(m *ent.MeetingMutation, o *ent.Meeting) counts {
	c := counts{entitled: o.Entitled, attended: o.Attended, votesFor: o.VotesFor, against: o.VotesAgainst, abstained: o.VotesAbstain}
	if v, ok := m.Entitled(); ok {
		c.entitled = v
	}
	if v, ok := m.AddedEntitled(); ok {
		c.entitled += v
	}
	if v, ok := m.Attended(); ok {
		c.attended = v
	}
	if v, ok := m.AddedAttended(); ok {
		c.attended += v
	}
	vote := func(cur *int, set func() (int, bool), add func() (int, bool), cleared bool) *int {
		if cleared {
			return nil
		}
		if v, ok := set(); ok {
			return &v
		}
		if v, ok := add(); ok {
			n := v
			if cur != nil {
				n += *cur
			}
			return &n
		}
		return cur
	}
	c.votesFor = vote(c.votesFor, m.VotesFor, m.AddedVotesFor, m.VotesForCleared())
	c.against = vote(c.against, m.VotesAgainst, m.AddedVotesAgainst, m.VotesAgainstCleared())
	c.abstained = vote(c.abstained, m.VotesAbstain, m.AddedVotesAbstain, m.VotesAbstainCleared())
	return c
}

// createStageMeeting records a stage meeting and moves its matter on:
// the stage must be the next one, held by the right kind of meeting, not
// before the stage before it; a vote needs a quorum of two thirds (else the
// meeting is invalid and nothing is recorded) and passes with more than
// half of those present (else the matter is rejected).
func createStageMeeting(ctx context.Context, m *ent.MeetingMutation, c counts, next ent.Mutator) (ent.Value, error) {
	ms, _ := m.MatterStage()
	stage := matter.Stage(ms)
	mid, ok := m.MatterID()
	if !ok {
		return nil, fail.Invalidf("a %s stage meeting must name its matter (matterID)", describe(stage))
	}
	kind, _ := m.Kind()
	heldAt, _ := m.HeldAt()
	cid, _ := m.CommunityID()
	day := calendar.DayOf(heldAt)
	return recordStage(ctx, m, next, stageStep{
		what: "meeting", matterID: mid, communityID: cid, stage: stage, day: day,
		check: func(mat *ent.Matter, upd *ent.MatterUpdate) error {
			if want := stageKinds[stage]; kind != want {
				return fail.Invalidf("stage %s is held by a %s meeting, not %s", describe(stage), want, kind)
			}
			if IsVote(stage) {
				if c.votesFor == nil {
					return fail.Invalidf("stage %s is decided by a vote: give votesFor (and votesAgainst, votesAbstain)", describe(stage))
				}
				if c.attended*3 < c.entitled*2 {
					need := (c.entitled*2 + 2) / 3
					return fail.Invalidf("the %s meeting is not valid: %d of %d entitled attended, fewer than two thirds (at least %d must attend); no stage was recorded — hold the meeting again", describe(stage), c.attended, c.entitled, need)
				}
				if *c.votesFor*2 <= c.attended {
					upd.SetOutcome(matter.OutcomeREJECTED).SetRejectionReason(rejection(stage, c))
				} else if stage == matter.StageRESOLUTION {
					upd.SetOutcome(matter.OutcomeRESOLVED).SetResolvedOn(day)
				}
			}
			if stage == matter.StagePROPOSAL && mat.ProposedOn == nil {
				upd.SetProposedOn(day)
			}
			return nil
		},
		undo: func(ctx context.Context, client *ent.Client, v ent.Value) {
			if id, ok := v.(*ent.Meeting); ok {
				_ = client.Meeting.DeleteOneID(id.ID).Exec(ctx)
			}
		},
	})
}

// stageStep is a write that records a matter's next stage: a stage meeting
// or one of its two disclosures.
type stageStep struct {
	what        string // "meeting" or "disclosure", for messages
	matterID    int
	communityID int
	stage       matter.Stage
	day         time.Time // the civil date it happened
	// check refuses the step, or adds to the matter's update, knowing the
	// matter; it runs before anything is written.
	check func(mat *ent.Matter, upd *ent.MatterUpdate) error
	// undo deletes the record written, when the matter could not be moved on
	// and there is no transaction to roll back.
	undo func(ctx context.Context, client *ent.Client, v ent.Value)
}

// recordStage writes the step's record (next) and moves its matter on:
// the stage must be the matter's next one, in its community, not dated
// before the stage before it.
func recordStage(ctx context.Context, m interface {
	ent.Mutation
	Client() *ent.Client
	Tx() (*ent.Tx, error)
}, next ent.Mutator, s stageStep) (ent.Value, error) {
	client := m.Client()
	mat, err := lockMatter(ctx, client, s.matterID)
	if err != nil {
		return nil, err
	}
	if s.communityID != mat.CommunityID {
		return nil, fail.Invalidf("%s and matter %q belong to different communities", s.what, mat.Title)
	}
	if err := checkNext(mat, s.stage); err != nil {
		return nil, err
	}
	upd := client.Matter.Update().SetStage(s.stage)
	if s.check != nil {
		if err := s.check(mat, upd); err != nil {
			return nil, err
		}
	}
	if err := checkAfterPrevious(ctx, client, mat, s.stage, s.day); err != nil {
		return nil, err
	}
	v, err := next.Mutate(ctx, m)
	if err != nil {
		return nil, err
	}
	if err := advance(ctx, client, upd, mat); err != nil {
		if _, notInTx := m.Tx(); notInTx != nil {
			s.undo(own(ctx), client, v)
		}
		return nil, err
	}
	return v, nil
}

func rejection(stage matter.Stage, c counts) string {
	n := func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	}
	return fmt.Sprintf("%s表决未获实到人数过半数赞成：实到%d人，赞成%d票，反对%d票，弃权%d票。",
		stageNames[stage], c.attended, n(c.votesFor), n(c.against), n(c.abstained))
}

// advance applies upd to mat only if mat is still where it was read, so
// two writers cannot both record the same stage. In a transaction the
// matter's row is locked when the stage is checked (lockMatter), so the
// second writer waits and is refused by checkNext in the matter's terms;
// this condition holds without one.
func advance(ctx context.Context, client *ent.Client, upd *ent.MatterUpdate, mat *ent.Matter) error {
	where := []predicate.Matter{matter.ID(mat.ID), matter.OutcomeEQ(mat.Outcome)}
	if mat.Stage == nil {
		where = append(where, matter.StageIsNil())
	} else {
		where = append(where, matter.StageEQ(*mat.Stage))
	}
	n, err := upd.Where(where...).Save(own(ctx))
	if err != nil {
		return fmt.Errorf("move matter %q on: %w", mat.Title, err)
	}
	if n == 0 {
		return fail.Conflictf("matter %q was moved on by someone else meanwhile; reload it and try again", mat.Title)
	}
	return nil
}

// checkAfterPrevious refuses a stage dated before the stage before it.
func checkAfterPrevious(ctx context.Context, client *ent.Client, mat *ent.Matter, stage matter.Stage, day time.Time) error {
	i := stageIndex(stage)
	if i == 0 {
		return nil
	}
	prev := Stages[i-1]
	var prevDay time.Time
	if _, isMeeting := stageKinds[prev]; isMeeting {
		pm, err := client.Meeting.Query().Where(meeting.MatterID(mat.ID), meeting.MatterStageEQ(meeting.MatterStage(prev))).Only(ctx)
		if ent.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("load %s meeting of matter %q: %w", prev, mat.Title, err)
		}
		prevDay = calendar.DayOf(pm.HeldAt)
	} else {
		d, err := client.MatterDisclosure.Query().Where(matterdisclosure.MatterID(mat.ID), matterdisclosure.StageEQ(matterdisclosure.Stage(prev))).Only(ctx)
		if ent.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("load %s of matter %q: %w", prev, mat.Title, err)
		}
		prevDay = d.DisclosedOn
	}
	if day.Before(prevDay) {
		return fail.Invalidf("stage %s of matter %q is dated %s, before the %s stage on %s; stages happen in order", describe(stage), mat.Title, calendar.FormatDate(day), describe(prev), calendar.FormatDate(prevDay))
	}
	return nil
}

// disclosureRules records the two disclosures in order and closes the
// matter with the second; a disclosure, once made, is not changed.
func disclosureRules(next ent.Mutator) ent.Mutator {
	return hook.MatterDisclosureFunc(func(ctx context.Context, m *ent.MatterDisclosureMutation) (ent.Value, error) {
		if !m.Op().Is(ent.OpCreate) {
			if isOwn(ctx) {
				return next.Mutate(ctx, m)
			}
			return nil, fail.Conflictf("a disclosure (公开) is a public record; it cannot be changed or deleted")
		}
		st, _ := m.Stage()
		stage := matter.Stage(st)
		mid, _ := m.MatterID()
		cid, _ := m.CommunityID()
		day, _ := m.DisclosedOn()
		return recordStage(ctx, m, next, stageStep{
			what: "disclosure", matterID: mid, communityID: cid, stage: stage, day: day,
			check: func(mat *ent.Matter, upd *ent.MatterUpdate) error {
				if stage == matter.StageRESULT_DISCLOSURE {
					upd.SetOutcome(matter.OutcomeCOMPLETED)
				}
				return nil
			},
			undo: func(ctx context.Context, client *ent.Client, v ent.Value) {
				if d, ok := v.(*ent.MatterDisclosure); ok {
					_ = client.MatterDisclosure.DeleteOneID(d.ID).Exec(ctx)
				}
			},
		})
	})
}

// matterRules keeps a matter's stage and outcome for the rules to set: they
// follow from its stage meetings and disclosures, never from a direct write.
func matterRules(next ent.Mutator) ent.Mutator {
	return hook.MatterFunc(func(ctx context.Context, m *ent.MatterMutation) (ent.Value, error) {
		if isOwn(ctx) {
			return next.Mutate(ctx, m)
		}
		const how = "a matter's stage, outcome, resolution date and rejection reason follow from its stage meetings and disclosures: record them with recordMatterStage"
		switch {
		case m.Op().Is(ent.OpCreate):
			_, stage := m.Stage()
			o, _ := m.Outcome()
			r, _ := m.RejectionReason()
			_, resolved := m.ResolvedOn()
			if stage || (o != "" && o != matter.OutcomePENDING) || r != "" || resolved {
				return nil, fail.Invalidf("a new matter starts before its proposal, pending; %s", how)
			}
		case m.Op().Is(ent.OpDelete | ent.OpDeleteOne):
			ids, err := m.IDs(ctx)
			if err != nil {
				return nil, fmt.Errorf("find matters to delete: %w", err)
			}
			// Locked, so a stage being recorded meanwhile is waited for
			// and seen (a matching query would skip a row whose stage is
			// not committed yet).
			q := m.Client().Matter.Query().Where(matter.IDIn(ids...))
			q.Modify(rowlock.Update)
			ms, err := q.Select(matter.FieldID, matter.FieldTitle, matter.FieldStage).All(ctx)
			if err != nil {
				return nil, fmt.Errorf("check matters to delete: %w", err)
			}
			for _, mat := range ms {
				if mat.Stage != nil {
					return nil, fail.Conflictf("matter %q has a recorded stage; its record of 四议两公开 cannot be deleted", mat.Title)
				}
			}
		default:
			for _, f := range []string{matter.FieldStage, matter.FieldOutcome, matter.FieldRejectionReason, matter.FieldResolvedOn} {
				if _, ok := m.Field(f); ok || m.FieldCleared(f) {
					return nil, fail.Conflictf("%s cannot be written directly; %s", f, how)
				}
			}
		}
		return next.Mutate(ctx, m)
	})
}

// contractRules: a contract at or above the community's matter threshold
// rests on a matter resolved (through 四议两公开) before it was signed;
// construction at or above the tender threshold is publicly tendered.
func contractRules(next ent.Mutator) ent.Mutator {
	return hook.ContractFunc(func(ctx context.Context, m *ent.ContractMutation) (ent.Value, error) {
		if m.Op().Is(ent.OpDelete | ent.OpDeleteOne) {
			return next.Mutate(ctx, m)
		}
		var cs []contractTerms
		if m.Op().Is(ent.OpCreate) {
			var t contractTerms
			t.communityID, _ = m.CommunityID()
			t.code, _ = m.Code()
			t.kind, _ = m.Kind()
			t.amount, _ = m.Amount()
			t.procurement, _ = m.Procurement()
			t.signedOn, _ = m.SignedOn()
			t.matterID = ptr(m.MatterID())
			cs = append(cs, t)
		} else {
			relevant := false
			for _, f := range []string{contract.FieldKind, contract.FieldAmount, contract.FieldProcurement, contract.FieldSignedOn, contract.FieldMatterID} {
				if _, ok := m.Field(f); ok || m.FieldCleared(f) {
					relevant = true
				}
			}
			if !relevant {
				return next.Mutate(ctx, m)
			}
			ids, err := m.IDs(ctx)
			if err != nil {
				return nil, fmt.Errorf("find contracts to change: %w", err)
			}
			olds, err := m.Client().Contract.Query().Where(contract.IDIn(ids...)).All(ctx)
			if err != nil {
				return nil, fmt.Errorf("load contracts to change: %w", err)
			}
			for _, o := range olds {
				t := contractTerms{communityID: o.CommunityID, code: o.Code, kind: o.Kind, amount: o.Amount, procurement: o.Procurement, signedOn: o.SignedOn, matterID: o.MatterID}
				if v, ok := m.Kind(); ok {
					t.kind = v
				}
				if v, ok := m.Amount(); ok {
					t.amount = v
				}
				if v, ok := m.Procurement(); ok {
					t.procurement = v
				}
				if v, ok := m.SignedOn(); ok {
					t.signedOn = v
				}
				if v, ok := m.MatterID(); ok {
					t.matterID = &v
				}
				if m.MatterIDCleared() {
					t.matterID = nil
				}
				cs = append(cs, t)
			}
		}
		if err := checkAuthority(ctx, m.Client(), cs); err != nil {
			return nil, err
		}
		return next.Mutate(ctx, m)
	})
}

type contractTerms struct {
	communityID int
	code        string
	kind        contract.Kind
	amount      money.Fen
	procurement contract.Procurement
	signedOn    time.Time
	matterID    *int
}

// checkAuthority checks that every contract written has the authority its
// amount needs (a public tender above the tender threshold, a resolved
// matter above the matter threshold), with one statement for the
// communities' thresholds and one for the matters, however many contracts
// an update touches.
func checkAuthority(ctx context.Context, client *ent.Client, cs []contractTerms) error {
	if len(cs) == 0 {
		return nil
	}
	comIDs := make([]int, 0, len(cs))
	for _, t := range cs {
		comIDs = append(comIDs, t.communityID)
	}
	coms, err := client.Community.Query().Where(community.IDIn(comIDs...)).
		Select(community.FieldID, community.FieldMatterThreshold, community.FieldTenderThreshold).All(ctx)
	if err != nil {
		return fmt.Errorf("load thresholds of communities %v: %w", comIDs, err)
	}
	byID := make(map[int]*ent.Community, len(coms))
	for _, c := range coms {
		byID[c.ID] = c
	}
	var matIDs []int
	for _, t := range cs {
		com, ok := byID[t.communityID]
		if !ok {
			return fail.NotFoundf("community %d does not exist", t.communityID)
		}
		if t.kind == contract.KindCONSTRUCTION && t.amount >= com.TenderThreshold && t.procurement != contract.ProcurementPUBLIC_TENDER {
			return fail.Invalidf("construction contract %s of %s yuan is at or above the tender threshold of %s yuan: it must be procured by public tender (PUBLIC_TENDER, 公开招标), not %s", t.code, t.amount, com.TenderThreshold, t.procurement)
		}
		if t.amount < com.MatterThreshold {
			continue
		}
		if t.matterID == nil {
			return fail.Invalidf("contract %s of %s yuan is at or above the matter threshold of %s yuan: it needs the matter (matterID) resolved through 四议两公开 that authorises it", t.code, t.amount, com.MatterThreshold)
		}
		matIDs = append(matIDs, *t.matterID)
	}
	if len(matIDs) == 0 {
		return nil
	}
	ms, err := client.Matter.Query().Where(matter.IDIn(matIDs...)).All(ctx)
	if err != nil {
		return fmt.Errorf("load matters %v: %w", matIDs, err)
	}
	mats := make(map[int]*ent.Matter, len(ms))
	for _, m := range ms {
		mats[m.ID] = m
	}
	for _, t := range cs {
		if t.amount < byID[t.communityID].MatterThreshold {
			continue
		}
		mat, ok := mats[*t.matterID]
		if !ok {
			return fail.NotFoundf("matter %d does not exist", *t.matterID)
		}
		if err := checkMatterAuthorises(mat, t); err != nil {
			return err
		}
	}
	return nil
}

// checkMatterAuthorises checks that mat, resolved before the contract was
// signed and in its community, authorises the contract t.
func checkMatterAuthorises(mat *ent.Matter, t contractTerms) error {
	if mat.CommunityID != t.communityID {
		return fail.Invalidf("matter %q belongs to another community; it cannot authorise contract %s", mat.Title, t.code)
	}
	if mat.Outcome != matter.OutcomeRESOLVED && mat.Outcome != matter.OutcomeCOMPLETED {
		stage := "no stage yet"
		if mat.Stage != nil {
			stage = "at " + describe(*mat.Stage)
		}
		return fail.Conflictf("matter %q has not been resolved (outcome %s, %s); contract %s of %s yuan needs a resolution of the residents' representatives first", mat.Title, mat.Outcome, stage, t.code, t.amount)
	}
	if mat.ResolvedOn != nil && t.signedOn.Before(*mat.ResolvedOn) {
		return fail.Conflictf("contract %s is signed on %s, before matter %q was resolved on %s", t.code, calendar.FormatDate(t.signedOn), mat.Title, calendar.FormatDate(*mat.ResolvedOn))
	}
	return nil
}
