package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"sunlight/calendar"
	"sunlight/governance"
	"sunlight/ledger"
)

// batchOperation shares reads between the fields of one query, where
// gqlgen would resolve each on its own:
//
//   - a query whose root fields ask several ledger aggregates of one
//     community (ledgerTotals, ledgerYearToDate, monthlyTotals) gets a
//     ledger.Batch, so that they read the community's months in one
//     statement instead of one each. Fields whose arguments do not parse are
//     left out of the plan; their resolvers report the error as usual.
//   - Stall.currentLease reads the leases of the stall's whole market at the
//     first stall (governance.WithLeases): one statement per market in a
//     list of stalls instead of one per stall.
//   - Matter.timeline in a list reads the histories of the community's
//     matters at the first matter (governance.WithTimelines): two statements
//     per community instead of two per matter.
func batchOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Query {
		return next(ctx)
	}
	ctx = governance.WithTimelines(governance.WithLeases(ctx))
	spans := map[int]ledger.Span{}
	fields := map[int]int{}
	for _, f := range graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Query"}) {
		id, span, ok := aggregateSpan(f, oc.Variables)
		if !ok {
			continue
		}
		if s, seen := spans[id]; seen {
			if s.From.Before(span.From) {
				span.From = s.From
			}
			if span.To.Before(s.To) {
				span.To = s.To
			}
		}
		spans[id] = span
		fields[id]++
	}
	for id, n := range fields {
		// One aggregate alone reads no more than it needs.
		if n < 2 || monthsIn(spans[id]) > ledger.MaxMonths {
			delete(spans, id)
		}
	}
	if len(spans) > 0 {
		ctx = ledger.WithBatch(ctx, spans)
	}
	return next(ctx)
}

// aggregateSpan returns the community and the months a ledger aggregate
// root field covers.
func aggregateSpan(f graphql.CollectedField, vars map[string]any) (int, ledger.Span, bool) {
	var names []string
	switch f.Name {
	case "ledgerTotals":
		names = []string{"period"}
	case "ledgerYearToDate":
		names = []string{"month"}
	case "monthlyTotals":
		names = []string{"from", "to"}
	default:
		return 0, ledger.Span{}, false
	}
	args := f.ArgumentMap(vars)
	id, err := graphql.UnmarshalIntID(args["communityID"])
	if err != nil {
		return 0, ledger.Span{}, false
	}
	var ps []calendar.Period
	for _, n := range names {
		s, ok := args[n].(string)
		if !ok {
			return 0, ledger.Span{}, false
		}
		p, err := calendar.ParsePeriod(s)
		if err != nil {
			return 0, ledger.Span{}, false
		}
		ps = append(ps, p)
	}
	switch f.Name {
	case "ledgerTotals":
		if ps[0].IsMonth() {
			return id, ledger.Span{From: ps[0], To: ps[0]}, true
		}
		return id, ledger.Span{From: calendar.Month(ps[0].Year, 1), To: calendar.Month(ps[0].Year, 12)}, true
	case "ledgerYearToDate":
		if !ps[0].IsMonth() {
			return 0, ledger.Span{}, false
		}
		return id, ledger.Span{From: calendar.Month(ps[0].Year, 1), To: ps[0]}, true
	default:
		if !ps[0].IsMonth() || !ps[1].IsMonth() || ps[1].Before(ps[0]) {
			return 0, ledger.Span{}, false
		}
		return id, ledger.Span{From: ps[0], To: ps[1]}, true
	}
}

// monthsIn counts the months of s.
func monthsIn(s ledger.Span) int {
	return (s.To.Year-s.From.Year)*12 + int(s.To.Month) - int(s.From.Month) + 1
}

// inList reports whether the field being resolved belongs to an element of
// a list (a connection's edges, say) rather than to a single object.
func inList(ctx context.Context) bool {
	for fc := graphql.GetFieldContext(ctx); fc != nil; fc = fc.Parent {
		if fc.Index != nil {
			return true
		}
	}
	return false
}
