// Package calendar is how Sunlight reasons about dates and periods. Every
// civil date (a voucher's date, a meeting's day, a birth date) is a calendar
// day in Asia/Shanghai, carried in a time.Time at 00:00 UTC of that day so
// that it compares, sorts and stores the same on SQLite and PostgreSQL
// whatever the server's own zone. Instants (when something was signed or
// published) are ordinary UTC times, converted to Shanghai only to find the
// day they fall on.
package calendar

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Shanghai is the zone every date and schedule is reasoned about in.
var Shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// A machine without tzdata still gets the right answer: China has
		// had no daylight saving time since 1991.
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}

// ErrSyntax is wrapped by every parse error of this package.
var ErrSyntax = errors.New("invalid date")

// Date returns the civil date y-m-d as Sunlight stores it.
func Date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// DayOf returns the civil date in Shanghai on which the instant t falls.
func DayOf(t time.Time) time.Time {
	s := t.In(Shanghai)
	return Date(s.Year(), s.Month(), s.Day())
}

// StartOf returns the instant a civil date begins in Shanghai.
func StartOf(d time.Time) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, Shanghai)
}

// ParseDate reads "2026-10-31", exactly: no spaces around it, as Money and
// Period (one rule for the API's scalars).
func ParseDate(s string) (time.Time, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w %q: write a date as YYYY-MM-DD, e.g. 2026-10-31", ErrSyntax, s)
	}
	return t, nil
}

// FormatDate writes a civil date as "2026-10-31".
func FormatDate(d time.Time) string { return d.UTC().Format("2006-01-02") }

// Period is a month ("2026-10") or a whole year ("2026").
type Period struct {
	Year  int
	Month time.Month // 0 for a whole year
}

// Month returns the period of one month.
func Month(y int, m time.Month) Period { return Period{Year: y, Month: m} }

// Year returns the period of one year.
func Year(y int) Period { return Period{Year: y} }

// MonthOf returns the month a civil date falls in.
func MonthOf(d time.Time) Period { return Period{Year: d.Year(), Month: d.Month()} }

// ParsePeriod reads "2026-10" or "2026", exactly: no spaces around it.
func ParsePeriod(s string) (Period, error) {
	fail := func() (Period, error) {
		return Period{}, fmt.Errorf("%w period %q: write a month as YYYY-MM (2026-10) or a year as YYYY (2026)", ErrSyntax, s)
	}
	ys, ms, isMonth := strings.Cut(s, "-")
	if len(ys) != 4 || (isMonth && len(ms) != 2) {
		return fail()
	}
	y, err := strconv.Atoi(ys)
	if err != nil || y < 1900 || y > 9999 {
		return fail()
	}
	if !isMonth {
		return Year(y), nil
	}
	m, err := strconv.Atoi(ms)
	if err != nil || m < 1 || m > 12 {
		return fail()
	}
	return Month(y, time.Month(m)), nil
}

// IsMonth reports whether p is a single month.
func (p Period) IsMonth() bool { return p.Month != 0 }

// IsZero reports whether p is the zero period.
func (p Period) IsZero() bool { return p.Year == 0 }

func (p Period) String() string {
	if p.IsZero() {
		return ""
	}
	if p.IsMonth() {
		return fmt.Sprintf("%04d-%02d", p.Year, int(p.Month))
	}
	return fmt.Sprintf("%04d", p.Year)
}

// Chinese writes the period as on a notice board: "2026年10月" or "2026年".
func (p Period) Chinese() string {
	if p.IsMonth() {
		return fmt.Sprintf("%d年%d月", p.Year, int(p.Month))
	}
	return fmt.Sprintf("%d年", p.Year)
}

// First returns the first civil date of the period.
func (p Period) First() time.Time {
	if p.IsMonth() {
		return Date(p.Year, p.Month, 1)
	}
	return Date(p.Year, time.January, 1)
}

// End returns the first civil date after the period, so that a period is
// the half-open range [First, End).
func (p Period) End() time.Time {
	if p.IsMonth() {
		return p.First().AddDate(0, 1, 0)
	}
	return p.First().AddDate(1, 0, 0)
}

// Last returns the last civil date of the period.
func (p Period) Last() time.Time { return p.End().AddDate(0, 0, -1) }

// Contains reports whether the civil date d falls in p.
func (p Period) Contains(d time.Time) bool {
	return !d.Before(p.First()) && d.Before(p.End())
}

// Prev returns the period before p (the month before, or the year before).
func (p Period) Prev() Period {
	if p.IsMonth() {
		return MonthOf(p.First().AddDate(0, -1, 0))
	}
	return Year(p.Year - 1)
}

// Next returns the period after p.
func (p Period) Next() Period {
	if p.IsMonth() {
		return MonthOf(p.End())
	}
	return Year(p.Year + 1)
}

// Before reports whether p starts before q.
func (p Period) Before(q Period) bool { return p.First().Before(q.First()) }

// MarshalGQL writes the period as a GraphQL string.
func (p Period) MarshalGQL(w io.Writer) {
	_, _ = w.Write([]byte(strconv.Quote(p.String())))
}

// UnmarshalGQL reads a GraphQL Period.
func (p *Period) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("%w period: expected a string such as \"2026-10\", got %T", ErrSyntax, v)
	}
	q, err := ParsePeriod(s)
	if err != nil {
		return err
	}
	*p = q
	return nil
}

// AgeOn returns how many full years someone born on birth is on the civil
// date on. A person born on 29 February becomes a year older on 1 March in
// common years, as Chinese civil law counts it.
func AgeOn(birth, on time.Time) int {
	age := on.Year() - birth.Year()
	bm, bd := birth.Month(), birth.Day()
	if bm == time.February && bd == 29 && !isLeap(on.Year()) {
		bm, bd = time.March, 1
	}
	if on.Month() < bm || (on.Month() == bm && on.Day() < bd) {
		age--
	}
	return age
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }
