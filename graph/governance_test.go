package graph_test

import (
	"encoding/json"
	"strings"
	"testing"

	"sunlight/internal/demo/demotest"
)

func TestMarketRebuildTimeline(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		s := demoServer(t, dsn)
		var out struct {
			Matters struct {
				Edges []struct {
					Node struct {
						Stage, Outcome string
						NextStage      *string
						Timeline       []struct {
							Stage   *string
							Date    string
							Meeting *struct {
								Kind               string
								Entitled, Attended int
								VotesFor           *int
							}
							Disclosure *struct{ Channel string }
						}
						Contracts struct {
							Edges []struct {
								Node struct{ Code, Procurement, Kind string }
							}
						}
					}
				}
			}
		}
		s.ok(`{ matters(where: {title: "阁子市菜市场改扩建"}) { edges { node { stage outcome nextStage
			timeline { stage date meeting { kind entitled attended votesFor } disclosure { channel } }
			contracts { edges { node { code procurement kind } } } } } } }`, nil, &out)
		if len(out.Matters.Edges) != 1 {
			t.Fatalf("%d rebuild matters", len(out.Matters.Edges))
		}
		m := out.Matters.Edges[0].Node
		if m.Stage != "RESULT_DISCLOSURE" || m.Outcome != "COMPLETED" || m.NextStage != nil {
			t.Fatalf("rebuild is %s/%s, next %v", m.Stage, m.Outcome, m.NextStage)
		}
		decisions, stages := 0, []string{}
		last := ""
		for _, e := range m.Timeline {
			if e.Date < last {
				t.Fatalf("timeline out of order: %s after %s", e.Date, last)
			}
			last = e.Date
			if e.Meeting != nil && e.Meeting.Kind != "DELIBERATION" {
				decisions++
			}
			if e.Stage != nil {
				stages = append(stages, *e.Stage)
			}
		}
		if decisions != 10 {
			t.Errorf("%d democratic decision meetings in the timeline, want 10", decisions)
		}
		if got := strings.Join(stages, ","); got != "PROPOSAL,DELIBERATION,REVIEW,RESOLUTION,RESOLUTION_DISCLOSURE,RESULT_DISCLOSURE" {
			t.Errorf("stages in the timeline: %s", got)
		}
		if m.Timeline[0].Meeting == nil || m.Timeline[0].Meeting.Kind != "DELIBERATION" || m.Timeline[0].Date != "2021-06-04" {
			t.Errorf("timeline starts with %+v, want the 清廉议事会 of 2021-06-04", m.Timeline[0])
		}
		c := m.Contracts.Edges
		if len(c) != 1 || c[0].Node.Code != "GC-2021-001" || c[0].Node.Procurement != "PUBLIC_TENDER" || c[0].Node.Kind != "CONSTRUCTION" {
			t.Errorf("rebuild contracts %+v, want the public tender GC-2021-001", c)
		}
	})
}

