// Package audit keeps the audit trail (rule 9 of the design): every write
// to any record, through any path, leaves an AuditEvent with who made it,
// when, and the record's fields before and after, in the same transaction
// as the write itself.
package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"entgo.io/ent/privacy"

	"sunlight/ent"
	"sunlight/ent/auditevent"
	"sunlight/internal/vocab/mask"
)

type actorKey struct{}
type skipKey struct{}

// WithActor names who is writing, for the trail.
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// Actor returns who is writing ("system" when nobody was named).
func Actor(ctx context.Context) string {
	if a, ok := ctx.Value(actorKey{}).(string); ok && a != "" {
		return a
	}
	return "system"
}

// WithoutTrail marks a bulk import (the demo and benchmark data loader) whose
// rows are generated, not written by anyone: it records one event for the
// import instead of one per row. Nothing reachable from the API sets it.
func WithoutTrail(ctx context.Context) context.Context {
	return context.WithValue(ctx, skipKey{}, true)
}

// tables maps ent types to their tables, for reading rows before a write.
// untracked are the tables that have no trail on purpose: the API tokens
// (managed by the CLI, never the books), the trail itself and the month
// sums (derived when a month closes; the close is in the trail as the
// community's closed_through) and the data version (a counter every write
// raises, written below ent: package dataversion). A test holds the two lists to the schema, so
// a new entity cannot go without a trail unnoticed (rule 9).
var (
	tables = map[string]string{
		"Asset": "assets", "AssetValuation": "asset_valuations", "Benefit": "benefits",
		"Community": "communities", "Contract": "contracts", "Inquiry": "inquiries",
		"JobRun": "job_runs", "Market": "markets", "Matter": "matters",
		"MatterDisclosure": "matter_disclosures", "Meeting": "meetings", "OpeningBalance": "opening_balances", "PointEvent": "point_events",
		"Report": "reports", "Resident": "residents", "ResidentGroup": "resident_groups",
		"Signature": "signatures", "Stall": "stalls", "Voucher": "vouchers",
		"Signer": "signers", "Enrolment": "enrolments",
	}
	untracked = []string{"access_tokens", "audit_events", "data_versions", "month_sums"}
)

// personal columns are masked in the trail as everywhere else.
var personal = map[string]func(string) string{"id_number": mask.IDNumber, "phone": mask.Phone}

type mutation interface {
	ent.Mutation
	Client() *ent.Client
	ID() (int, bool)
	IDs(context.Context) ([]int, error)
}

// Hook records the trail of every mutation but the trail's own.
func Hook(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		table, ok := tables[m.Type()]
		if !ok || ctx.Value(skipKey{}) != nil {
			return next.Mutate(ctx, m)
		}
		mm, ok := m.(mutation)
		if !ok {
			return next.Mutate(ctx, m)
		}
		client := mm.Client()
		var ids []int
		var before map[int]map[string]any
		if !m.Op().Is(ent.OpCreate) {
			var err error
			if ids, err = mm.IDs(ctx); err != nil {
				return nil, fmt.Errorf("audit %s: find records: %w", m.Type(), err)
			}
			if before, err = rows(ctx, client, table, ids); err != nil {
				return nil, fmt.Errorf("audit %s: read records before: %w", m.Type(), err)
			}
		}
		v, err := next.Mutate(ctx, m)
		if err != nil {
			return v, err
		}
		var after map[int]map[string]any
		switch {
		case m.Op().Is(ent.OpCreate):
			id, ok := mm.ID() // set by the create that just ran
			if !ok {
				return v, nil
			}
			ids = []int{id}
			if after, err = rows(ctx, client, table, ids); err != nil {
				return nil, fmt.Errorf("audit %s: read created record: %w", m.Type(), err)
			}
		case m.Op().Is(ent.OpUpdate | ent.OpUpdateOne):
			if after, err = rows(ctx, client, table, ids); err != nil {
				return nil, fmt.Errorf("audit %s: read records after: %w", m.Type(), err)
			}
		}
		action := auditevent.ActionUPDATE
		switch {
		case m.Op().Is(ent.OpCreate):
			action = auditevent.ActionCREATE
		case m.Op().Is(ent.OpDelete | ent.OpDeleteOne):
			action = auditevent.ActionDELETE
		}
		now := time.Now().UTC()
		builders := make([]*ent.AuditEventCreate, 0, len(ids))
		for _, id := range ids {
			b, a := before[id], after[id]
			c := client.AuditEvent.Create().SetAt(now).SetActor(Actor(ctx)).SetAction(action).
				SetEntity(m.Type()).SetEntityID(id).SetBefore(encode(b)).SetAfter(encode(a))
			if cid := communityOf(m.Type(), id, a, b); cid != 0 {
				c.SetCommunityID(cid)
			}
			builders = append(builders, c)
		}
		// The trail is written by the platform, whoever made the change: a
		// caller who may not write audit events still leaves one.
		if err := client.AuditEvent.CreateBulk(builders...).Exec(privacy.DecisionContext(ctx, privacy.Allow)); err != nil {
			return nil, fmt.Errorf("audit %s: write trail: %w", m.Type(), err)
		}
		return v, nil
	})
}

func communityOf(typ string, id int, rows ...map[string]any) int {
	if typ == "Community" {
		return id
	}
	for _, r := range rows {
		if r == nil {
			continue
		}
		switch c := r["community_id"].(type) {
		case int64:
			return int(c)
		}
	}
	return 0
}

func encode(row map[string]any) string {
	if row == nil {
		return ""
	}
	b, err := json.Marshal(row)
	if err != nil {
		return ""
	}
	return string(b)
}

// rows reads whole records by id with one statement.
func rows(ctx context.Context, client *ent.Client, table string, ids []int) (map[int]map[string]any, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	ph := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		ph[i] = fmt.Sprintf("$%d", i+1)
		args[i] = id
	}
	// Both SQLite and PostgreSQL accept $n placeholders.
	q := fmt.Sprintf("SELECT * FROM %s WHERE id IN (%s)", table, strings.Join(ph, ", "))
	rs, err := client.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	return scan(rs)
}

func scan(rs *sql.Rows) (map[int]map[string]any, error) {
	cols, err := rs.Columns()
	if err != nil {
		return nil, err
	}
	out := map[int]map[string]any{}
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make(map[string]any, len(cols))
		for i, c := range cols {
			v := vals[i]
			switch x := v.(type) {
			case []byte:
				v = string(x)
			case time.Time:
				v = x.UTC().Format(time.RFC3339Nano)
			case int32:
				v = int64(x)
			}
			if m, ok := personal[c]; ok {
				if s, ok := v.(string); ok {
					v = m(s)
				}
			}
			row[c] = v
		}
		id, ok := row["id"].(int64)
		if !ok {
			continue
		}
		out[int(id)] = row
	}
	return out, rs.Err()
}
