package governance_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"sunlight/ent"
	"sunlight/ent/contract"
	"sunlight/ent/matter"
	"sunlight/ent/meeting"
	"sunlight/internal/governance"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/vocab/money"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type fixture struct {
	t   *testing.T
	ctx context.Context
	c   *ent.Client
	com *ent.Community
	n   int
}

var fixtures int

func newFixture(t *testing.T, dsn string) *fixture {
	d := dbtest.Open(t, dsn)
	ctx := context.Background()
	fixtures++
	com, err := d.Client.Community.Create().SetName(fmt.Sprint("议事社区", fixtures)).SetCode(fmt.Sprint("gov-", fixtures)).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, ctx: ctx, c: d.Client, com: com}
}

func (f *fixture) matter(title string) *ent.Matter {
	f.t.Helper()
	m, err := f.c.Matter.Create().SetCommunityID(f.com.ID).SetTitle(title).SetCategory(matter.CategoryWELFARE_PROJECT).Save(f.ctx)
	if err != nil {
		f.t.Fatalf("create matter: %v", err)
	}
	return m
}

func n(v int) *int { return &v }

var day0 = calendar.Date(2026, 3, 2)

// stage is a valid record of stage i (0..5) of matter m, i days after day0.
func stage(m *ent.Matter, i int) governance.StageRecord {
	s := governance.Stages[i]
	r := governance.StageRecord{MatterID: m.ID, Stage: s}
	when := calendar.StartOf(day0.AddDate(0, 0, 3*i)).Add(9 * time.Hour)
	switch s {
	case matter.StagePROPOSAL:
		r.Meeting = &governance.StageMeeting{HeldAt: when, Title: "党组织提议", Entitled: 7, Attended: 7}
	case matter.StageDELIBERATION:
		r.Meeting = &governance.StageMeeting{HeldAt: when, Title: "两委会议商议", Entitled: 11, Attended: 10}
	case matter.StageREVIEW:
		r.Meeting = &governance.StageMeeting{HeldAt: when, Title: "党员大会审议", Entitled: 62, Attended: 51, VotesFor: n(48), VotesAgainst: n(1), VotesAbstain: n(2)}
	case matter.StageRESOLUTION:
		r.Meeting = &governance.StageMeeting{HeldAt: when, Title: "居民代表会议决议", Entitled: 35, Attended: 31, VotesFor: n(29), VotesAgainst: n(1), VotesAbstain: n(1)}
	default:
		r.Disclosure = &governance.StageDisclosure{DisclosedOn: day0.AddDate(0, 0, 3*i), Channel: "社区居务公开栏", Text: "公开"}
	}
	return r
}

// pass records stages 0..upto-1 of m.
func (f *fixture) pass(m *ent.Matter, upto int) *ent.Matter {
	f.t.Helper()
	for i := 0; i < upto; i++ {
		var err error
		if m, err = governance.RecordStage(f.ctx, f.c, stage(m, i)); err != nil {
			f.t.Fatalf("record stage %d: %v", i, err)
		}
	}
	return m
}

