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

// noInput keeps a field out of the generated create and update inputs: it
// is set by the platform (a hook or a domain mutation), never by a caller.
var noInput = entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)

// Voucher holds the schema of one income or expense with its supporting documents (凭证).
type Voucher struct{ ent.Schema }

func (Voucher) Mixin() []ent.Mixin { return []ent.Mixin{owned{ref: "vouchers"}} }

func (Voucher) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField().Description("Vouchers (凭证) of every community, filtered and paged."),
		entgql.RelayConnection(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
		schema.Comment("Voucher (凭证): one income or expense with its supporting documents. Draft → signing → posted; a posted voucher is never changed, only reversed (红字冲销)."),
	}
}

func (Voucher) Fields() []ent.Field {
	return []ent.Field{
		field.String("number").Validate(text.Line).NotEmpty().MaxLen(32).Immutable().Annotations(entgql.OrderField("NUMBER")).
			Comment("Voucher number (凭证号), unique within the community, e.g. 2026-10-001."),
		date("occurred_on", "Date (日期) of the income or expense; decides the month it is disclosed in."),
		field.String("period").Match(monthPattern).Annotations(entgql.Type("Period"), noInput, entgql.OrderField("PERIOD")).
			Comment("Month (所属月份) the voucher falls in, derived from its date, e.g. 2026-10."),
		field.Enum("direction").Values("INCOME", "EXPENSE").Annotations(entgql.OrderField("DIRECTION")).
			Comment("Direction (收支): INCOME 收入 or EXPENSE 支出."),
		field.String("category").Validate(text.Line).NotEmpty().MaxLen(32).Annotations(entgql.OrderField("CATEGORY")).
			Comment("Category (科目) as on the disclosure board. Expense: 办公经费, 集体公益福利支出, 办公用品, 工程支出, 维修, 人员报酬, 其他. Income: 租金收入, 市场管理费, 投资收益, 补助收入, 其他."),
		amount("amount", "Amount (金额); positive, except a reversal (红字冲销) carries the negative of the voucher it reverses."),
		field.String("summary").Validate(text.Line).NotEmpty().MaxLen(256).Comment("Summary (摘要)."),
		field.String("counterparty").Validate(text.Line).Default("").MaxLen(128).Comment("Counterparty (往来单位/个人)."),
		field.Enum("status").Values("DRAFT", "SIGNING", "POSTED").Default("DRAFT").Annotations(noInput, entgql.OrderField("STATUS")).
			Comment("Status (状态): DRAFT 草稿, SIGNING 签字中, POSTED 已入账. Only posted vouchers count in disclosures and aggregates."),
		field.Time("posted_at").Optional().Nillable().Annotations(noInput).Comment("When the voucher was posted (入账时间)."),
		field.Int("reverses_id").Optional().Nillable().Immutable().Annotations(noInput).
			Comment("The voucher this one reverses (冲销的原凭证)."),
		field.Int("contract_id").Optional().Nillable().Comment("The contract the payment is made under."),
	}
}

func (Voucher) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("reversed_by", Voucher.Type).
			// Set by reverseVoucher only (ledger.checkReversal): not an input.
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)).
			From("reverses").Field("reverses_id").Unique().Immutable().
			Comment("The original voucher this reversal cancels (原凭证) / the reversal that cancels it (冲销凭证)."),
		edge.From("contract", Contract.Type).Ref("vouchers").Field("contract_id").Unique().Comment("Contract (合同)."),
		edge.To("signatures", Signature.Type).Annotations(entgql.RelayConnection()).Comment("Signatures (签字)."),
		edge.To("benefits", Benefit.Type).Annotations(entgql.RelayConnection()).Comment("Benefits (福利) paid through this voucher."),
		edge.To("inquiries", Inquiry.Type).Annotations(entgql.RelayConnection()).Comment("Inquiries (质询) about this voucher."),
	}
}

func (Voucher) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("community_id", "number").Unique(),
		index.Fields("community_id", "occurred_on"),
		// The disclosure aggregates group posted vouchers of a community and
		// period; with the amount in the index they never read the table
		// (an index-only scan: 6 buffers instead of 55 for a month of 1M
		// vouchers, see bench/README.md).
		index.Fields("community_id", "period", "status", "direction", "category", "amount"),
		index.Fields("reverses_id").Unique(),
	}
}

// Signature holds the schema of a sign-off on a voucher (签字).
type Signature struct{ ent.Schema }

func (Signature) Mixin() []ent.Mixin { return []ent.Mixin{owned{ref: "signatures"}} }

