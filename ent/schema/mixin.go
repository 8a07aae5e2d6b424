// Package schema holds Sunlight's ent schemas: one file per entity of the
// collective economy, with the GraphQL annotations that entgql turns into
// the generated half of the API.
package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"

	"sunlight/internal/vocab/money"
)

// owned is embedded by every entity that belongs to a community: the tenant
// key of every record, immutable once written so a record never moves
// between collectives.
type owned struct {
	mixin.Schema
	ref string // the Community edge that lists these records
}

func (m owned) Fields() []ent.Field {
	return []ent.Field{
		field.Int("community_id").Immutable().
			Comment("The community (社区) the record belongs to."),
	}
}

func (m owned) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("community", Community.Type).Ref(m.ref).Field("community_id").
			Unique().Required().Immutable().
			Comment("Community (社区) that owns this record."),
	}
}

// gql is the annotation set of a top-level entity: a Relay connection on
// Query with where/orderBy, and create/update inputs.
func gql(description string) []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField().Description(description),
		entgql.RelayConnection(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
		schema.Comment(description),
	}
}

// flag modifies a field built by amount or date.
type flag int

const (
	optional  flag = iota // may be left empty (NULL)
	immutable             // set once at creation
)

// amount is a Money field: integer fen in the database, a decimal yuan
// string in GraphQL.
func amount(name, comment string, flags ...flag) ent.Field {
	b := field.Int64(name).GoType(money.Fen(0)).
		Annotations(entgql.Type("Money"), entgql.OrderField(upper(name))).
		Comment(comment)
	for _, f := range flags {
		switch f {
		case optional:
			b = b.Optional().Nillable()
		case immutable:
			b = b.Immutable()
		}
	}
	return b
}

// amountDefault is a Money field that takes def when left out.
func amountDefault(name, comment string, def money.Fen) ent.Field {
	return field.Int64(name).GoType(money.Fen(0)).Default(int64(def)).
		Annotations(entgql.Type("Money"), entgql.OrderField(upper(name))).
		Comment(comment)
}

// date is a civil date (see package calendar); a plain date column on
// PostgreSQL.
func date(name, comment string, flags ...flag) ent.Field {
	b := field.Time(name).
		SchemaType(map[string]string{dialect.Postgres: "date"}).
		Annotations(entgql.Type("Date"), entgql.OrderField(upper(name))).
		Comment(comment)
	for _, f := range flags {
		switch f {
		case optional:
			b = b.Optional().Nillable()
		case immutable:
			b = b.Immutable()
		}
	}
	return b
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
