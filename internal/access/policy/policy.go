// Package policy is who may see and change what (rule 7 and the roles of
// the design), written once as ent privacy policies so that every path to
// a record — connections, node(id:), nested edges, aggregates, reports,
// downloads, subscriptions — meets the same rules. The viewer comes from
// package auth; a context without one is the platform itself (CLI,
// scheduler) and is not confined.
package policy

import (
	"context"
	"slices"
	"sync"

	"entgo.io/ent"
	"entgo.io/ent/entql"

	"sunlight/ent/privacy"
	"sunlight/internal/access/auth"
)

// Everything lets the public see every row of an entity.
var Everything = entql.Not(entql.FieldNil("id"))

// Owned is the policy of an entity that belongs to a community (its
// community_id column). Confined viewers (staff, supervisors, officials)
// see only their communities' rows; the public sees the rows matching
// public (nil: none, the entity holds personal or internal data); writers
// lists who besides admins may write, and they write only in their own
// community.
func Owned(typ string, public entql.P, writers ...auth.Role) ent.Policy {
	return policyOf(typ, "community_id", public, writers)
}

// CommunityPolicy is the policy of the communities themselves: confined
// viewers see their own; only admins change them (thresholds and minimum
// signatures are rules, not data entry).
func CommunityPolicy() ent.Policy {
	return policyOf("Community", "id", Everything, nil)
}

// PlatformOnly is for records no caller reads or writes (API tokens): only
// admins and the platform itself.
func PlatformOnly() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{privacy.QueryRuleFunc(func(ctx context.Context, q ent.Query) error {
			if v, ok := auth.FromContext(ctx); ok && v.Role != auth.Admin {
				return privacy.Denyf("%s may not read this record", v.Role)
			}
			return privacy.Allow
		})},
		Mutation: privacy.MutationPolicy{privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
			if v, ok := auth.FromContext(ctx); ok && v.Role != auth.Admin {
				return privacy.Denyf("only the platform writes %s records", m.Type())
			}
			return privacy.Allow
		})},
	}
}

// supervisorReads are what a supervisor needs to sign: nothing else.
var supervisorReads = []string{"Community", "Voucher", "Signature", "Signer"}

// personal tells, for each entity with a policy of policyOf, whether the
// public may read none of it (its public rows are nil). The policies fill it
// as ent builds them, so MayRead and the privacy rules read one table.
var personal sync.Map // entity type name → bool

// MayRead is the refusal a viewer gets for every record of an entity type,
// or nil when it may read some (possibly filtered) or typ has no such
// policy. The GraphQL layer asks it before loading a field of that type, so
// a refused nested field fails alone, at its own path (graph/refused.go);
// the privacy rules give the same answer for every other path.
func MayRead(ctx context.Context, typ string) error {
	v, ok := auth.FromContext(ctx)
	if !ok || v.Role == auth.Admin {
		return nil
	}
	p, known := personal.Load(typ)
	if !known {
		return nil
	}
	return refusal(v, typ, p.(bool))
}

// Refuses tells whether the viewer of ctx is refused any entity type at
// all: only then is a query worth searching for fields to refuse.
func Refuses(ctx context.Context) bool {
	v, ok := auth.FromContext(ctx)
	return ok && (v.Role == auth.Supervisor || (!v.Confined() && v.Role != auth.Admin))
}

func refusal(v *auth.Viewer, typ string, personal bool) error {
	switch {
	case v.Role == auth.Supervisor && !slices.Contains(supervisorReads, typ):
		return privacy.Denyf("a SUPERVISOR signs vouchers and may not read %s records", typ)
	case v.Confined():
		return nil
	case personal:
		return privacy.Denyf("%s records hold personal or internal data; a token of the community's staff may read them", typ)
	}
	return nil
}

func policyOf(typ, column string, public entql.P, writers []auth.Role) ent.Policy {
	personal.Store(typ, public == nil)
	read := privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v, ok := auth.FromContext(ctx)
		if !ok || v.Role == auth.Admin {
			return privacy.Allow
		}
		if err := refusal(v, typ, public == nil); err != nil {
			return err
		}
		switch {
		case v.Confined():
			f.Where(in(column, v.Communities))
			return privacy.Allow
		case public == Everything:
			return privacy.Allow // no filter: it would only add "NOT id IS NULL" to the SQL
		default:
			f.Where(public)
			return privacy.Allow
		}
	})
	confine := privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v, _ := auth.FromContext(ctx)
		f.Where(in(column, v.Communities))
		return privacy.Allow
	})
	write := privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		v, ok := auth.FromContext(ctx)
		if !ok || v.Role == auth.Admin {
			return privacy.Allow
		}
		if !slices.Contains(writers, v.Role) {
			return privacy.Denyf("%s may not change %s records", v.Role, typ)
		}
		if v.Role == auth.Supervisor && typ == "Voucher" {
			// Signing moves a draft into signing; nothing else.
			for _, f := range m.Fields() {
				if f != "status" {
					return privacy.Denyf("a SUPERVISOR may only sign vouchers")
				}
			}
		}
		if m.Op().Is(ent.OpCreate) {
			id, _ := m.Field(column)
			cid, ok := id.(int)
			if !ok || !slices.Contains(v.Communities, cid) {
				return privacy.Denyf("%s may only write records of its own community", v.Role)
			}
			return privacy.Allow
		}
		return confine.EvalMutation(ctx, m)
	})
	return privacy.Policy{
		Query:    privacy.QueryPolicy{read},
		Mutation: privacy.MutationPolicy{write},
	}
}

// in matches rows of the communities ids (none when ids is empty).
func in(column string, ids []int) entql.P {
	vs := make([]any, len(ids))
	for i, id := range ids {
		vs[i] = id
	}
	if len(vs) == 0 {
		return entql.FieldNil("id")
	}
	return entql.FieldIn(column, vs...)
}
