package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"sunlight/internal/access/policy"
	"sunlight/internal/vocab/text"
)

// AccessToken holds the schema of an API token (访问令牌): stored hashed,
// with a role, a scope, an expiry and a revocation.
type AccessToken struct{ ent.Schema }

func (AccessToken) Annotations() []schema.Annotation {
	// Tokens are managed with `sunlight token`, never over GraphQL.
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

func (AccessToken) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").Validate(text.Line).NotEmpty().MaxLen(64).Comment("Who holds the token, for the audit trail."),
		field.String("role").NotEmpty().Comment("PUBLIC, DISTRICT_OFFICIAL, COMMUNITY_STAFF, SUPERVISOR or ADMIN."),
		field.Int("community_id").Optional().Nillable().Comment("The community of a staff or supervisor token."),
		field.String("district").Validate(text.Line).Default("").Comment("The district of an official's token."),
		field.String("token_hash").Sensitive().Unique().Immutable().Comment("SHA-256 of the token; the token itself is never stored."),
		field.Time("created_at").Immutable(),
		field.Time("expires_at"),
		field.Time("revoked_at").Optional().Nillable(),
	}
}

func (AccessToken) Indexes() []ent.Index {
	return []ent.Index{index.Fields("community_id")}
}

func (AccessToken) Policy() ent.Policy { return policy.PlatformOnly() }
