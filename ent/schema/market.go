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

// Market holds the schema of a market the collective owns and runs (集贸市场).
type Market struct{ ent.Schema }

func (Market) Mixin() []ent.Mixin { return []ent.Mixin{owned{ref: "markets"}} }

func (Market) Annotations() []schema.Annotation {
	return gql("Market (集贸市场/菜市场): a market the collective owns and runs, such as 阁子市菜市场 (built 2007, rebuilt 2021).")
}

func (Market) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").Validate(text.Line).NotEmpty().MaxLen(128).Annotations(entgql.OrderField("NAME")).Comment("Name (名称)."),
		date("opened_on", "Opened on (开业日期).", optional),
		date("rebuilt_on", "Rebuilt on (改扩建日期): when the last rebuild started.", optional),
		field.Float("area_m2").Default(0).Min(0).Comment("Floor area in square metres (面积)."),
		field.Int("asset_id").Optional().Nillable().Comment("The ledger asset the market is."),
	}
}

func (Market) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("asset", Asset.Type).Ref("markets").Field("asset_id").Unique().Comment("Asset (资产) the market is on the ledger as."),
		edge.To("stalls", Stall.Type).Annotations(entgql.RelayConnection()).Comment("Stalls (摊位) of the market."),
	}
}

func (Market) Indexes() []ent.Index {
	return []ent.Index{index.Fields("community_id", "name").Unique()}
}

// Stall holds the schema of a rentable stall in a market (摊位).
type Stall struct{ ent.Schema }

func (Stall) Mixin() []ent.Mixin { return []ent.Mixin{owned{ref: "stalls"}} }

func (Stall) Annotations() []schema.Annotation {
	return gql("Stall (摊位): a rentable stall in a market; its current lease is a Contract.")
}

func (Stall) Fields() []ent.Field {
	return []ent.Field{
		field.Int("market_id").Immutable().Comment("The market the stall is in."),
		field.String("number").Validate(text.Line).NotEmpty().MaxLen(16).Annotations(entgql.OrderField("NUMBER")).Comment("Stall number (摊位号), e.g. A-01."),
		field.Float("area_m2").Default(0).Min(0).Comment("Area in square metres (面积)."),
		amount("monthly_rent", "Monthly rent (月租金) asked for the stall."),
	}
}

func (Stall) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("market", Market.Type).Ref("stalls").Field("market_id").Unique().Required().Immutable().Comment("Market (市场)."),
		edge.To("contracts", Contract.Type).Annotations(entgql.RelayConnection()).Comment("Lease contracts (租赁合同) of the stall, past and current."),
	}
}

func (Stall) Indexes() []ent.Index {
	return []ent.Index{index.Fields("market_id", "number").Unique()}
}
