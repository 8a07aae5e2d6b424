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

// Asset holds the schema of one line of the collective asset ledger (资产台账).
type Asset struct{ ent.Schema }

func (Asset) Mixin() []ent.Mixin { return []ent.Mixin{owned{ref: "assets"}} }

func (Asset) Annotations() []schema.Annotation {
	return gql("Asset (集体资产): a building, market, parking lot, land use right or piece of equipment owned by the collective; one line of the asset ledger (资产台账).")
}

func (Asset) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").Validate(text.Line).NotEmpty().MaxLen(128).
			Annotations(entgql.OrderField("NAME")).
			Comment("Name (资产名称), e.g. 阁子市菜市场."),
		field.Enum("category").Values("BUILDING", "MARKET", "PARKING", "LAND", "EQUIPMENT", "SCHOOL", "OTHER").
			Annotations(entgql.OrderField("CATEGORY")).
			Comment("Category (类别): BUILDING 房屋, MARKET 市场, PARKING 停车场, LAND 土地使用权, EQUIPMENT 设备, SCHOOL 学校, OTHER 其他."),
		field.String("location").Validate(text.Line).Default("").MaxLen(256).
			Comment("Location (坐落位置)."),
		field.Int("quantity").Default(1).Positive().
			Comment("Quantity (数量)."),
		date("acquired_on", "Acquired on (取得日期): when the collective built or received the asset."),
		field.Enum("acquisition").Values("PURCHASE", "CONSTRUCTION", "DONATION", "TRANSFER_IN", "INVENTORY_GAIN").
			Default("CONSTRUCTION").
			Comment("How acquired (取得方式): PURCHASE 购置, CONSTRUCTION 自建, DONATION 捐赠, TRANSFER_IN 调入, INVENTORY_GAIN 盘盈."),
		amount("original_value", "Original value (原值): the cost when acquired."),
		field.Int("useful_life_years").Default(20).Range(1, 100).
			Comment("Useful life in years (使用年限), for straight-line depreciation with a 5% residual."),
		field.String("custodian").Validate(text.Line).Default("").MaxLen(64).
			Comment("Custodian (保管人/责任人): who looks after the asset."),
		field.Enum("status").Values("IN_USE", "LEASED", "IDLE", "DISPOSED").Default("IN_USE").
			Annotations(entgql.OrderField("STATUS")).
			Comment("Status (状态): IN_USE 在用, LEASED 出租, IDLE 闲置, DISPOSED 已处置."),
		date("disposed_on", "Disposed on (处置日期).", optional),
		field.Enum("disposal").Values("SALE", "SCRAP", "INVENTORY_LOSS", "TRANSFER_OUT").Optional().Nillable().
			Comment("How disposed (处置方式): SALE 出售, SCRAP 报废, INVENTORY_LOSS 盘亏, TRANSFER_OUT 调出."),
	}
}

func (Asset) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("valuations", AssetValuation.Type).Annotations(entgql.RelayConnection()).
			Comment("Valuations (资产估值): the asset's value at each inventory date."),
		edge.To("markets", Market.Type).Comment("Markets (市场) that run on this asset."),
		edge.To("contracts", Contract.Type).Annotations(entgql.RelayConnection()).
			Comment("Contracts (合同) about this asset: leases, works, purchases."),
	}
}

func (Asset) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("community_id", "name").Unique(),
		index.Fields("community_id", "category"),
	}
}

// AssetValuation holds the schema of an asset's value as of a date (资产清查/估值).
type AssetValuation struct{ ent.Schema }

func (AssetValuation) Mixin() []ent.Mixin { return []ent.Mixin{owned{ref: "asset_valuations"}} }

func (AssetValuation) Annotations() []schema.Annotation {
	return gql("Asset valuation (资产估值): the value of one asset as of a date, usually the year-end inventory (年终资产清查).")
}

func (AssetValuation) Fields() []ent.Field {
	return []ent.Field{
		field.Int("asset_id").Immutable().Comment("The asset valued."),
		date("as_of", "As of (估值日期): the date the value holds for."),
		amount("value", "Value (价值)."),
		field.String("note").Validate(text.Line).Default("").MaxLen(256).Comment("Note (备注): who valued it and how."),
	}
}

func (AssetValuation) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("asset", Asset.Type).Ref("valuations").Field("asset_id").Unique().Required().Immutable().
			Comment("Asset (资产) valued."),
	}
}

func (AssetValuation) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("asset_id", "as_of").Unique(),
		index.Fields("community_id", "as_of"),
	}
}
