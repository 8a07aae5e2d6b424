// Package evidence keeps what Sunlight publishes and records as it was:
// published reports (rule 8) and the audit trail (rule 9) are never changed
// or deleted, through any path, not even by the platform's own tools.
package evidence

import (
	"context"

	"sunlight/ent"
	"sunlight/ent/hook"
	entreport "sunlight/ent/report"
	"sunlight/internal/vocab/fail"
)

// Install puts the guards on client. A mistake in a published report is
// corrected by the next disclosure, never by editing this one.
func Install(client *ent.Client) {
	client.AuditEvent.Use(hook.On(func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			return nil, fail.Conflictf("the audit trail is never changed or deleted")
		})
	}, ent.OpUpdate|ent.OpUpdateOne|ent.OpDelete|ent.OpDeleteOne))
	client.Report.Use(hook.On(func(next ent.Mutator) ent.Mutator {
		return hook.ReportFunc(func(ctx context.Context, m *ent.ReportMutation) (ent.Value, error) {
			ids, err := m.IDs(ctx)
			if err != nil {
				return nil, err
			}
			if len(ids) > 0 {
				n, err := m.Client().Report.Query().Where(entreport.IDIn(ids...), entreport.StatusEQ(entreport.StatusPUBLISHED)).Count(ctx)
				if err != nil {
					return nil, err
				}
				if n > 0 {
					return nil, fail.Conflictf("a published report is evidence and is never changed or deleted")
				}
			}
			return next.Mutate(ctx, m)
		})
	}, ent.OpUpdate|ent.OpUpdateOne|ent.OpDelete|ent.OpDeleteOne))
}
