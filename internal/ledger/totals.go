package ledger

import (
	"context"
	"fmt"
	"sort"
	"time"

	"entgo.io/ent/dialect/sql"

	"sunlight/ent"
	"sunlight/ent/community"
	"sunlight/ent/monthsum"
	"sunlight/ent/predicate"
	"sunlight/ent/voucher"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/vocab/money"
)

// CategoryTotal is the sum of posted vouchers of one category.
type CategoryTotal struct {
	Direction voucher.Direction
	Category  string
	Amount    money.Fen
	Vouchers  int
}

// AmountInCapitals is the amount in Chinese capitals (人民币大写).
func (c CategoryTotal) AmountInCapitals() string { return money.Capitals(c.Amount) }

// Totals are the ledger totals of a community over a range of months.
type Totals struct {
	CommunityID int
	Period      calendar.Period // the period asked for
	From, To    calendar.Period // first and last month summed
	Income      money.Fen
	Expense     money.Fen
	Categories  []CategoryTotal // income first, then expense, in board order
}

// Net is income minus expense.
func (t *Totals) Net() money.Fen { return t.Income - t.Expense }

// FirstDay is the first day summed.
func (t *Totals) FirstDay() time.Time { return t.From.First() }

// LastDay is the last day summed.
func (t *Totals) LastDay() time.Time { return t.To.Last() }

// Category returns the total of one category (zero if none was posted).
func (t *Totals) Category(d voucher.Direction, name string) money.Fen {
	for _, c := range t.Categories {
		if c.Direction == d && c.Category == name {
			return c.Amount
		}
	}
	return 0
}

// Span is a range of months, both ends included.
type Span struct{ From, To calendar.Period }

// PeriodSpan is the months of a period: the month itself, or a year's twelve.
func PeriodSpan(p calendar.Period) Span {
	if p.IsMonth() {
		return Span{p, p}
	}
	return Span{calendar.Month(p.Year, 1), calendar.Month(p.Year, 12)}
}

// YearToDateSpan is January through month (本年累计).
func YearToDateSpan(month calendar.Period) (Span, error) {
	if !month.IsMonth() {
		return Span{}, fail.Invalidf("year to date needs a month such as 2026-10, got %q", month)
	}
	return Span{calendar.Month(month.Year, 1), month}, nil
}

// MonthsSpan is from..to for a monthly series: two months, in order, at
// most MaxMonths apart.
func MonthsSpan(from, to calendar.Period) (Span, error) {
	if !from.IsMonth() || !to.IsMonth() {
		return Span{}, fail.Invalidf("monthly totals need months such as 2026-01 and 2026-12")
	}
	if to.Before(from) {
		return Span{}, fail.Invalidf("from %s is after to %s", from, to)
	}
	s := Span{from, to}
	if s.Months() > MaxMonths {
		return Span{}, fail.Invalidf("at most %d months at a time; %s to %s is more", MaxMonths, from, to)
	}
	return s, nil
}

// Months counts the months of s.
func (s Span) Months() int {
	return (s.To.Year-s.From.Year)*12 + int(s.To.Month) - int(s.From.Month) + 1
}

// Union is the smallest span holding s and o.
func (s Span) Union(o Span) Span {
	if o.From.Before(s.From) {
		s.From = o.From
	}
	if s.To.Before(o.To) {
		s.To = o.To
	}
	return s
}

// covers reports whether s holds every month of o.
func (s Span) covers(o Span) bool { return !o.From.Before(s.From) && !s.To.Before(o.To) }

// TotalsFor sums the posted vouchers of a period: a month or a whole year.
func TotalsFor(ctx context.Context, client *ent.Client, communityID int, p calendar.Period) (*Totals, error) {
	return sumMonths(ctx, client, communityID, p, PeriodSpan(p))
}

// YearToDate sums the posted vouchers from January through month (本年累计).
func YearToDate(ctx context.Context, client *ent.Client, communityID int, month calendar.Period) (*Totals, error) {
	span, err := YearToDateSpan(month)
	if err != nil {
		return nil, err
	}
	return sumMonths(ctx, client, communityID, month, span)
}

// sumMonths is one GROUP BY over the month sums of the closed months and
// the posted vouchers of the open ones (postedSource), or none when the
// operation has read the community's months already (Batch).
func sumMonths(ctx context.Context, client *ent.Client, communityID int, p calendar.Period, span Span) (*Totals, error) {
	rows, err := readSums(ctx, client, communityID, span, voucher.FieldDirection, voucher.FieldCategory)
	if err != nil {
		return nil, fmt.Errorf("sum vouchers of community %d for %s: %w", communityID, p, err)
	}
	t := &Totals{CommunityID: communityID, Period: p, From: span.From, To: span.To}
	t.add(rows)
	return t, nil
}

