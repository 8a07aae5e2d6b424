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

// Meeting holds the schema of a meeting with attendance and votes (会议).
type Meeting struct{ ent.Schema }

func (Meeting) Mixin() []ent.Mixin { return []ent.Mixin{owned{ref: "meetings"}} }

func (Meeting) Annotations() []schema.Annotation {
	return gql("Meeting (会议): any meeting of the community with who was entitled to attend, who did, and the votes, as on the paper 登记表.")
}

func (Meeting) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("kind").Values("PARTY_BRANCH", "TWO_COMMITTEES", "PARTY_MEMBERS", "REPRESENTATIVES", "DELIBERATION", "OTHER").
			Annotations(entgql.OrderField("KIND")).
			Comment("Kind (会议类型): PARTY_BRANCH 党组织会议, TWO_COMMITTEES 两委会议, PARTY_MEMBERS 党员大会, REPRESENTATIVES 居民代表会议, DELIBERATION 议事协商会议/清廉议事会, OTHER 其他."),
		field.Time("held_at").Annotations(entgql.OrderField("HELD_AT")).Comment("When the meeting was held (时间)."),
		field.String("title").Validate(text.Line).NotEmpty().MaxLen(128).Comment("Title (会议名称)."),
		field.String("place").Validate(text.Line).Default("").MaxLen(128).Comment("Place (地点)."),
		field.Int("entitled").NonNegative().Comment("Entitled to attend (应到人数)."),
		field.Int("attended").NonNegative().Comment("Attended (实到人数); at most the number entitled."),
		field.Int("votes_for").Optional().Nillable().NonNegative().Comment("Votes in favour (赞成); empty when nothing was put to a vote."),
		field.Int("votes_against").Optional().Nillable().NonNegative().Comment("Votes against (反对)."),
		field.Int("votes_abstain").Optional().Nillable().NonNegative().Comment("Abstentions (弃权)."),
		field.Text("minutes").Validate(text.Prose).Default("").Comment("Minutes (会议记录): what was discussed and decided."),
		field.Text("supervision_opinion").Validate(text.Prose).Default("").Comment("Supervisory committee's opinion (监督意见)."),
		field.Int("matter_id").Optional().Nillable().Comment("The matter the meeting was about."),
		field.Enum("matter_stage").Values(matterStages[:4]...).Optional().Nillable().
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)).
			Comment("The 四议两公开 stage this meeting held for its matter, if any: " + stageComment + ". Set by recordMatterStage."),
	}
}

func (Meeting) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("matter", Matter.Type).Ref("meetings").Field("matter_id").Unique().Comment("Matter (重大事项) discussed."),
	}
}

func (Meeting) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("community_id", "held_at"),
		index.Fields("matter_id", "matter_stage").Unique(),
	}
}
