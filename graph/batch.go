package graph

import (
	"context"
	"errors"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"sunlight/internal/governance"
	"sunlight/internal/ledger"
	"sunlight/internal/vocab/calendar"
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
//     first stall (governance.WithReadCache): one statement per market in a
//     list of stalls instead of one per stall.
//   - Matter.timeline in a list reads the histories of the community's
//     matters at the first matter (the same cache): two statements
//     per community instead of two per matter.
func batchOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Query {
		return next(ctx)
	}
	ctx = governance.WithReadCache(ctx)
	spans := map[int]ledger.Span{}
	fields := map[int]int{}
	for _, f := range graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Query"}) {
		id, span, ok := aggregateSpan(f, oc.Variables)
		if !ok {
			continue
		}
		if s, seen := spans[id]; seen {
			span = span.Union(s)
		}
		spans[id] = span
		fields[id]++
	}
	for id, n := range fields {
		// One aggregate alone reads no more than it needs.
		if n < 2 || spans[id].Months() > ledger.MaxMonths {
			delete(spans, id)
		}
	}
	if len(spans) > 0 {
		ctx = ledger.WithBatch(ctx, spans)
	}
	return next(ctx)
}

// aggregateSpan returns the community and the months a ledger aggregate
// root field covers, by the ledger's own rules (ledger.PeriodSpan…).
// Arguments that do not parse leave the field out of the plan.
func aggregateSpan(f graphql.CollectedField, vars map[string]any) (int, ledger.Span, bool) {
	args := f.ArgumentMap(vars)
	var bad error
	period := func(name string) calendar.Period {
		s, _ := args[name].(string)
		p, err := calendar.ParsePeriod(s)
		bad = errors.Join(bad, err)
		return p
	}
	var span ledger.Span
	var err error
	switch f.Name {
	case "ledgerTotals":
		span = ledger.PeriodSpan(period("period"))
	case "ledgerYearToDate":
		span, err = ledger.YearToDateSpan(period("month"))
	case "monthlyTotals":
		span, err = ledger.MonthsSpan(period("from"), period("to"))
	default:
		return 0, ledger.Span{}, false
	}
	id, idErr := graphql.UnmarshalIntID(args["communityID"])
	return id, span, errors.Join(bad, err, idErr) == nil
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
