package graph_test

import (
	"encoding/json"
	"testing"

	"sunlight/ent/auditevent"
	"sunlight/ent/openingbalance"
	"sunlight/ent/report"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
)

const setOpening = `mutation($c: ID!, $b: Money!) {
  setOpeningBalance(input: {communityID: $c, balance: $b, incomeBefore: "35000.00"}) { period balance incomeBefore expenseBefore }
}`

// Ten identical setOpeningBalance requests at once make one record and one
// audit event, and each is answered with it: the community's row is locked
// first, and the same values again write nothing.
func TestConcurrentSetOpeningBalance(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		w := newOnceWorld(t, dsn)
		w.d.Client.Community.UpdateOneID(w.com.ID).SetEstablishedOn(calendar.Date(2026, 9, 1)).ExecX(w.ctx)
		w.gate("communities", w.com.ID)
		rs := gqlAtOnce(t, w.h, concurrent, w.admin, setOpening, map[string]any{"c": gid(w.com.ID), "b": "120000.00"})
		o := tally(rs)
		records := w.d.Client.OpeningBalance.Query().Where(openingbalance.CommunityID(w.com.ID)).CountX(w.ctx)
		created := w.trail("OpeningBalance", 0, auditevent.ActionCREATE)
		updated := w.trail("OpeningBalance", 0, auditevent.ActionUPDATE)
		t.Logf("setOpeningBalance ×%d: %d succeeded, %d records, %d+%d audit events; failures %v", concurrent, o.ok, records, created, updated, o.failures)
		if o.ok != concurrent || records != 1 || created != 1 || updated != 0 {
			t.Errorf("want %d successes, 1 record and 1 audit event (a create)", concurrent)
		}
		for i, r := range rs {
			var got struct {
				SetOpeningBalance struct{ Period, Balance, IncomeBefore, ExpenseBefore string }
			}
			if err := json.Unmarshal(r.Data, &got); err != nil {
				t.Fatal(err)
			}
			if b := got.SetOpeningBalance; b.Period != "2026-09" || b.Balance != "120000.00" || b.IncomeBefore != "35000.00" || b.ExpenseBefore != "0.00" {
				t.Errorf("response %d: %+v", i, b)
			}
		}
	})
}

func TestSetOpeningBalanceRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		w := newOnceWorld(t, dsn)
		one := func(balance string) response {
			return gqlAtOnce(t, w.h, 1, w.admin, setOpening, map[string]any{"c": gid(w.com.ID), "b": balance})[0]
		}
		if r := one("1.00"); r.code() != "BAD_USER_INPUT" {
			t.Errorf("without establishedOn: %s %v, want BAD_USER_INPUT", r.code(), r.Errors)
		}
		w.d.Client.Community.UpdateOneID(w.com.ID).SetEstablishedOn(calendar.Date(2026, 9, 15)).ExecX(w.ctx)
		if r := one("-1.00"); r.code() != "BAD_USER_INPUT" {
			t.Errorf("negative: %s %v, want BAD_USER_INPUT", r.code(), r.Errors)
		}
		if r := one("5000.00"); len(r.Errors) > 0 {
			t.Fatalf("set: %v", r.Errors)
		}
		if r := one("6000.00"); len(r.Errors) > 0 {
			t.Fatalf("correct before the first disclosure: %v", r.Errors)
		}
		w.d.Client.Report.Create().SetCommunityID(w.com.ID).SetKind(report.KindMONTHLY_DISCLOSURE).SetPeriod("2026-09").
			SetStatus(report.StatusPUBLISHED).SetGeneratedAt(w.now).SetPublishedAt(w.now).ExecX(w.ctx)
		if r := one("7000.00"); r.code() != "CONFLICT" {
			t.Errorf("after the first disclosure: %s %v, want CONFLICT", r.code(), r.Errors)
		}
		r := gqlAtOnce(t, w.h, 1, w.admin, `query($c: ID!) { node(id: $c) { ... on Community { openingBalance { period balance } } } }`,
			map[string]any{"c": gid(w.com.ID)})[0]
		var got struct {
			Node struct {
				OpeningBalance struct{ Period, Balance string }
			}
		}
		if err := json.Unmarshal(r.Data, &got); err != nil || got.Node.OpeningBalance.Balance != "6000.00" || got.Node.OpeningBalance.Period != "2026-09" {
			t.Errorf("Community.openingBalance = %+v (%v, %v)", got.Node.OpeningBalance, err, r.Errors)
		}
	})
}
