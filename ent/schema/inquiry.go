package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"sunlight/internal/vocab/text"
)

// Inquiry holds the schema of a resident's question about a disclosure (质询).
type Inquiry struct{ ent.Schema }

func (Inquiry) Mixin() []ent.Mixin { return []ent.Mixin{owned{ref: "inquiries"}} }

func (Inquiry) Annotations() []schema.Annotation {
	return gql("Inquiry (质询): a resident's question about a voucher or a line of a report; staff must answer within 10 days.")
}

func (Inquiry) Fields() []ent.Field {
	return []ent.Field{
		field.Int("resident_id").Immutable().Comment("The resident who asked."),
		field.Int("voucher_id").Optional().Nillable().Comment("The voucher asked about."),
		field.Int("report_id").Optional().Nillable().Comment("The report asked about."),
		field.String("report_line").Validate(text.Line).Default("").MaxLen(128).Comment("The report line asked about (报告条目), e.g. 办公经费."),
		date("asked_on", "Asked on (提出日期)."),
		field.Text("question").Validate(text.Prose).NotEmpty().Comment("Question (质询内容)."),
		field.Text("answer").Validate(text.Prose).Default("").Comment("Answer (答复)."),
		date("answered_on", "Answered on (答复日期); empty while open.", optional),
		field.String("answered_by").Validate(text.Line).Default("").MaxLen(32).Comment("Who answered (答复人)."),
	}
}

func (Inquiry) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("resident", Resident.Type).Ref("inquiries").Field("resident_id").Unique().Required().Immutable().Comment("Resident (居民)."),
		edge.From("voucher", Voucher.Type).Ref("inquiries").Field("voucher_id").Unique().Comment("Voucher (凭证)."),
		edge.From("report", Report.Type).Ref("inquiries").Field("report_id").Unique().Comment("Report (报告)."),
	}
}

func (Inquiry) Indexes() []ent.Index {
	return []ent.Index{index.Fields("community_id", "answered_on", "asked_on")}
}
