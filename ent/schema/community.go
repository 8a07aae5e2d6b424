package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"sunlight/internal/vocab/money"
	"sunlight/internal/vocab/text"
)

// Community holds the schema of a collective economy (社区/村集体经济), the
// tenant of every other record.
type Community struct{ ent.Schema }

func (Community) Annotations() []schema.Annotation {
	return gql("Community (社区): one collective economy, such as 阁子市社区; the owner of every asset, voucher and decision.")
}

func (Community) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").Validate(text.Line).NotEmpty().MaxLen(64).
			Comment("Name (名称), e.g. 阁子市社区."),
		// The NAME order sorts by this key, so communities come in pinyin
		// order (枫桥, 阁子市, 龙山, 望湖), not by code point. Set from name by
		// a write rule (package governance), never by a caller.
		field.String("name_sort").Default("").
			Annotations(entgql.Skip(entgql.SkipAll&^entgql.SkipOrderField), entgql.OrderField("NAME")).
			Comment("Sort key of the name: its pinyin (package pinyin)."),
		field.String("code").NotEmpty().MaxLen(32).Unique().Immutable().
			Match(codePattern).
			Annotations(entgql.OrderField("CODE")).
			Comment("Code (代码): a short stable identifier in lower-case letters, digits and dashes, e.g. gezishi."),
		field.String("sub_district").Validate(text.Line).Default("").MaxLen(64).
			Comment("Sub-district (管理处), e.g. 龙山管理处."),
		field.String("district").Validate(text.Line).Default("").MaxLen(64).
			Annotations(entgql.OrderField("DISTRICT")).
			Comment("District (新区/区), e.g. 南湖新区."),
		date("established_on", "Established on (成立日期): the day the community was founded.", optional),
		field.String("predecessor").Validate(text.Line).Default("").MaxLen(128).
			Comment("Predecessor (前身): what the collective was before, e.g. 郭镇大队."),
		field.Int("min_signatures").Default(9).Range(1, 50).
			Comment("Minimum signatures (最少签字人数): distinct signers a voucher needs before it posts; 9 by the community's rule."),
		amountDefault("matter_threshold", "Matter threshold (重大事项金额): a contract at or above this amount must rest on a matter resolved through 四议两公开.", DefaultMatterThreshold),
		amountDefault("tender_threshold", "Tender threshold (招标限额): construction at or above this amount must be procured by public tender (公开招标).", DefaultTenderThreshold),
		field.String("closed_through").Optional().Nillable().
			Match(monthPattern).
			Annotations(entgql.Type("Period"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)).
			Comment("Closed through (月月清): the last month whose books are closed; vouchers dated in it or before are refused. Set by closeMonth."),
		field.String("totals_through").Optional().Nillable().
			Match(monthPattern).
			Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("The last closed month whose sums are in month_sums; set with closed_through, or caught up after an upgrade (package ledger)."),
	}
}

func (Community) Edges() []ent.Edge {
	conn := entgql.RelayConnection()
	return []ent.Edge{
		edge.To("assets", Asset.Type).Annotations(conn).Comment("Collective assets (集体资产) of the community."),
		edge.To("asset_valuations", AssetValuation.Type).Annotations(conn).Comment("Valuations (资产估值) of the community's assets."),
		edge.To("markets", Market.Type).Annotations(conn).Comment("Markets (集贸市场) the community runs."),
		edge.To("stalls", Stall.Type).Annotations(conn).Comment("Stalls (摊位) in the community's markets."),
		edge.To("contracts", Contract.Type).Annotations(conn).Comment("Contracts (合同) the community signed."),
		edge.To("matters", Matter.Type).Annotations(conn).Comment("Major matters (重大事项) decided through 四议两公开."),
		edge.To("matter_disclosures", MatterDisclosure.Type).Annotations(conn).Comment("Disclosures (公开) of resolutions and results."),
		edge.To("meetings", Meeting.Type).Annotations(conn).Comment("Meetings (会议) held."),
		edge.To("residents", Resident.Type).Annotations(conn).Comment("Residents (居民)."),
		edge.To("resident_groups", ResidentGroup.Type).Annotations(conn).Comment("Resident groups (居民小组), which double as grid cells (网格)."),
		edge.To("point_events", PointEvent.Type).Annotations(conn).Comment("Points (积分) earned or lost by residents."),
		edge.To("benefits", Benefit.Type).Annotations(conn).Comment("Benefits (惠民福利) paid to residents."),
		edge.To("vouchers", Voucher.Type).Annotations(conn).Comment("Vouchers (凭证): every income and expense."),
		edge.To("month_sums", MonthSum.Type).Annotations(entgql.Skip(entgql.SkipAll)).Comment("Sums of the closed months (月度汇总)."),
		edge.To("signatures", Signature.Type).Annotations(conn).Comment("Signatures (签字) on the community's vouchers."),
		edge.To("signers", Signer.Type).Annotations(conn).Comment("Signers (签字人) the community enrolled."),
		edge.To("enrolments", Enrolment.Type).Annotations(entgql.Skip(entgql.SkipAll)).Comment("Enrolment codes (登记码) issued."),
		edge.To("inquiries", Inquiry.Type).Annotations(conn).Comment("Inquiries (质询) residents raised."),
		edge.To("reports", Report.Type).Annotations(conn).Comment("Reports (报告) generated and published."),
		edge.To("job_runs", JobRun.Type).Annotations(conn).Comment("Scheduler runs (任务运行) for this community."),
		edge.To("opening_balance", OpeningBalance.Type).Unique().Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)).Comment("Opening balance (期初余额) of a community whose books came onto the platform mid-way; set by setOpeningBalance."),
	}
}

func (Community) Indexes() []ent.Index {
	return []ent.Index{index.Fields("district", "name"), index.Fields("name_sort")}
}

// defaults used by the demo and by communities created without thresholds.
var (
	DefaultMatterThreshold = money.Yuan(50_000)
	DefaultTenderThreshold = money.Yuan(1_000_000)
)
