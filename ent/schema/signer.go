package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"sunlight/internal/vocab/text"
)

// capacities are the capacities a person signs vouchers in (签字身份): the
// same values for a signer's enrolment and for each signature, since a
// signer signs in the capacity it was enrolled in.
var capacities = []string{"PREPARER", "ACCOUNTANT", "CASHIER", "SECRETARY", "COMMITTEE", "SUPERVISOR", "GROUP_LEADER", "REPRESENTATIVE", "OTHER"}

const capacityComment = "PREPARER 经办人, ACCOUNTANT 会计, CASHIER 出纳, SECRETARY 书记, COMMITTEE 两委成员, SUPERVISOR 监督委员会, GROUP_LEADER 组长, REPRESENTATIVE 居民代表, OTHER 其他"

// Signer holds the schema of a person enrolled to sign a community's
// vouchers (签字人) with a key of their own: only the Ed25519 public key is
// registered, the private key stays on the signer's device.
type Signer struct{ ent.Schema }

func (Signer) Mixin() []ent.Mixin { return []ent.Mixin{owned{ref: "signers"}} }

func (Signer) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField().Description("Signers (签字人) enrolled by the communities, with their public keys."),
		entgql.RelayConnection(),
		schema.Comment("Signer (签字人): a person enrolled by a community to sign its vouchers in one capacity, with an Ed25519 public key registered through a one-time enrolment code. A revoked signer's earlier signatures stay valid; later ones are refused."),
	}
}

func (Signer) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").Validate(text.Line).NotEmpty().MaxLen(32).Immutable().Annotations(entgql.OrderField("NAME")).
			Comment("The person's name (姓名), as printed beside the signatures."),
		field.Int("resident_id").Optional().Nillable().Immutable().Annotations(entgql.Type("ID")).
			Comment("The resident the signer is, where there is one."),
		field.Enum("capacity").Values(capacities...).Immutable().Annotations(entgql.OrderField("CAPACITY")).
			Comment("Capacity the signer signs in (签字身份): " + capacityComment + "."),
		date("valid_from", "First day the signer may sign (任期起)."),
		date("valid_to", "Last day the signer may sign (任期止); open-ended when empty.", optional),
		field.String("public_key").Optional().Nillable().Unique().Annotations(noInput).
			Comment("The Ed25519 public key (32 bytes, standard base64), registered once with the enrolment code; empty until then."),
		field.Time("key_registered_at").Optional().Nillable().Annotations(noInput).Comment("When the key was registered."),
		field.Time("revoked_at").Optional().Nillable().Annotations(noInput).
			Comment("When the signer was revoked (left office): signatures made before stay valid, later ones are refused."),
	}
}

func (Signer) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("resident", Resident.Type).Ref("signers").Field("resident_id").Unique().Immutable().Comment("Resident (居民) the signer is."),
		edge.To("signatures", Signature.Type).Annotations(entgql.RelayConnection()).Comment("Signatures (签字) made with the signer's key."),
		edge.To("enrolments", Enrolment.Type).Annotations(entgql.Skip(entgql.SkipAll)).Comment("Enrolment codes issued for the signer."),
	}
}

func (Signer) Indexes() []ent.Index {
	return []ent.Index{index.Fields("community_id", "name")}
}

// Enrolment holds the schema of a one-time code with which a signer
// registers its public key (登记码): stored hashed, it expires and is used once.
type Enrolment struct{ ent.Schema }

func (Enrolment) Mixin() []ent.Mixin { return []ent.Mixin{owned{ref: "enrolments"}} }

func (Enrolment) Annotations() []schema.Annotation {
	// Codes are given out by createEnrolment and used by registerSignerKey;
	// the records themselves are never read over GraphQL.
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

func (Enrolment) Fields() []ent.Field {
	return []ent.Field{
		field.Int("signer_id").Immutable().Comment("The signer the code registers a key for."),
		field.String("code_hash").Sensitive().Unique().Immutable().Comment("SHA-256 of the one-time code; the code itself is never stored."),
		field.Time("created_at").Immutable(),
		field.Time("expires_at").Immutable(),
		field.Time("used_at").Optional().Nillable().Comment("When the code registered a key: a code is used once."),
	}
}

func (Enrolment) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("signer", Signer.Type).Ref("enrolments").Field("signer_id").Unique().Required().Immutable(),
	}
}
