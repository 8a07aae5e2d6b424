// Package scalar holds the GraphQL marshalling of Sunlight's Date, Time and ID scalars; the
// Money and Period scalars marshal themselves (packages money and calendar).
package scalar

import (
	"fmt"
	"io"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
)

// MarshalDate writes a civil date as "2026-10-31". Dates are on every row
// of most answers, so it writes the digits itself instead of going through
// time.Format and strconv.Quote (7% of a nested query's CPU when it did).
func MarshalDate(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		y, m, d := t.UTC().Date()
		var b [12]byte
		b[0], b[11] = '"', '"'
		b[1], b[2], b[3], b[4] = byte('0'+y/1000%10), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10)
		b[5], b[8] = '-', '-'
		b[6], b[7] = byte('0'+int(m)/10), byte('0'+int(m)%10)
		b[9], b[10] = byte('0'+d/10), byte('0'+d%10)
		_, _ = w.Write(b[:])
	})
}

// UnmarshalDate reads "2026-10-31" into a civil date.
func UnmarshalDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("%w: a Date is a string such as \"2026-10-31\", got %T", calendar.ErrSyntax, v)
	}
	return calendar.ParseDate(s)
}

// MarshalTime writes an instant as gqlgen does (RFC 3339, nanoseconds
// when there are any).
func MarshalTime(t time.Time) graphql.Marshaler { return graphql.MarshalTime(t) }

// UnmarshalTime reads an instant, RFC 3339 with its offset
// ("2026-11-01T02:00:00+08:00"), exactly so. gqlgen's own reader takes ""
// for the zero time (1 January of year 1), which would be stored as a real
// meeting time; and a string with spaces around it would not be refused by
// the same rule as Date and Period.
func UnmarshalTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("%w: a Time is a string such as \"2026-11-01T02:00:00+08:00\", got %T", calendar.ErrSyntax, v)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.IsZero() { // the zero instant is how gqlgen writes null
		return time.Time{}, fmt.Errorf("%w: %q is not a Time: RFC 3339 with an offset, such as \"2026-11-01T02:00:00+08:00\"", calendar.ErrSyntax, s)
	}
	return t, nil
}

// MarshalID writes a global ID (see ent's sql/globalid) as gqlgen does.
func MarshalID(id int) graphql.Marshaler { return graphql.MarshalIntID(id) }

// UnmarshalID reads a global ID. gqlgen's own reader returns a bare error
// for "abc", which cannot be told from a failure of the server; this one
// says it is the caller's input.
func UnmarshalID(v any) (int, error) {
	id, err := graphql.UnmarshalIntID(v)
	if err != nil {
		return 0, fail.Invalidf("%v is not an ID: IDs are the numbers this API returns in id fields", v)
	}
	return id, nil
}