// snapshot is everything a refused write must leave as it was.
func (f *fixture) snapshot() string {
	f.t.Helper()
	ms, err := f.c.Matter.Query().Order(ent.Asc("id")).All(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	meetings, _ := f.c.Meeting.Query().Count(f.ctx)
	disclosures, _ := f.c.MatterDisclosure.Query().Count(f.ctx)
	contracts, _ := f.c.Contract.Query().All(f.ctx)
	b, _ := json.Marshal([]any{ms, meetings, disclosures, contracts})
	return string(b)
}

func wantCode(t *testing.T, err error, code fail.Code, says string) {
	t.Helper()
	if fail.CodeOf(err) != code {
		t.Fatalf("error %v has code %q, want %q", err, fail.CodeOf(err), code)
	}
	if !strings.Contains(err.Error(), says) {
		t.Fatalf("error %q does not say %q", err, says)
	}
}

func TestStageRefusalsChangeNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		tests := []struct {
			name   string
			passed int // stages recorded before the attempt
			try    func(m *ent.Matter) error
			code   fail.Code
			says   string
		}{
			{"stage skipped", 0, func(m *ent.Matter) error {
				_, err := governance.RecordStage(f.ctx, f.c, stage(m, 1))
				return err
			}, fail.Conflict, "next stage expected for matter \"事项\" is PROPOSAL"},
			{"disclosure before the resolution", 2, func(m *ent.Matter) error {
				_, err := governance.RecordStage(f.ctx, f.c, stage(m, 4))
				return err
			}, fail.Conflict, "is REVIEW"},
			{"stage repeated", 2, func(m *ent.Matter) error {
				_, err := governance.RecordStage(f.ctx, f.c, stage(m, 1))
				return err
			}, fail.Conflict, "already recorded and cannot be repeated; the next stage expected is REVIEW"},
			{"disclosure repeated", 5, func(m *ent.Matter) error {
				_, err := governance.RecordStage(f.ctx, f.c, stage(m, 4))
				return err
			}, fail.Conflict, "already recorded"},
			{"quorum missed", 2, func(m *ent.Matter) error {
				r := stage(m, 2)
				r.Meeting.Attended, r.Meeting.VotesFor = 41, n(40) // 41 of 62: 123 < 124
				r.Meeting.VotesAgainst, r.Meeting.VotesAbstain = n(1), n(0)
				_, err := governance.RecordStage(f.ctx, f.c, r)
				return err
			}, fail.BadInput, "fewer than two thirds (at least 42 must attend)"},
			{"votes exceeding attendance", 2, func(m *ent.Matter) error {
				r := stage(m, 2)
				r.Meeting.VotesFor, r.Meeting.VotesAgainst, r.Meeting.VotesAbstain = n(40), n(10), n(5)
				_, err := governance.RecordStage(f.ctx, f.c, r)
				return err
			}, fail.BadInput, "add up to 55, more than the 51 who attended"},
			{"attended exceeding entitled", 0, func(m *ent.Matter) error {
				return f.c.Meeting.Create().SetCommunityID(f.com.ID).SetKind(meeting.KindDELIBERATION).SetHeldAt(day0).
					SetTitle("议事协商会议").SetEntitled(20).SetAttended(21).Exec(f.ctx)
			}, fail.BadInput, "cannot exceed entitled"},
			{"vote not given", 3, func(m *ent.Matter) error {
				r := stage(m, 3)
				r.Meeting.VotesFor = nil
				_, err := governance.RecordStage(f.ctx, f.c, r)
				return err
			}, fail.BadInput, "decided by a vote"},
			{"wrong kind of meeting", 0, func(m *ent.Matter) error {
				return f.c.Meeting.Create().SetCommunityID(f.com.ID).SetKind(meeting.KindTWO_COMMITTEES).SetHeldAt(day0).
					SetTitle("提议").SetEntitled(7).SetAttended(7).SetMatterID(m.ID).SetMatterStage(meeting.MatterStagePROPOSAL).Exec(f.ctx)
			}, fail.BadInput, "held by a PARTY_BRANCH meeting"},
			{"stage dated before the one before", 1, func(m *ent.Matter) error {
				r := stage(m, 1)
				r.Meeting.HeldAt = calendar.StartOf(day0.AddDate(0, 0, -1))
				_, err := governance.RecordStage(f.ctx, f.c, r)
				return err
			}, fail.BadInput, "before the PROPOSAL"},
			{"ent client skipping a stage", 1, func(m *ent.Matter) error {
				return f.c.Meeting.Create().SetCommunityID(f.com.ID).SetKind(meeting.KindPARTY_MEMBERS).SetHeldAt(day0.AddDate(0, 0, 9)).
					SetTitle("审议").SetEntitled(62).SetAttended(51).SetVotesFor(50).SetMatterID(m.ID).SetMatterStage(meeting.MatterStageREVIEW).Exec(f.ctx)
			}, fail.Conflict, "is DELIBERATION"},
			{"ent client writing the stage", 1, func(m *ent.Matter) error {
				return f.c.Matter.UpdateOneID(m.ID).SetStage(matter.StageRESOLUTION).SetOutcome(matter.OutcomeRESOLVED).Exec(f.ctx)
			}, fail.Conflict, "recordMatterStage"},
			{"ent client creating a resolved matter", 0, func(m *ent.Matter) error {
				return f.c.Matter.Create().SetCommunityID(f.com.ID).SetTitle("捷径").SetOutcome(matter.OutcomeRESOLVED).Exec(f.ctx)
			}, fail.BadInput, "recordMatterStage"},
			{"stage meeting's votes changed", 3, func(m *ent.Matter) error {
				return f.c.Meeting.Update().Where(meeting.MatterID(m.ID), meeting.MatterStageEQ(meeting.MatterStageREVIEW)).SetVotesFor(10).Exec(f.ctx)
			}, fail.Conflict, "cannot change"},
			{"stage meeting deleted", 1, func(m *ent.Matter) error {
				_, err := f.c.Meeting.Delete().Where(meeting.MatterID(m.ID)).Exec(f.ctx)
				return err
			}, fail.Conflict, "cannot change"},
			{"meeting given a stage afterwards", 0, func(m *ent.Matter) error {
				mt, err := f.c.Meeting.Create().SetCommunityID(f.com.ID).SetKind(meeting.KindPARTY_BRANCH).SetHeldAt(day0).
					SetTitle("支委会").SetEntitled(7).SetAttended(7).SetMatterID(m.ID).Save(f.ctx)
				if err != nil {
					return err
				}
				f.n++ // the plain meeting is a legitimate change
				return f.c.Meeting.UpdateOne(mt).SetMatterStage(meeting.MatterStagePROPOSAL).Exec(f.ctx)
			}, fail.Conflict, "fixed when the stage is recorded"},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f.t = t
				m := f.pass(f.matter("事项"), tt.passed)
				before := f.snapshot()
				f.n = 0
				err := tt.try(m)
				wantCode(t, err, tt.code, tt.says)
				after := f.snapshot()
				if f.n == 0 && after != before {
					t.Fatalf("refused write %d changed the data:\n%s\n%s", i, before, after)
				}
				got, _ := f.c.Matter.Get(f.ctx, m.ID)
				if (got.Stage == nil) != (m.Stage == nil) || got.Stage != nil && *got.Stage != *m.Stage || got.Outcome != m.Outcome {
					t.Fatalf("matter moved from %v/%s to %v/%s", m.Stage, m.Outcome, got.Stage, got.Outcome)
				}
			})
		}
	})
}

