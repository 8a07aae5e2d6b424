package graph

import (
	"sunlight/graph/model"
	"sunlight/internal/ledger"
)

// The schema's aggregate types are the domain's own (gqlgen.yml binds
// them); a list resolver only hands gqlgen pointers to the domain's values.

// pointers is a pointer to each element of xs, which it does not copy.
func pointers[T any](xs []T) []*T {
	out := make([]*T, len(xs))
	for i := range xs {
		out[i] = &xs[i]
	}
	return out
}

// firstOf is the first n of xs (default 50), as pointsRanking's first
// argument asks.
func firstOf[T any](xs []T, first *int) []T {
	n := 50
	if first != nil {
		n = max(*first, 0)
	}
	return xs[:min(n, len(xs))]
}

// opening is the ledger's opening balance of a setOpeningBalance input: an
// amount left out is 0.00.
func opening(in model.SetOpeningBalanceInput) ledger.Opening {
	return ledger.Opening{Balance: in.Balance, IncomeBefore: deref(in.IncomeBefore), ExpenseBefore: deref(in.ExpenseBefore)}
}
