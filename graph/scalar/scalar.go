// Package scalar holds the GraphQL marshalling of Sunlight's Date scalar; the
// Money and Period scalars marshal themselves (packages money and calendar).
package scalar

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"sunlight/calendar"
)

// MarshalDate writes a civil date as "2026-10-31".
func MarshalDate(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(calendar.FormatDate(t)))
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