// add sums rows grouped by direction and category (and perhaps more) into
// t, keeping the categories income first and in board order.
func (t *Totals) add(rows []sumRow) {
	t.Income, t.Expense, t.Categories = addCategories(t.Income, t.Expense, t.Categories, rows)
}

// addCategories adds rows to income, expense and the categories, merging
// rows of the same direction and category, sorted income first and in
// board order: the one place totals by category are made.
func addCategories(income, expense money.Fen, cats []CategoryTotal, rows []sumRow) (money.Fen, money.Fen, []CategoryTotal) {
	type key struct {
		d voucher.Direction
		c string
	}
	index := make(map[key]int, len(cats))
	for i, c := range cats {
		index[key{c.Direction, c.Category}] = i
	}
	for _, r := range rows {
		k := key{r.Direction, r.Category}
		i, ok := index[k]
		if !ok {
			i = len(cats)
			index[k] = i
			cats = append(cats, CategoryTotal{Direction: r.Direction, Category: r.Category})
		}
		cats[i].Amount += money.Fen(r.Sum)
		cats[i].Vouchers += r.Count
		if r.Direction == voucher.DirectionINCOME {
			income += money.Fen(r.Sum)
		} else {
			expense += money.Fen(r.Sum)
		}
	}
	sort.Slice(cats, func(i, j int) bool {
		a, b := cats[i], cats[j]
		if a.Direction != b.Direction {
			return a.Direction == voucher.DirectionINCOME
		}
		ra, rb := categoryRank(a.Direction, a.Category), categoryRank(b.Direction, b.Category)
		if ra != rb {
			return ra < rb
		}
		return a.Category < b.Category
	})
	return income, expense, cats
}

// MonthTotals is the income and expense of one month, overall and by
// category.
type MonthTotals struct {
	Period     calendar.Period
	Income     money.Fen
	Expense    money.Fen
	Categories []CategoryTotal // income first, then expense, in board order
}

// Net is income minus expense.
func (m MonthTotals) Net() money.Fen { return m.Income - m.Expense }

// MaxMonths bounds MonthlyTotals so one request cannot ask for centuries.
const MaxMonths = 120

// MonthlyTotals returns every month from..to with its posted income and
// expense, overall and by category, zeros included, from one GROUP BY (see
// sumMonths).
func MonthlyTotals(ctx context.Context, client *ent.Client, communityID int, from, to calendar.Period) ([]MonthTotals, error) {
	span, err := MonthsSpan(from, to)
	if err != nil {
		return nil, err
	}
	rows, err := readSums(ctx, client, communityID, span, voucher.FieldPeriod, voucher.FieldDirection, voucher.FieldCategory)
	if err != nil {
		return nil, fmt.Errorf("monthly totals of community %d: %w", communityID, err)
	}
	return monthsOf(span, rows), nil
}

// monthsOf lays rows grouped by period, direction and category (of one
// community or summed over several) out as every month of span.
func monthsOf(span Span, rows []sumRow) []MonthTotals {
	months := make([]MonthTotals, 0, span.Months())
	index := make(map[string]int, span.Months())
	for m := span.From; !span.To.Before(m); m = m.Next() {
		index[m.String()] = len(months)
		months = append(months, MonthTotals{Period: m})
	}
	byMonth := make([][]sumRow, len(months))
	for _, r := range rows {
		if i, ok := index[r.Period]; ok {
			byMonth[i] = append(byMonth[i], r)
		}
	}
	for i := range months {
		m := &months[i]
		m.Income, m.Expense, m.Categories = addCategories(0, 0, nil, byMonth[i])
	}
	return months
}

// PostedIn selects a community's posted vouchers of the months of span:
// what every total, report and export counts (rule 3: only posted vouchers
// are the books).
func PostedIn(communityID int, span Span) predicate.Voucher {
	return voucher.And(postedBetween(communityID, span.From, span.To)...)
}

// postedBetween selects a community's posted vouchers of the months from..to.
func postedBetween(communityID int, from, to calendar.Period) []predicate.Voucher {
	return []predicate.Voucher{
		voucher.CommunityID(communityID),
		voucher.PeriodGTE(from.String()),
		voucher.PeriodLTE(to.String()),
		voucher.StatusEQ(voucher.StatusPOSTED),
	}
}

