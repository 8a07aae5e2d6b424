package graph_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"

	"sunlight/internal/demo/demotest"
	"sunlight/internal/governance"
	"sunlight/internal/vocab/calendar"
)

// TestLedgerAggregatesBatch: several ledger aggregates of one community in
// a query read its months in one statement (ledger.Batch), and answer
// exactly what each answers asked alone.
func TestLedgerAggregatesBatch(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		s := demoServer(t, dsn)
		s.h = s.edge // no token: only the query's statements count
		c := strconv.Itoa(s.gz)
		fields := map[string]string{
			"ytd":     `ledgerYearToDate(communityID: $c, month: "2026-10") { income expense categories { direction category amount vouchers } }`,
			"oct":     `ledgerTotals(communityID: $c, period: "2026-10") { income expense net categories { category amount vouchers } }`,
			"sep":     `ledgerTotals(communityID: $c, period: "2026-09") { income expense categories { category amount } }`,
			"year":    `ledgerTotals(communityID: $c, period: "2025") { income expense categories { category amount vouchers } }`,
			"monthly": `monthlyTotals(communityID: $c, from: "2025-11", to: "2026-10") { period income expense net }`,
		}
		alone := map[string]json.RawMessage{}
		for name, f := range fields {
			before := s.count.Statements()
			var out map[string]json.RawMessage
			s.ok(`query($c: ID!) { `+name+`: `+f+` }`, map[string]any{"c": c}, &out)
			if n := s.count.Statements() - before; n != 1 {
				t.Fatalf("%s alone took %d statements, want 1", name, n)
			}
			alone[name] = out[name]
		}
		for _, combo := range [][]string{
			{"ytd", "monthly"},
			{"oct", "sep", "ytd"},
			{"year", "monthly", "oct"}, // 2025-01 to 2026-10 at once
			{"ytd", "oct", "sep", "year", "monthly"},
		} {
			q := `query($c: ID!) {`
			for _, name := range combo {
				q += " " + name + ": " + fields[name]
			}
			q += " }"
			before := s.count.Statements()
			var out map[string]json.RawMessage
			s.ok(q, map[string]any{"c": c}, &out)
			if n := s.count.Statements() - before; n != 1 {
				t.Errorf("%v took %d statements, want 1", combo, n)
			}
			for _, name := range combo {
				if string(out[name]) != string(alone[name]) {
					t.Errorf("%v: %s = %s, alone %s", combo, name, out[name], alone[name])
				}
			}
		}
		// Two communities: each reads its own months.
		other, err := s.d.Client.Community.Create().SetName("另一社区").SetCode("other").Save(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		// A community new to the server is read once (graph/scope.go).
		s.ok(`query($d: ID!) { ledgerTotals(communityID: $d, period: "2026-10") { income } }`, map[string]any{"d": strconv.Itoa(other.ID)}, nil)
		before := s.count.Statements()
		s.ok(`query($c: ID!, $d: ID!) { a: ledgerYearToDate(communityID: $c, month: "2026-10") { income }
			b: ledgerYearToDate(communityID: $d, month: "2026-10") { income } }`,
			map[string]any{"c": c, "d": strconv.Itoa(other.ID)}, nil)
		if n := s.count.Statements() - before; n != 2 {
			t.Errorf("two communities took %d statements, want 2", n)
		}
	})
}

// TestCurrentLeasesOneStatementPerMarket: a list of stalls with their
// leases reads the leases once per market, whatever the number of stalls,
// and each stall gets the lease it gets asked alone.
func TestCurrentLeasesOneStatementPerMarket(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		s := demoServer(t, dsn)
		const q = `query($n: Int!) { stalls(first: $n) { edges { node { id number currentLease(asOf: "2026-10-31") { id } } } } }`
		type page struct {
			Stalls struct {
				Edges []struct {
					Node struct {
						ID           string
						CurrentLease *struct{ ID string }
					}
				}
			}
		}
		counts := map[int]int64{}
		var all page
		for _, n := range []int{1, 10, 40} {
			before := s.count.Statements()
			s.ok(q, map[string]any{"n": n}, &all)
			counts[n] = s.count.Statements() - before
		}
		if counts[1] != counts[10] || counts[10] != counts[40] {
			t.Fatalf("statements grow with the stalls: %v (N+1)", counts)
		}
		leased := 0
		on := calendar.Date(2026, 10, 31)
		for _, e := range all.Stalls.Edges {
			id, err := strconv.Atoi(e.Node.ID)
			if err != nil {
				t.Fatal(err)
			}
			st := s.d.Client.Stall.GetX(context.Background(), id)
			alone, err := governance.CurrentLease(context.Background(), s.d.Client, st, on)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case alone == nil && e.Node.CurrentLease != nil, alone != nil && e.Node.CurrentLease == nil:
				t.Fatalf("stall %s: lease %v in the list, %v alone", e.Node.ID, e.Node.CurrentLease, alone)
			case alone != nil && e.Node.CurrentLease.ID != strconv.Itoa(alone.ID):
				t.Fatalf("stall %s: lease %s in the list, %d alone", e.Node.ID, e.Node.CurrentLease.ID, alone.ID)
			case alone != nil:
				leased++
			}
		}
		if len(all.Stalls.Edges) < 10 || leased == 0 {
			t.Fatalf("%d stalls, %d leased: too few to test anything", len(all.Stalls.Edges), leased)
		}
	})
}

// TestMatterTimelinesInAList: a list of matters with their timelines reads
// the histories once per community, whatever the number of matters, and
// every timeline is the one the matter shows alone.
func TestMatterTimelinesInAList(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		s := demoServer(t, dsn)
		const entry = `stage date meeting { id heldAt } disclosure { id disclosedOn }`
		const list = `query($n: Int!) { matters(first: $n) { edges { node { id timeline { ` + entry + ` } } } } }`
		var all struct {
			Matters struct {
				Edges []struct {
					Node struct {
						ID       string
						Timeline json.RawMessage
					}
				}
			}
		}
		counts := map[int]int64{}
		for _, n := range []int{1, 3, 50} {
			before := s.count.Statements()
			s.ok(list, map[string]any{"n": n}, &all)
			counts[n] = s.count.Statements() - before
		}
		if counts[1] != counts[3] || counts[3] != counts[50] {
			t.Fatalf("statements grow with the matters: %v (N+1)", counts)
		}
		steps := 0
		for _, e := range all.Matters.Edges {
			var alone struct {
				Node struct{ Timeline json.RawMessage }
			}
			s.ok(`query($id: ID!) { node(id: $id) { ... on Matter { timeline { `+entry+` } } } }`, map[string]any{"id": e.Node.ID}, &alone)
			if string(alone.Node.Timeline) != string(e.Node.Timeline) {
				t.Fatalf("matter %s: timeline in the list\n%s\nalone\n%s", e.Node.ID, e.Node.Timeline, alone.Node.Timeline)
			}
			var entries []any
			if err := json.Unmarshal(e.Node.Timeline, &entries); err != nil {
				t.Fatal(err)
			}
			steps += len(entries)
		}
		if len(all.Matters.Edges) < 2 || steps < 13 {
			t.Fatalf("%d matters with %d timeline entries: too few to test anything", len(all.Matters.Edges), steps)
		}
	})
}
