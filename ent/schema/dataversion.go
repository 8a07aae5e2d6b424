package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"

	"sunlight/internal/access/policy"
)

// DataVersion holds the schema of the database's data version (数据版本):
// one row whose value every committed write raises, in the write's own
// transaction (package dataversion). A process that computed an answer at
// one value knows, by reading it again, whether any process has written
// since — what lets the GraphQL response cache be exact with several
// servers on one database.
type DataVersion struct{ ent.Schema }

func (DataVersion) Annotations() []schema.Annotation {
	// Bookkeeping of the platform, never served as a type.
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

func (DataVersion) Fields() []ent.Field {
	return []ent.Field{
		field.Int64("value").NonNegative().Comment("Raised by one with every committed write."),
	}
}

// Only package dataversion touches it, in plain SQL below the ent client.
func (DataVersion) Policy() ent.Policy { return policy.PlatformOnly() }