func TestGovernanceOverGraphQL(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		s := demoServer(t, dsn)
		vars := map[string]any{"c": s.gz}
		var q struct {
			Visit, Insurance []struct{ Age int }
			BenefitTotals    []struct {
				Kind, Amount        string
				Payments, Residents int
			}
			OpenInquiries, Overdue []struct {
				ID      string
				Overdue bool
				DueOn   string
			}
			PointsRanking []struct{ Rank, Points int }
			Long          []struct{ Code string }
			Ending        []struct{ Code string }
		}
		s.ok(`query($c: ID!) {
			visit: eligibleResidents(communityID: $c, benefit: ELDER_VISIT, asOf: "2026-10-18") { age(asOf: "2026-10-18") }
			insurance: eligibleResidents(communityID: $c, benefit: ELDER_INSURANCE, asOf: "2026-10-18") { age(asOf: "2026-10-18") }
			benefitTotals(communityID: $c, period: "2026-10") { kind amount payments residents }
			openInquiries(communityID: $c, asOf: "2026-11-25") { id overdue dueOn }
			overdue: openInquiries(communityID: $c, asOf: "2026-11-25", overdueOnly: true) { id overdue dueOn }
			pointsRanking(communityID: $c, period: "2025", first: 5) { rank points }
			long: longTermContracts(communityID: $c) { code }
			ending: contractsEndingWithin(communityID: $c, asOf: "2026-11-25", days: 90) { code }
		}`, vars, &q)
		if len(q.Visit) != 36 {
			t.Errorf("%d residents eligible for the 2026 重阳节 visit, want 36", len(q.Visit))
		}
		for _, r := range q.Insurance {
			if r.Age < 60 {
				t.Fatalf("a resident aged %d is eligible for insurance", r.Age)
			}
		}
		total := 0
		for _, b := range q.BenefitTotals {
			var yuan float64
			_ = json.Unmarshal([]byte(b.Amount), &yuan)
			total += int(yuan)
			if b.Kind == "ELDER_VISIT" && (b.Amount != "18360.00" || b.Residents != 36) {
				t.Errorf("重阳节 visits: %+v", b)
			}
		}
		if total != 36360 {
			t.Errorf("benefits of October 2026 total %d, want 36360 (集体公益福利支出)", total)
		}
		if len(q.OpenInquiries) != 2 || len(q.Overdue) != 1 || !q.Overdue[0].Overdue || q.Overdue[0].DueOn != "2026-11-15" {
			t.Errorf("open %+v, overdue %+v", q.OpenInquiries, q.Overdue)
		}
		if len(q.PointsRanking) != 5 || q.PointsRanking[0].Rank != 1 || q.PointsRanking[0].Points < q.PointsRanking[4].Points {
			t.Errorf("ranking %+v", q.PointsRanking)
		}
		if len(q.Long) != 1 || q.Long[0].Code != "FW-2019-001" {
			t.Errorf("long-term contracts %+v, want the 20-year parking contract", q.Long)
		}
		if len(q.Ending) != 40 {
			t.Errorf("%d contracts ending within 90 days, want the 40 stall leases", len(q.Ending))
		}

		var occ struct {
			Markets struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		s.ok(`{ markets(where: {name: "阁子市菜市场"}) { edges { node { id } } } }`, nil, &occ)
		var o struct {
			MarketOccupancy struct {
				Stalls, Occupied, Vacant int
				OccupancyPercent         string
				RentRoll                 string
			}
		}
		s.ok(`query($m: ID!) { marketOccupancy(marketID: $m, asOf: "2026-11-25") { stalls occupied vacant occupancyPercent rentRoll } }`,
			map[string]any{"m": json.RawMessage(occ.Markets.Edges[0].Node.ID)}, &o)
		if g := o.MarketOccupancy; g.Stalls != 48 || g.Occupied != 40 || g.Vacant != 8 || g.OccupancyPercent != "83.33" {
			t.Errorf("occupancy %+v", g)
		}

		// The refusals of recordMatterStage reach the client with their code, and change nothing.
		var created struct{ CreateMatter struct{ ID json.RawMessage } }
		s.ok(`mutation($c: ID!) { createMatter(input: {communityID: $c, title: "社区食堂扩建", category: WELFARE_PROJECT}) { id } }`, vars, &created)
		mid := created.CreateMatter.ID
		count := func() string {
			var c struct {
				Meetings, MatterDisclosures struct{ TotalCount int }
				Node                        struct{ Stage *string }
			}
			s.ok(`query($m: ID!) { meetings { totalCount } matterDisclosures { totalCount } node(id: $m) { ... on Matter { stage } } }`, map[string]any{"m": mid}, &c)
			b, _ := json.Marshal(c)
			return string(b)
		}
		const rec = `mutation($in: RecordMatterStageInput!) { recordMatterStage(input: $in) { stage outcome rejectionReason } }`
		meeting := func(entitled, attended, yes int) map[string]any {
			return map[string]any{"heldAt": "2026-11-20T09:30:00+08:00", "title": "会议", "entitled": entitled, "attended": attended, "votesFor": yes}
		}
		for _, st := range []string{"PROPOSAL", "DELIBERATION"} {
			s.ok(rec, map[string]any{"in": map[string]any{"matterID": mid, "stage": st, "meeting": meeting(11, 9, 0)}}, nil)
		}
		before := count()
		tests := []struct {
			name       string
			in         map[string]any
			code, says string
		}{
			{"stage skipped", map[string]any{"matterID": mid, "stage": "RESOLUTION", "meeting": meeting(35, 31, 20)}, "CONFLICT", "next stage expected"},
			{"stage repeated", map[string]any{"matterID": mid, "stage": "DELIBERATION", "meeting": meeting(11, 9, 0)}, "CONFLICT", "cannot be repeated"},
			{"quorum missed", map[string]any{"matterID": mid, "stage": "REVIEW", "meeting": meeting(62, 40, 39)}, "BAD_USER_INPUT", "two thirds"},
			{"votes exceeding attendance", map[string]any{"matterID": mid, "stage": "REVIEW", "meeting": meeting(62, 50, 51)}, "BAD_USER_INPUT", "more than the 50 who attended"},
			{"disclosure given for a meeting stage", map[string]any{"matterID": mid, "stage": "REVIEW", "disclosure": map[string]any{"disclosedOn": "2026-11-20", "channel": "公开栏", "text": "x"}}, "BAD_USER_INPUT", "held by a meeting"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := s.do(rec, map[string]any{"in": tt.in})
				if r.code() != tt.code || !strings.Contains(r.Errors[0].Message, tt.says) {
					t.Fatalf("got %s %+v, want %s saying %q", r.code(), r.Errors, tt.code, tt.says)
				}
			})
		}
		if after := count(); after != before {
			t.Fatalf("refused stages changed the data: %s → %s", before, after)
		}
		var failed struct {
			RecordMatterStage struct{ Stage, Outcome, RejectionReason string }
		}
		s.ok(rec, map[string]any{"in": map[string]any{"matterID": mid, "stage": "REVIEW", "meeting": meeting(62, 50, 25)}}, &failed)
		if f := failed.RecordMatterStage; f.Outcome != "REJECTED" || f.Stage != "REVIEW" || !strings.Contains(f.RejectionReason, "赞成25票") {
			t.Fatalf("failed vote: %+v", f)
		}

		var inq struct {
			OpenInquiries []struct{ ID json.RawMessage }
		}
		s.ok(`query($c: ID!) { openInquiries(communityID: $c, asOf: "2026-11-25", overdueOnly: true) { id } }`, vars, &inq)
		id := inq.OpenInquiries[0].ID
		const answer = `mutation($id: ID!, $on: Date) { answerInquiry(id: $id, answer: "名单按10月18日在册居民确定。", answeredBy: "社区居委会", answeredOn: $on) { answeredOn overdue } }`
		if r := s.do(answer, map[string]any{"id": id, "on": "2026-11-01"}); r.code() != "BAD_USER_INPUT" {
			t.Fatalf("answer before the question: %+v", r.Errors)
		}
		var ans struct{ AnswerInquiry struct{ AnsweredOn string } }
		s.ok(answer, map[string]any{"id": id}, &ans)
		if ans.AnswerInquiry.AnsweredOn != "2026-11-25" {
			t.Fatalf("answered on %s, want today", ans.AnswerInquiry.AnsweredOn)
		}
		if r := s.do(answer, map[string]any{"id": id}); r.code() != "CONFLICT" {
			t.Fatalf("second answer: %+v", r.Errors)
		}
	})
}
