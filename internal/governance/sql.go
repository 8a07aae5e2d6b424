package governance

import (
	"fmt"

	"entgo.io/ent/dialect/sql"

	"sunlight/ent"
)

// countDistinct is COUNT(DISTINCT column) AS name for GroupBy.Aggregate.
func countDistinct(column, name string) ent.AggregateFunc {
	return func(s *sql.Selector) string {
		return sql.As(fmt.Sprintf("COUNT(DISTINCT %s)", s.C(column)), name)
	}
}
