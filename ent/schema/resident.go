package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"sunlight/internal/vocab/civic"
	"sunlight/internal/vocab/text"
)

// Resident holds the schema of a resident (居民).
type Resident struct{ ent.Schema }

func (Resident) Mixin() []ent.Mixin { return []ent.Mixin{owned{ref: "residents"}} }

func (Resident) Annotations() []schema.Annotation {
	return gql("Resident (居民): a member of the community. ID number and phone are personal data and are never served in full.")
}

func (Resident) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").Validate(text.Line).NotEmpty().MaxLen(32).Annotations(entgql.OrderField("NAME")).Comment("Name (姓名)."),
		field.Enum("gender").Values("MALE", "FEMALE").Comment("Gender (性别): MALE 男, FEMALE 女."),
		date("birth_date", "Birth date (出生日期); decides age-based benefits."),
		field.String("id_number").Validate(text.Line).Sensitive().Default("").MaxLen(18).
			Comment("ID-card number (身份证号): personal data, never returned by the API in full."),
		field.String("phone").Validate(text.Line).Sensitive().Default("").MaxLen(20).
			Comment("Phone (电话): personal data, never returned by the API in full."),
		field.Int("group_id").Optional().Nillable().Comment("The resident group (居民小组) the resident belongs to."),
		field.JSON("roles", []civic.Role{}).Default([]civic.Role{}).
			Annotations(entgql.Type("[ResidentRole!]")).
			Comment("Roles (身份): PARTY_MEMBER 党员, REPRESENTATIVE 居民代表, COMMITTEE 两委成员, SUPERVISOR 监督委员会成员, GROUP_LEADER 居民小组长."),
		date("moved_out_on", "Moved out on (迁出日期); a resident who moved out is not eligible for benefits.", optional),
	}
}

func (Resident) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("group", ResidentGroup.Type).Ref("members").Field("group_id").Unique().Comment("Resident group (居民小组)."),
		edge.To("led_groups", ResidentGroup.Type).Comment("Groups (居民小组) this resident leads."),
		edge.To("point_events", PointEvent.Type).Annotations(entgql.RelayConnection()).Comment("Points (积分) earned or lost."),
		edge.To("benefits", Benefit.Type).Annotations(entgql.RelayConnection()).Comment("Benefits (福利) received."),
		edge.To("inquiries", Inquiry.Type).Annotations(entgql.RelayConnection()).Comment("Inquiries (质询) raised."),
		edge.To("signers", Signer.Type).Comment("Signer enrolments (签字人) of this resident."),
	}
}

func (Resident) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("community_id", "birth_date"),
		index.Fields("community_id", "name"),
	}
}

// ResidentGroup holds the schema of a residents' group, which doubles as a grid cell (居民小组/网格).
type ResidentGroup struct{ ent.Schema }

func (ResidentGroup) Mixin() []ent.Mixin { return []ent.Mixin{owned{ref: "resident_groups"}} }

func (ResidentGroup) Annotations() []schema.Annotation {
	return gql("Resident group (居民小组/网格): a group of residents that is also a grid cell of community management.")
}

func (ResidentGroup) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").Validate(text.Line).NotEmpty().MaxLen(64).Annotations(entgql.OrderField("NAME")).Comment("Name (小组名称), e.g. 第一居民小组."),
		field.Int("leader_id").Optional().Nillable().Comment("The group leader (组长)."),
	}
}

func (ResidentGroup) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("leader", Resident.Type).Ref("led_groups").Field("leader_id").Unique().Comment("Group leader (组长)."),
		edge.To("members", Resident.Type).Annotations(entgql.RelayConnection()).Comment("Members (组员)."),
	}
}

func (ResidentGroup) Indexes() []ent.Index {
	return []ent.Index{index.Fields("community_id", "name").Unique()}
}

// PointEvent holds the schema of points a resident earns or loses (积分制).
type PointEvent struct{ ent.Schema }

func (PointEvent) Mixin() []ent.Mixin { return []ent.Mixin{owned{ref: "point_events"}} }

func (PointEvent) Annotations() []schema.Annotation {
	return gql("Point event (积分): points a resident earns (volunteering, tidy frontage) or loses, under the community's points system (积分制).")
}

func (PointEvent) Fields() []ent.Field {
	return []ent.Field{
		field.Int("resident_id").Immutable().Comment("The resident."),
		date("occurred_on", "Occurred on (日期)."),
		field.Int("points").Range(-1000, 1000).Annotations(entgql.OrderField("POINTS")).Comment("Points (分值); negative when lost."),
		field.String("reason").Validate(text.Line).NotEmpty().MaxLen(128).Comment("Reason (事由), e.g. 志愿服务."),
	}
}

func (PointEvent) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("resident", Resident.Type).Ref("point_events").Field("resident_id").Unique().Required().Immutable().Comment("Resident (居民)."),
	}
}

func (PointEvent) Indexes() []ent.Index {
	return []ent.Index{index.Fields("community_id", "occurred_on"), index.Fields("resident_id")}
}
