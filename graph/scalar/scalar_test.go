package scalar

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"sunlight/internal/vocab/calendar"
)

// dateRule is Date's wire format, as the README states it.
var dateRule = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

func FuzzUnmarshalDate(f *testing.F) {
	for _, s := range []string{"2026-10-31", "2024-02-29", "2025-02-29", "2026-1-1", "0000-01-01", "9999-12-31", "2026-10-31T00:00:00Z", ""} {
		f.Add(s)
	}
	f.Add(" 2026-10-31")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := UnmarshalDate(s)
		if err != nil {
			return
		}
		if !dateRule.MatchString(s) {
			t.Fatalf("UnmarshalDate(%q) = %v: accepted text outside YYYY-MM-DD", s, d)
		}
		// A date that parses marshals back to a string that parses to the same date.
		var buf bytes.Buffer
		MarshalDate(d).MarshalGQL(&buf)
		text, err := strconv.Unquote(buf.String())
		if err != nil {
			t.Fatalf("MarshalDate(%v) wrote %s, not a JSON string: %v", d, buf.String(), err)
		}
		back, err := UnmarshalDate(text)
		if err != nil || !back.Equal(d) {
			t.Fatalf("UnmarshalDate(%q) = %v, but UnmarshalDate(%q) = %v, %v", s, d, text, back, err)
		}
		if !calendar.DayOf(d).Equal(d) {
			t.Fatalf("UnmarshalDate(%q) = %v, not the start of a civil day", s, d)
		}
	})
}

func FuzzUnmarshalDateNonString(f *testing.F) {
	f.Add(int64(20261031), 1.5)
	f.Fuzz(func(t *testing.T, i int64, x float64) {
		for _, v := range []any{i, x, nil, true, []any{"2026-10-31"}} {
			if d, err := UnmarshalDate(v); err == nil {
				t.Fatalf("UnmarshalDate(%#v) accepted a non-string as %v", v, d)
			}
		}
	})
}

func TestMarshalDateMatchesFormat(t *testing.T) {
	for _, d := range []time.Time{
		time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC),
		time.Date(1930, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 9, 0, 0, 0, 0, time.UTC),
	} {
		var b strings.Builder
		MarshalDate(d).MarshalGQL(&b)
		if want := `"` + d.Format("2006-01-02") + `"`; b.String() != want {
			t.Errorf("MarshalDate(%v) = %s, want %s", d, b.String(), want)
		}
	}
}
