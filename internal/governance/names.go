package governance

import (
	"context"
	"fmt"

	"sunlight/ent"
	"sunlight/ent/community"
	"sunlight/ent/hook"
	"sunlight/ent/privacy"
	"sunlight/internal/vocab/pinyin"
)

// nameSortRule keeps a community's name_sort the pinyin key of its name
// (package pinyin), on every write that sets the name, so the NAME order
// of the API is pinyin order. Callers never set it: it is not in the
// GraphQL inputs, and whatever is set is overwritten here.
func nameSortRule(next ent.Mutator) ent.Mutator {
	return hook.CommunityFunc(func(ctx context.Context, m *ent.CommunityMutation) (ent.Value, error) {
		if name, ok := m.Name(); ok {
			m.SetNameSort(pinyin.Key(name))
		} else {
			m.ResetNameSort()
		}
		return next.Mutate(ctx, m)
	})
}

// CatchUpNameSort writes the sort key of every community whose stored key
// is not that of its name: rows written before the key existed (the
// migration adds the column empty), loaded around the rules, or keyed by an
// older rule of package pinyin. Run after every migration (package rules);
// communities are few, so it reads them all. It says how many it wrote.
func CatchUpNameSort(ctx context.Context, client *ent.Client) (int, error) {
	ctx = privacy.DecisionContext(ctx, privacy.Allow)
	cs, err := client.Community.Query().Select(community.FieldID, community.FieldCode, community.FieldName, community.FieldNameSort).All(ctx)
	if err != nil {
		return 0, fmt.Errorf("read the communities' names: %w", err)
	}
	n := 0
	for _, c := range cs {
		key := pinyin.Key(c.Name)
		if c.NameSort == key {
			continue
		}
		// SetName with the same name: the rule above writes the key.
		if err := client.Community.UpdateOneID(c.ID).SetName(c.Name).Exec(ctx); err != nil {
			return n, fmt.Errorf("write the sort key of %s: %w", c.Code, err)
		}
		n++
	}
	return n, nil
}