func TestFullPassageAndTimeline(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		m := f.matter("健身器材更新")
		for i := range governance.Stages {
			next, ok := governance.NextStage(m)
			if !ok || next != governance.Stages[i] {
				t.Fatalf("next stage after %d = %s, %v", i, next, ok)
			}
			var err error
			if m, err = governance.RecordStage(f.ctx, f.c, stage(m, i)); err != nil {
				t.Fatalf("stage %d: %v", i, err)
			}
		}
		if m.Outcome != matter.OutcomeCOMPLETED || *m.Stage != matter.StageRESULT_DISCLOSURE {
			t.Fatalf("after six stages: %s at %v", m.Outcome, m.Stage)
		}
		if m.ResolvedOn == nil || !m.ResolvedOn.Equal(day0.AddDate(0, 0, 9)) || m.ProposedOn == nil || !m.ProposedOn.Equal(day0) {
			t.Fatalf("proposed %v, resolved %v", m.ProposedOn, m.ResolvedOn)
		}
		if _, ok := governance.NextStage(m); ok {
			t.Fatal("a completed matter has a next stage")
		}
		tl, err := governance.Timeline(f.ctx, f.c, m.ID)
		if err != nil || len(tl) != 6 {
			t.Fatalf("timeline: %d entries, %v", len(tl), err)
		}
		for i, e := range tl {
			if *e.Stage != governance.Stages[i] || (e.Meeting != nil) != (i < 4) {
				t.Fatalf("timeline[%d] = %s (meeting %v)", i, *e.Stage, e.Meeting != nil)
			}
		}
	})
}

func TestVotes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		tests := []struct {
			name                        string
			stage                       int
			entitled, attended, yes, no int
			outcome                     matter.Outcome
		}{
			{"review passes with exactly two thirds present", 2, 63, 42, 22, 20, matter.OutcomePENDING},
			{"review fails at exactly half", 2, 62, 50, 25, 25, matter.OutcomeREJECTED},
			{"resolution passes by one", 3, 35, 31, 16, 15, matter.OutcomeRESOLVED},
			{"resolution fails", 3, 35, 31, 12, 17, matter.OutcomeREJECTED},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f.t = t
				m := f.pass(f.matter("表决"), tt.stage)
				r := stage(m, tt.stage)
				r.Meeting.Entitled, r.Meeting.Attended = tt.entitled, tt.attended
				r.Meeting.VotesFor, r.Meeting.VotesAgainst, r.Meeting.VotesAbstain = n(tt.yes), n(tt.no), n(tt.attended-tt.yes-tt.no)
				m, err := governance.RecordStage(f.ctx, f.c, r)
				if err != nil {
					t.Fatal(err)
				}
				if m.Outcome != tt.outcome || *m.Stage != governance.Stages[tt.stage] {
					t.Fatalf("outcome %s at %s, want %s at %s", m.Outcome, *m.Stage, tt.outcome, governance.Stages[tt.stage])
				}
				if tt.outcome != matter.OutcomeREJECTED {
					return
				}
				if want := fmt.Sprintf("赞成%d票，反对%d票", tt.yes, tt.no); !strings.Contains(m.RejectionReason, want) {
					t.Fatalf("rejection reason %q does not keep the votes %q", m.RejectionReason, want)
				}
				before := f.snapshot()
				_, err = governance.RecordStage(f.ctx, f.c, stage(m, tt.stage+1))
				wantCode(t, err, fail.Conflict, "was rejected")
				err = f.c.Contract.Create().SetCommunityID(f.com.ID).SetCode("HT-" + tt.name[:6]).SetKind(contract.KindPROCUREMENT).
					SetTitle("采购").SetCounterparty("供应商").SetAmount(money.Yuan(80_000)).
					SetSignedOn(day0.AddDate(0, 1, 0)).SetStartsOn(day0.AddDate(0, 1, 0)).SetMatterID(m.ID).Exec(f.ctx)
				wantCode(t, err, fail.Conflict, "has not been resolved (outcome REJECTED")
				if after := f.snapshot(); after != before {
					t.Fatal("a refused write after the rejection changed the data")
				}
			})
		}
	})
}

