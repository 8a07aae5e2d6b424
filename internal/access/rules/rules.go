// Package rules is the list of Sunlight's write rules: the ent hooks every
// write passes, whoever makes it (GraphQL, the CLI, the scheduler, the demo
// loader). Beside package policy, which says who may read and write what,
// it says what any write must satisfy, and where each rule is written.
//
// The database opener (package db) puts them on every client it hands out;
// this package registers them with it when it is linked in, as a
// database/sql driver registers itself. db.Open refuses to open a database
// without them, so no path can write past the rules by forgetting the
// import: a program imports it once, beside its main (cmd/sunlight), and
// tests have it through package dbtest.
package rules

import (
	"context"
	"log/slog"

	"sunlight/ent"
	"sunlight/internal/access/audit"
	"sunlight/internal/access/evidence"
	"sunlight/internal/governance"
	"sunlight/internal/ledger"
	"sunlight/internal/storage/db"
)

func init() {
	db.Register(db.Rules{Install: Install, AfterMigrate: afterMigrate})
}

// Install puts the write rules on client, in the order they run.
func Install(client *ent.Client) {
	// Vouchers, signatures, month close and month sums (rules 1-6 of the
	// design): internal/ledger/hooks.go.
	ledger.Install(client)
	// The audit trail and published reports are never changed:
	// internal/access/evidence.
	evidence.Install(client)
	// Meetings, matters and their 四议两公开 stages, contracts, benefits,
	// inquiries: internal/governance/hooks.go.
	governance.Install(client)
	// Every write is recorded in the audit trail (who, what, when). Last,
	// so innermost: the rules above lock the rows they check before the
	// audit reads a row's "before", and a write they refuse leaves no event.
	client.Use(audit.Hook)
}

// afterMigrate brings derived data up to date; a no-op query each when it
// is: the month sums of a database that closed months before they existed
// (package ledger), and the pinyin sort keys of community names written
// before the key existed (package governance).
func afterMigrate(ctx context.Context, client *ent.Client) error {
	n, err := ledger.CatchUpTotals(ctx, client)
	if err != nil {
		return err
	}
	if n > 0 {
		slog.InfoContext(ctx, "month sums caught up", "communities", n)
	}
	if n, err = governance.CatchUpNameSort(ctx, client); err != nil {
		return err
	}
	if n > 0 {
		slog.InfoContext(ctx, "name sort keys written", "communities", n)
	}
	return nil
}
