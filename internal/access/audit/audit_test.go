package audit

import (
	"slices"
	"testing"

	"sunlight/ent/migrate"
)

// TestEveryTableHasATrailOrAReason: every table of the schema is either
// audited or named in untracked, so a new entity cannot be left without a
// trail by forgetting it here (rule 9: every write is audited).
func TestEveryTableHasATrailOrAReason(t *testing.T) {
	audited := map[string]bool{}
	for _, table := range tables {
		audited[table] = true
	}
	known := map[string]bool{}
	for _, tb := range migrate.Tables {
		known[tb.Name] = true
		if !audited[tb.Name] && !slices.Contains(untracked, tb.Name) {
			t.Errorf("table %s has no audit trail: add its entity to audit.tables, or to untracked with the reason", tb.Name)
		}
	}
	for name := range audited {
		if !known[name] {
			t.Errorf("audit.tables names %s, which the schema does not have", name)
		}
	}
	for _, name := range untracked {
		if !known[name] || audited[name] {
			t.Errorf("untracked %s: not a table of the schema, or audited after all", name)
		}
	}
}