// postedSource makes an aggregate over a community's vouchers of the months
// from..to read, in place of the vouchers table, the month sums of its
// closed months and the posted vouchers of the rest: a derived table that
// keeps the table's name and the columns the query's predicates and the
// privacy filter refer to, with n, the number of vouchers a row stands for.
// Month sums exist only up to totals_through, and vouchers are read only
// after it, so no month is counted twice.
func postedSource(communityID int, from, to calendar.Period) func(*sql.Selector) {
	return postedSourceOf([]int{communityID}, from, to)
}

// postedSourceOf is postedSource over several communities at once, each
// read from its own month sums up to its own totals_through.
func postedSourceOf(communityIDs []int, from, to calendar.Period) func(*sql.Selector) {
	ids := make([]any, len(communityIDs))
	for i, id := range communityIDs {
		ids[i] = id
	}
	return func(s *sql.Selector) {
		b := sql.Dialect(s.Dialect())
		v := b.Table(voucher.Table)
		open := b.Select(v.C(voucher.FieldCommunityID), v.C(voucher.FieldPeriod), v.C(voucher.FieldStatus),
			v.C(voucher.FieldDirection), v.C(voucher.FieldCategory), v.C(voucher.FieldAmount), "1 AS n").
			From(v)
		open.Where(sql.And(
			sql.In(v.C(voucher.FieldCommunityID), ids...),
			sql.GTE(v.C(voucher.FieldPeriod), from.String()),
			sql.LTE(v.C(voucher.FieldPeriod), to.String()),
			sql.EQ(v.C(voucher.FieldStatus), voucher.StatusPOSTED.String()),
		))
		if len(communityIDs) == 1 {
			open.Where(afterTotals(v, communityIDs[0]))
		} else {
			// Joined, each community's bound is a parameter of the index
			// scan of its vouchers, so the vouchers of its closed months
			// are never read; as a correlated subquery (a filter) it read
			// every one of them in the span and threw them away — most of
			// PostgreSQL's time on a district's closed month. One
			// statement either way, so a month closing meanwhile is
			// counted from its vouchers or from its sums, never both.
			c := b.Table(community.Table)
			open.Join(c).OnP(sql.And(
				sql.ColumnsEQ(c.C(community.FieldID), v.C(voucher.FieldCommunityID)),
				sql.P(func(b *sql.Builder) {
					b.WriteString(v.C(voucher.FieldPeriod)).WriteString(" > COALESCE(").
						WriteString(c.C(community.FieldTotalsThrough)).WriteString(", '')")
				}),
			))
		}
		t := b.Table(monthsum.Table)
		closed := b.Select(t.C(monthsum.FieldCommunityID), t.C(monthsum.FieldPeriod), "'POSTED' AS status",
			t.C(monthsum.FieldDirection), t.C(monthsum.FieldCategory), t.C(monthsum.FieldAmount), t.C(monthsum.FieldVouchers)).
			From(t).
			Where(sql.And(
				sql.In(t.C(monthsum.FieldCommunityID), ids...),
				sql.GTE(t.C(monthsum.FieldPeriod), from.String()),
				sql.LTE(t.C(monthsum.FieldPeriod), to.String()),
			))
		s.From(open.UnionAll(closed).As(voucher.Table))
	}
}

// afterTotals is the voucher's period > the community's totals_through (or
// any period when it has none), the bound read once per statement.
func afterTotals(v *sql.SelectTable, communityID int) *sql.Predicate {
	return sql.P(func(b *sql.Builder) {
		b.WriteString(v.C(voucher.FieldPeriod)).WriteString(" > COALESCE((SELECT ")
		b.Ident(community.FieldTotalsThrough).WriteString(" FROM ").Ident(community.Table).
			WriteString(" WHERE ").Ident(community.FieldID).WriteString(" = ").Arg(communityID)
		b.WriteString("), '')")
	})
}

// groupSum selects the given columns with the sum of the amounts and the
// number of vouchers, grouped by the columns; for the postedSource table.
func groupSum(columns ...string) func(*sql.Selector) {
	return func(s *sql.Selector) {
		sel := s.Columns(columns...)
		sel = append(sel, sql.As(sql.Sum(s.C(voucher.FieldAmount)), "sum"), sql.As(sql.Sum(s.C("n")), "count"))
		s.Select(sel...).GroupBy(s.Columns(columns...)...)
	}
}
