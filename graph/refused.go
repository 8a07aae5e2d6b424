package graph

import (
	"context"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"sunlight/internal/access/policy"
)

// refuseUnreadable makes a field the viewer may not read fail alone, at its
// own path, with the rest of the answer kept: a PUBLIC caller's
// `communities { edges { node { name residents { totalCount } } } }` gets
// the names and a FORBIDDEN error at …residents, which is null.
//
// entgql loads nested connections eagerly, with the field that holds them
// (one statement per level): left alone, the privacy rule refusing the
// residents would fail the communities query, and the error would land on
// `communities`. So before a field resolves, the fields below it of a type
// the viewer may not read are taken out of the selection the resolver
// collects (not out of the response: the executor still reaches them), and
// when the executor reaches such a field it is refused here, before its
// resolver asks the database. The refusal is policy.MayRead, the same
// answer the privacy rules give; the schema makes those fields nullable
// (ent/entc.go), so null stops there.
func refuseUnreadable(ctx context.Context, next graphql.Resolver) (any, error) {
	if !policy.Refuses(ctx) {
		return next(ctx)
	}
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil || fc.Field.Definition == nil {
		return next(ctx)
	}
	// A mutation's refusal is its write rule's, which says why; a
	// subscription's is its resolver's, when it starts.
	if fc.Object != "Mutation" && fc.Object != "Subscription" {
		if err := policy.MayRead(ctx, entityOf(fc.Field.Definition.Type)); err != nil {
			return nil, err
		}
	}
	if len(fc.Field.Selections) == 0 {
		return next(ctx)
	}
	pruned, changed := prunedSelections(ctx, fc.Field.Selections)
	if !changed {
		return next(ctx)
	}
	// The resolver collects from the field context of ctx: give it one
	// with the pruned selection, at the same place in the tree.
	c := *fc
	c.Field.Selections = pruned
	ctx = graphql.WithFieldContext(ctx, &c)
	c.Parent = fc.Parent
	return next(ctx)
}

type prunedKey struct{}

// prunedByOperation gives an operation of a viewer refused some types a
// cache of the pruned selections. It is more than speed: gqlgen caches
// collected fields by the address of a selection set, so a pruned set must
// live as long as the operation, or a later one allocated at its address
// could be taken for it.
func prunedByOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if policy.Refuses(ctx) {
		ctx = context.WithValue(ctx, prunedKey{}, &prunedCache{sets: map[selectionKey]prunedSet{}})
	}
	return next(ctx)
}

type prunedCache struct {
	mu   sync.Mutex
	sets map[selectionKey]prunedSet
}

type selectionKey struct {
	first *ast.Selection
	n     int
}

type prunedSet struct {
	set     ast.SelectionSet
	changed bool
}

func prunedSelections(ctx context.Context, set ast.SelectionSet) (ast.SelectionSet, bool) {
	cache, _ := ctx.Value(prunedKey{}).(*prunedCache)
	if cache == nil {
		// Not through NewHandler (no operation middleware): nothing to
		// keep the pruned set alive, so leave the selection whole.
		return set, false
	}
	key := selectionKey{&set[0], len(set)}
	cache.mu.Lock()
	defer cache.mu.Unlock()
	if p, ok := cache.sets[key]; ok {
		return p.set, p.changed
	}
	pruned, changed := readable(ctx, graphql.GetOperationContext(ctx), set)
	cache.sets[key] = prunedSet{pruned, changed}
	return pruned, changed
}

// entityOf is the entity a field of type t reads: Resident for Resident,
// [Resident!]!, ResidentConnection or ResidentEdge.
func entityOf(t *ast.Type) string {
	for t.Elem != nil {
		t = t.Elem
	}
	name := strings.TrimSuffix(t.NamedType, "Connection")
	return strings.TrimSuffix(name, "Edge")
}

// readable is set without the fields of types the viewer may not read, at
// any depth (fragment spreads become inline fragments, so the pruned copy
// is what is collected); set itself when nothing is taken out.
func readable(ctx context.Context, oc *graphql.OperationContext, set ast.SelectionSet) (ast.SelectionSet, bool) {
	var out ast.SelectionSet
	for i, s := range set {
		var keep ast.Selection = s
		switch s := s.(type) {
		case *ast.Field:
			if s.Definition != nil && policy.MayRead(ctx, entityOf(s.Definition.Type)) != nil {
				keep = nil
			} else if sub, changed := readable(ctx, oc, s.SelectionSet); changed {
				f := *s
				f.SelectionSet = sub
				keep = &f
			}
		case *ast.InlineFragment:
			if sub, changed := readable(ctx, oc, s.SelectionSet); changed {
				f := *s
				f.SelectionSet = sub
				keep = &f
			}
		case *ast.FragmentSpread:
			def := s.Definition
			if def == nil && oc != nil && oc.Doc != nil {
				def = oc.Doc.Fragments.ForName(s.Name)
			}
			if def == nil {
				break
			}
			if sub, changed := readable(ctx, oc, def.SelectionSet); changed {
				keep = &ast.InlineFragment{
					TypeCondition:    def.TypeCondition,
					Directives:       s.Directives,
					SelectionSet:     sub,
					ObjectDefinition: s.ObjectDefinition,
					Position:         s.Position,
				}
			}
		}
		if keep == s && out == nil {
			continue
		}
		if out == nil {
			out = make(ast.SelectionSet, i, len(set))
			copy(out, set[:i])
		}
		if keep != nil {
			out = append(out, keep)
		}
	}
	if out == nil {
		return set, false
	}
	return out, true
}
