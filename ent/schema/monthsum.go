package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"sunlight/internal/access/policy"
	"sunlight/internal/vocab/money"
)

// MonthSum holds the schema of a closed month's posted vouchers summed by
// direction and category (月度汇总). Closing a month (月月清) writes them in
// the same transaction, and a closed month's vouchers can no longer change,
// so the sums stay exact: the ledger's aggregates read them for closed
// months instead of scanning every voucher (package ledger).
type MonthSum struct{ ent.Schema }

func (MonthSum) Mixin() []ent.Mixin { return []ent.Mixin{owned{ref: "month_sums"}} }

func (MonthSum) Annotations() []schema.Annotation {
	// Derived data, served through the ledger's aggregates, not as a type.
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

func (MonthSum) Fields() []ent.Field {
	return []ent.Field{
		field.String("period").Match(monthPattern).Immutable().Comment("The closed month, e.g. 2026-10."),
		field.Enum("direction").Values("INCOME", "EXPENSE").Immutable().Comment("Income (收入) or expense (支出)."),
		field.String("category").NotEmpty().MaxLen(32).Immutable().Comment("Ledger category (科目)."),
		field.Int64("amount").GoType(money.Fen(0)).Immutable().Comment("Sum of the month's posted vouchers of the category, in fen."),
		field.Int("vouchers").NonNegative().Immutable().Comment("How many posted vouchers the sum has."),
	}
}

func (MonthSum) Indexes() []ent.Index {
	return []ent.Index{index.Fields("community_id", "period", "direction", "category").Unique()}
}

// Anyone who may read the posted vouchers may read their sums; only the
// ledger writes them, when a month closes (a hook in package ledger).
func (MonthSum) Policy() ent.Policy { return policy.Owned("MonthSum", policy.Everything, staff) }