func (Signature) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(),
		schema.Comment("Signature (签字): one signer's Ed25519 signature over the canonical encoding of a voucher (its signingPayload); a voucher posts only with the community's minimum number of distinct enrolled signers (9 by default). Signatures recorded before signers had keys are NAME_ONLY: kept, shown as unverified, never counted."),
	}
}

func (Signature) Fields() []ent.Field {
	return []ent.Field{
		field.Int("voucher_id").Immutable().Comment("The voucher signed."),
		field.String("signer").Validate(text.Line).NotEmpty().MaxLen(32).Immutable().Comment("Signer's name (签字人)."),
		field.Enum("role").Values(capacities...).Immutable().
			Comment("Capacity the signer signs in (签字身份): " + capacityComment + "."),
		field.Int("resident_id").Optional().Nillable().Immutable().Comment("The resident who signed, when the signer is one.").
			Annotations(entgql.Type("ID")),
		field.Time("signed_at").Immutable().Annotations(entgql.OrderField("SIGNED_AT")).Comment("When it was signed (签字时间)."),
		field.Enum("method").Values("NAME_ONLY", "ED25519").Default("NAME_ONLY").Immutable().
			Comment("How the signature was made: ED25519, by the signer's key over the voucher's signing payload, verified before it was stored; NAME_ONLY, a name typed in before signers had keys (unverified, never counted)."),
		field.Int("signer_id").Optional().Nillable().Immutable().Comment("The enrolled signer whose key made the signature."),
		field.Int("encoding_version").Optional().Nillable().Immutable().
			Comment("Version of the canonical voucher encoding that was signed (1 so far)."),
		field.String("ed25519_signature").Optional().Nillable().Immutable().
			Comment("The Ed25519 signature (64 bytes, standard base64) over the signing payload."),
	}
}

func (Signature) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("voucher", Voucher.Type).Ref("signatures").Field("voucher_id").Unique().Required().Immutable().Comment("Voucher (凭证)."),
		edge.From("signed_by", Signer.Type).Ref("signatures").Field("signer_id").Unique().Immutable().Comment("The enrolled signer (签字人) whose key made the signature."),
	}
}

func (Signature) Indexes() []ent.Index {
	// One person signs a voucher once: a second signature would not be a
	// second check. By name, so a signer re-enrolled with a new key is
	// still one person; by signer, so one key is never counted twice.
	return []ent.Index{index.Fields("voucher_id", "signer").Unique(), index.Fields("voucher_id", "signer_id").Unique(), index.Fields("signer_id")}
}

// Benefit holds the schema of a benefit paid to a resident (惠民福利).
type Benefit struct{ ent.Schema }

func (Benefit) Mixin() []ent.Mixin { return []ent.Mixin{owned{ref: "benefits"}} }

func (Benefit) Annotations() []schema.Annotation {
	return gql("Benefit (惠民福利): money the collective pays a resident — insurance for those 60+, 重阳节 visits to those 80+, illness aid, funeral-reform awards, scholarships, angel-fund awards — always through a voucher.")
}

func (Benefit) Fields() []ent.Field {
	return []ent.Field{
		field.Int("resident_id").Immutable().Comment("The resident paid."),
		field.Enum("kind").Values("ELDER_INSURANCE", "ELDER_VISIT", "ILLNESS_AID", "FUNERAL_REFORM", "SCHOLARSHIP", "ANGEL_FUND", "OTHER").
			Annotations(entgql.OrderField("KIND")).
			Comment("Kind (类别): ELDER_INSURANCE 60岁以上医疗保险, ELDER_VISIT 重阳节慰问, ILLNESS_AID 大病救助, FUNERAL_REFORM 殡葬改革奖励, SCHOLARSHIP 奖学金, ANGEL_FUND 天使基金, OTHER 其他."),
		amount("amount", "Amount (金额)."),
		date("paid_on", "Paid on (发放日期)."),
		field.Int("voucher_id").Comment("The voucher the benefit was paid through."),
	}
}

func (Benefit) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("resident", Resident.Type).Ref("benefits").Field("resident_id").Unique().Required().Immutable().Comment("Resident (居民)."),
		edge.From("voucher", Voucher.Type).Ref("benefits").Field("voucher_id").Unique().Required().Comment("Voucher (凭证) it was paid through."),
	}
}

func (Benefit) Indexes() []ent.Index {
	return []ent.Index{index.Fields("community_id", "paid_on", "kind"), index.Fields("resident_id", "kind", "paid_on").Unique()}
}
