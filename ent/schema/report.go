package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Report holds the schema of a generated report (报告): a monthly disclosure or a yearly summary.
type Report struct{ ent.Schema }

func (Report) Mixin() []ent.Mixin { return []ent.Mixin{owned{ref: "reports"}} }

func (Report) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField().Description("Reports (报告) generated and published, with their hash chain."),
		entgql.RelayConnection(),
		schema.Comment("Report (报告): a monthly disclosure (财务公开) or yearly asset-growth summary as a PDF. Published reports are evidence: never changed, chained by SHA-256."),
	}
}

func (Report) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("kind").Values("MONTHLY_DISCLOSURE", "YEARLY_ASSET_GROWTH").Immutable().Annotations(entgql.OrderField("KIND")).
			Comment("Kind (类别): MONTHLY_DISCLOSURE 月度财务公开, YEARLY_ASSET_GROWTH 年度集体资产增长情况."),
		field.String("period").Immutable().Match(periodPattern).Annotations(entgql.Type("Period"), entgql.OrderField("PERIOD")).
			Comment("Period (期间): the month or year reported on."),
		field.String("number").Default("").MaxLen(64).Comment("Report number (报告编号)."),
		field.Enum("status").Values("PUBLISHED", "WITHDRAWN").Default("PUBLISHED").
			Comment("Status (状态): PUBLISHED 已发布."),
		field.String("sha256").Default("").MaxLen(64).Comment("SHA-256 of the PDF, hex."),
		field.String("prev_sha256").Default("").MaxLen(64).Comment("SHA-256 of the previous published report of the same community and kind: the chain (哈希链)."),
		field.Int64("size").Default(0).Comment("Size of the PDF in bytes."),
		field.String("storage_key").Default("").MaxLen(256).Annotations(entgql.Skip(entgql.SkipType)).Comment("Key of the PDF in the report store."),
		field.Time("generated_at").Comment("When the PDF was generated (生成时间)."),
		field.Time("published_at").Optional().Nillable().Annotations(entgql.OrderField("PUBLISHED_AT")).Comment("When it was published (发布时间)."),
		field.Text("inputs").Default("").Immutable().Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("What the PDF was rendered from (the gathered report, canonical JSON), frozen with it: verify regenerates the bytes from it and checks its vouchers against the books. Empty on reports published before inputs were kept."),
	}
}

func (Report) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("inquiries", Inquiry.Type).Annotations(entgql.RelayConnection()).Comment("Inquiries (质询) about the report."),
	}
}

func (Report) Indexes() []ent.Index {
	// At most one report per (community, kind, period): the database keeps publishing exactly-once.
	return []ent.Index{index.Fields("community_id", "kind", "period").Unique()}
}

// JobRun holds the schema of one run of a scheduled job (任务运行记录).
type JobRun struct{ ent.Schema }

func (JobRun) Mixin() []ent.Mixin { return []ent.Mixin{owned{ref: "job_runs"}} }

func (JobRun) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField().Description("Runs of the scheduler's jobs, newest first when ordered by SCHEDULED_FOR DESC."),
		entgql.RelayConnection(),
		schema.Comment("Job run (任务运行): one attempt of the scheduler to make a report for a community and period."),
	}
}

func (JobRun) Fields() []ent.Field {
	return []ent.Field{
		field.String("job").NotEmpty().MaxLen(64).Comment("Job name, e.g. monthly-disclosure."),
		field.String("period").Match(periodPattern).Annotations(entgql.Type("Period")).Comment("Period the run reports on."),
		field.Time("scheduled_for").Annotations(entgql.OrderField("SCHEDULED_FOR")).Comment("When the run was due."),
		field.Time("started_at").Comment("When it started."),
		field.Time("finished_at").Optional().Nillable().Comment("When it finished."),
		field.Int("attempt").Default(1).Positive().Comment("Attempt number, from 1."),
		field.Enum("status").Values("RUNNING", "SUCCEEDED", "FAILED", "SKIPPED").Default("RUNNING").
			Comment("Status: RUNNING, SUCCEEDED, FAILED (error kept), SKIPPED (already made by another run)."),
		field.Text("error").Default("").Comment("Error of a failed run."),
		// The lease is how a run whose process died is told from one that
		// is slow: the live instance renews it while it works, and another
		// takes a RUNNING run over once it has passed (package jobs).
		field.Time("lease_until").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("Until when the instance running it holds the run; renewed while it works, taken over once passed."),
	}
}

func (JobRun) Indexes() []ent.Index {
	return []ent.Index{index.Fields("job", "community_id", "period", "attempt").Unique()}
}

// AuditEvent holds the schema of one recorded write (审计记录).
type AuditEvent struct{ ent.Schema }

func (AuditEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField().Description("The audit trail (审计记录): every write, who made it and what it changed."),
		entgql.RelayConnection(),
		schema.Comment("Audit event (审计记录): who changed which record when, with the values before and after."),
	}
}

func (AuditEvent) Fields() []ent.Field {
	return []ent.Field{
		field.Time("at").Immutable().Annotations(entgql.OrderField("AT")).Comment("When the write happened."),
		field.String("actor").Immutable().Default("").Comment("Who made it (the account or process)."),
		field.Enum("action").Values("CREATE", "UPDATE", "DELETE").Immutable().Comment("What kind of write."),
		field.String("entity").Immutable().Comment("Type of the record, e.g. Voucher."),
		field.Int("entity_id").Immutable().Comment("ID of the record (its global ID).").
			Annotations(entgql.Type("ID")),
		field.Int("community_id").Optional().Nillable().Immutable().Comment("Community the record belongs to.").
			Annotations(entgql.Type("ID")),
		field.Text("before").Immutable().Default("").Comment("The record's fields before the write, as JSON (empty for a create)."),
		field.Text("after").Immutable().Default("").Comment("The record's fields after the write, as JSON (empty for a delete)."),
	}
}

func (AuditEvent) Indexes() []ent.Index {
	return []ent.Index{index.Fields("entity_id", "at"), index.Fields("community_id", "at")}
}
