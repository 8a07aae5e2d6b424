// Package rowlock locks the rows a query reads until its transaction ends,
// so that a check made on them still holds when the write that depends on
// it commits (PostgreSQL runs at READ COMMITTED, where a plain read sees
// only what was committed when it ran).
//
// SQLite has no row locks and needs none: package db begins every SQLite
// transaction IMMEDIATE, so write transactions run one at a time and a
// check inside one cannot be overtaken. There the modifiers do nothing.
//
// Use them as query modifiers inside a transaction (outside one the lock
// ends with the statement):
//
//	q := client.Voucher.Query().Where(voucher.ID(id))
//	q.Modify(rowlock.Update)
//	v, err := q.Only(ctx)
package rowlock

import (
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
)

// Update takes the rows for a change that others must wait for (SELECT …
// FOR UPDATE): whoever locks second reads them again after the first
// commits, and sees its change.
func Update(s *sql.Selector) { lock(s, sql.LockUpdate) }

// NoKeyUpdate is Update that still lets other transactions insert rows
// referring to the locked ones (their foreign keys take KEY SHARE): for a
// parent row such as a community, whose children keep being written.
func NoKeyUpdate(s *sql.Selector) { lock(s, sql.LockNoKeyUpdate) }

// Share holds the rows as read until the transaction ends (FOR SHARE):
// several readers may hold them at once, but Update and NoKeyUpdate wait
// for all of them, and they for it.
func Share(s *sql.Selector) { lock(s, sql.LockShare) }

func lock(s *sql.Selector, strength sql.LockStrength) {
	if s.Dialect() == dialect.SQLite {
		return
	}
	s.For(strength)
}