func TestContractAuthority(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		resolved := f.pass(f.matter("已决议事项"), 4)
		pending := f.pass(f.matter("未决议事项"), 2)
		signed := day0.AddDate(0, 1, 0)
		newContract := func(code string, kind contract.Kind, yuan int64, proc contract.Procurement, matterID *int) *ent.ContractCreate {
			return f.c.Contract.Create().SetCommunityID(f.com.ID).SetCode(code).SetKind(kind).SetTitle("合同 " + code).
				SetCounterparty("对方").SetAmount(money.Yuan(yuan)).SetSignedOn(signed).SetStartsOn(signed).
				SetProcurement(proc).SetNillableMatterID(matterID)
		}
		if err := newContract("OK-1", contract.KindPROCUREMENT, 49_999, contract.ProcurementDIRECT, nil).Exec(f.ctx); err != nil {
			t.Fatalf("below the matter threshold: %v", err)
		}
		if err := newContract("OK-2", contract.KindCONSTRUCTION, 1_000_000, contract.ProcurementPUBLIC_TENDER, &resolved.ID).Exec(f.ctx); err != nil {
			t.Fatalf("tendered construction on a resolved matter: %v", err)
		}
		tests := []struct {
			name string
			try  func() error
			code fail.Code
			says string
		}{
			{"contract without authority", func() error {
				return newContract("NO-1", contract.KindPROCUREMENT, 50_000, contract.ProcurementDIRECT, nil).Exec(f.ctx)
			}, fail.BadInput, "at or above the matter threshold of 50000.00 yuan"},
			{"matter not resolved", func() error {
				return newContract("NO-2", contract.KindSERVICE, 60_000, contract.ProcurementDIRECT, &pending.ID).Exec(f.ctx)
			}, fail.Conflict, "has not been resolved (outcome PENDING, at DELIBERATION"},
			{"non-tender construction over threshold", func() error {
				return newContract("NO-3", contract.KindCONSTRUCTION, 1_000_000, contract.ProcurementINVITED_TENDER, &resolved.ID).Exec(f.ctx)
			}, fail.BadInput, "must be procured by public tender"},
			{"signed before the resolution", func() error {
				return newContract("NO-4", contract.KindSERVICE, 60_000, contract.ProcurementDIRECT, &resolved.ID).SetSignedOn(day0).Exec(f.ctx)
			}, fail.Conflict, "before matter"},
			{"raising the amount past the threshold", func() error {
				return f.c.Contract.Update().Where(contract.Code("OK-1")).SetAmount(money.Yuan(50_000)).Exec(f.ctx)
			}, fail.BadInput, "needs the matter"},
			{"dropping the tender", func() error {
				return f.c.Contract.Update().Where(contract.Code("OK-2")).SetProcurement(contract.ProcurementDIRECT).Exec(f.ctx)
			}, fail.BadInput, "public tender"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := f.snapshot()
				wantCode(t, tt.try(), tt.code, tt.says)
				if after := f.snapshot(); after != before {
					t.Fatalf("refused contract changed the data")
				}
			})
		}
		t.Run("code unique per community", func(t *testing.T) {
			before := f.snapshot()
			if err := newContract("OK-1", contract.KindPROCUREMENT, 100, contract.ProcurementDIRECT, nil).Exec(f.ctx); !ent.IsConstraintError(err) {
				t.Fatalf("duplicate code: %v", err)
			}
			if after := f.snapshot(); after != before {
				t.Fatal("duplicate code changed the data")
			}
		})
	})
}
