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

// matterStages are the six steps of 四议两公开, in the order they must happen.
var matterStages = []string{"PROPOSAL", "DELIBERATION", "REVIEW", "RESOLUTION", "RESOLUTION_DISCLOSURE", "RESULT_DISCLOSURE"}

const stageComment = "PROPOSAL 党组织提议, DELIBERATION 两委会议商议, REVIEW 党员大会审议, RESOLUTION 居民代表会议决议, RESOLUTION_DISCLOSURE 决议公开, RESULT_DISCLOSURE 实施结果公开"

// Matter holds the schema of a major matter decided through 四议两公开.
type Matter struct{ ent.Schema }

func (Matter) Mixin() []ent.Mixin { return []ent.Mixin{owned{ref: "matters"}} }

func (Matter) Annotations() []schema.Annotation {
	return gql("Matter (重大事项): a major decision that must pass the four deliberations and two disclosures (四议两公开) in order.")
}

func (Matter) Fields() []ent.Field {
	return []ent.Field{
		field.String("title").Validate(text.Line).NotEmpty().MaxLen(128).Annotations(entgql.OrderField("TITLE")).Comment("Title (事项名称)."),
		field.Text("description").Validate(text.Prose).Default("").Comment("Reason for the motion (动议事由)."),
		field.Enum("category").Values("WELFARE_PROJECT", "RESIDENT_NEED", "CONSTRUCTION", "ASSET", "FINANCE", "OTHER").Default("OTHER").
			Comment("Category (类别): WELFARE_PROJECT 惠民项目, RESIDENT_NEED 居民需求, CONSTRUCTION 工程建设, ASSET 资产处置/出租, FINANCE 财务, OTHER 其他."),
		field.Enum("stage").Values(matterStages...).Optional().Nillable().Annotations(entgql.OrderField("STAGE"),
			entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)).
			Comment("Last stage reached (当前环节): " + stageComment + "; empty before the proposal. Moved on only by recordMatterStage."),
		field.Enum("outcome").Values("PENDING", "RESOLVED", "REJECTED", "COMPLETED").Default("PENDING").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)).
			Comment("Outcome (结果): PENDING 进行中, RESOLVED 已决议, REJECTED 未通过, COMPLETED 已实施并公开结果."),
		field.String("rejection_reason").Validate(text.Line).Default("").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)).
			Comment("Why the matter was rejected (未通过原因), kept when a vote fails."),
		date("proposed_on", "Proposed on (提议日期).", optional),
		date("resolved_on", "Resolved on (决议日期).", optional),
	}
}

func (Matter) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("meetings", Meeting.Type).Annotations(entgql.RelayConnection()).
			Comment("Meetings (会议) about the matter, the stage meetings among them."),
		edge.To("disclosures", MatterDisclosure.Type).Annotations(entgql.RelayConnection()).
			Comment("Disclosures (公开): of the resolution and of the implementation result."),
		edge.To("contracts", Contract.Type).Annotations(entgql.RelayConnection()).
			Comment("Contracts (合同) the matter authorised."),
	}
}

func (Matter) Indexes() []ent.Index {
	return []ent.Index{index.Fields("community_id", "resolved_on")}
}

// MatterDisclosure holds the schema of a public disclosure of a matter's resolution or result.
type MatterDisclosure struct{ ent.Schema }

func (MatterDisclosure) Mixin() []ent.Mixin { return []ent.Mixin{owned{ref: "matter_disclosures"}} }

func (MatterDisclosure) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField(),
		entgql.RelayConnection(),
		schema.Comment("Matter disclosure (公开): the public notice of a matter's resolution (决议公开) or of its implementation result (实施结果公开)."),
	}
}

func (MatterDisclosure) Fields() []ent.Field {
	return []ent.Field{
		field.Int("matter_id").Immutable().Comment("The matter disclosed."),
		field.Enum("stage").Values("RESOLUTION_DISCLOSURE", "RESULT_DISCLOSURE").Immutable().
			Comment("Which disclosure: RESOLUTION_DISCLOSURE 决议公开 or RESULT_DISCLOSURE 实施结果公开."),
		date("disclosed_on", "Disclosed on (公开日期).", immutable),
		field.String("channel").Validate(text.Line).NotEmpty().MaxLen(128).Immutable().Comment("Place or channel (公开地点/形式), e.g. 社区公开栏."),
		field.Text("text").Validate(text.Prose).NotEmpty().Immutable().Comment("Text of the notice (公开内容)."),
	}
}

func (MatterDisclosure) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("matter", Matter.Type).Ref("disclosures").Field("matter_id").Unique().Required().Immutable().Comment("Matter (重大事项)."),
	}
}

func (MatterDisclosure) Indexes() []ent.Index {
	return []ent.Index{index.Fields("matter_id", "stage").Unique()}
}
