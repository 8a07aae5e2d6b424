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

// Contract holds the schema of a lease, construction, procurement or service contract (合同).
type Contract struct{ ent.Schema }

func (Contract) Mixin() []ent.Mixin { return []ent.Mixin{owned{ref: "contracts"}} }

func (Contract) Annotations() []schema.Annotation {
	return gql("Contract (合同): a lease, construction, procurement or service contract of the collective. Large ones need a resolved matter (四议两公开); large construction needs a public tender.")
}

func (Contract) Fields() []ent.Field {
	return []ent.Field{
		field.String("code").Validate(text.Line).NotEmpty().MaxLen(32).Immutable().Annotations(entgql.OrderField("CODE")).
			Comment("Contract code (合同编号), unique within the community."),
		field.Enum("kind").Values("LEASE", "CONSTRUCTION", "PROCUREMENT", "SERVICE").Annotations(entgql.OrderField("KIND")).
			Comment("Kind (类型): LEASE 租赁, CONSTRUCTION 工程, PROCUREMENT 采购, SERVICE 服务."),
		field.String("title").Validate(text.Line).NotEmpty().MaxLen(128).Comment("Title (合同名称)."),
		field.String("counterparty").Validate(text.Line).NotEmpty().MaxLen(128).Comment("Counterparty (对方单位/个人)."),
		amount("amount", "Amount (合同金额): the total value over the whole term."),
		amount("monthly_rent", "Monthly rent (月租金) of a lease, used to find rent in arrears.", optional),
		date("signed_on", "Signed on (签订日期)."),
		date("starts_on", "Starts on (起始日期)."),
		date("ends_on", "Ends on (终止日期); empty when open-ended.", optional),
		field.Enum("procurement").Values("PUBLIC_TENDER", "INVITED_TENDER", "COMPETITIVE_NEGOTIATION", "DIRECT").Default("DIRECT").
			Comment("Procurement method (采购方式): PUBLIC_TENDER 公开招标, INVITED_TENDER 邀请招标, COMPETITIVE_NEGOTIATION 竞争性谈判, DIRECT 直接签订."),
		field.Enum("status").Values("DRAFT", "ACTIVE", "COMPLETED", "TERMINATED").Default("ACTIVE").Annotations(entgql.OrderField("STATUS")).
			Comment("Status (状态): DRAFT 拟签, ACTIVE 履行中, COMPLETED 已完成, TERMINATED 已终止."),
		field.Int("matter_id").Optional().Nillable().Comment("The major matter that authorised the contract."),
		field.Int("asset_id").Optional().Nillable().Comment("The asset the contract is about."),
		field.Int("stall_id").Optional().Nillable().Comment("The stall a lease is for."),
	}
}

func (Contract) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("matter", Matter.Type).Ref("contracts").Field("matter_id").Unique().Comment("Matter (重大事项) that authorised the contract."),
		edge.From("asset", Asset.Type).Ref("contracts").Field("asset_id").Unique().Comment("Asset (资产) the contract is about."),
		edge.From("stall", Stall.Type).Ref("contracts").Field("stall_id").Unique().Comment("Stall (摊位) leased."),
		edge.To("vouchers", Voucher.Type).Annotations(entgql.RelayConnection()).Comment("Vouchers (凭证): payments made or received under the contract."),
	}
}

func (Contract) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("community_id", "code").Unique(),
		index.Fields("community_id", "ends_on"),
	}
}
