package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
)

// OpeningBalance holds the schema of a community's opening balance (期初余额):
// what its books held when they came onto the platform mid-way, entered once
// before its first disclosure prints it. One per community; the rules
// (amounts, the go-live month, frozen once a disclosure is published) are
// package ledger's hooks.
type OpeningBalance struct{ ent.Schema }

func (OpeningBalance) Mixin() []ent.Mixin { return []ent.Mixin{owned{ref: "opening_balance"}} }

func (OpeningBalance) Annotations() []schema.Annotation {
	// A type of the API (Community.openingBalance), written only through
	// setOpeningBalance.
	return []schema.Annotation{
		schema.Comment("Opening balance (期初余额): the cash and bank balance of a community's books at the start of its go-live month, and what it took in and spent earlier that year; printed on every monthly disclosure from the go-live month on."),
	}
}

func (OpeningBalance) Fields() []ent.Field {
	return []ent.Field{
		field.String("period").Match(monthPattern).
			Annotations(entgql.Type("Period")).
			Comment("The go-live month (上线月份) whose first day the balance is at, e.g. 2026-09; the month of the community's establishedOn, set by the platform."),
		amount("balance", "Opening balance (期初余额): cash and bank deposits at the start of the go-live month."),
		amount("income_before", "Income earlier in the go-live month's year, before the books came onto the platform (上线前本年累计收入); 0.00 when the go-live month is January."),
		amount("expense_before", "Expense earlier in the go-live month's year, before the books came onto the platform (上线前本年累计支出)."),
	}
}

// One per community: the community's edge to it is unique, which makes
// community_id a unique key.
