package db

import (
	"context"
	"time"

	"sunlight/ent"
)

// utcTimes stores every time in UTC: SQLite compares times as text, so two
// zones in one column would sort wrongly.
func utcTimes(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		for _, f := range m.Fields() {
			v, _ := m.Field(f)
			if t, ok := v.(time.Time); ok && t.Location() != time.UTC {
				if err := m.SetField(f, t.UTC()); err != nil {
					return nil, err
				}
			}
		}
		return next.Mutate(ctx, m)
	})
}
