package scalar

import (
	"bytes"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"entgo.io/contrib/entgql"

	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
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

func FuzzUnmarshalTime(f *testing.F) {
	for _, s := range []string{"2026-11-01T02:00:00+08:00", "2026-11-01T02:00:00Z", "2026-11-01T02:00:00.123456789+08:00", "", " 2026-11-01T02:00:00Z", "2026-11-01", "2026-11-01 02:00:00", "2026-13-01T02:00:00Z", "0000-01-01T00:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := UnmarshalTime(s)
		if err != nil {
			if !errors.Is(err, calendar.ErrSyntax) {
				t.Fatalf("UnmarshalTime(%q): %v is not the caller's error", s, err)
			}
			return
		}
		if s == "" || strings.TrimSpace(s) != s || tm.IsZero() {
			t.Fatalf("UnmarshalTime(%q) = %v: accepted", s, tm)
		}
		var buf bytes.Buffer
		MarshalTime(tm).MarshalGQL(&buf)
		text, err := strconv.Unquote(buf.String())
		if err != nil {
			t.Fatalf("MarshalTime(%v) wrote %s, not a JSON string: %v", tm, buf.String(), err)
		}
		back, err := UnmarshalTime(text)
		if err != nil || !back.Equal(tm) {
			t.Fatalf("UnmarshalTime(%q) = %v, but UnmarshalTime(%q) = %v, %v", s, tm, text, back, err)
		}
	})
}

func FuzzUnmarshalTimeNonString(f *testing.F) {
	f.Add(int64(1761962400), 1.5)
	f.Fuzz(func(t *testing.T, i int64, x float64) {
		for _, v := range []any{i, x, nil, true, []any{"2026-11-01T02:00:00Z"}} {
			if tm, err := UnmarshalTime(v); err == nil {
				t.Fatalf("UnmarshalTime(%#v) accepted a non-string as %v", v, tm)
			}
		}
	})
}

func FuzzUnmarshalID(f *testing.F) {
	for _, s := range []string{"81604378625", "1", "0", "-1", "+5", " 12", "12 ", "abc", "", "99999999999999999999", "1e3", "0x10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := UnmarshalID(s)
		if err != nil {
			if e, ok := fail.As(err); !ok || e.Code != fail.BadInput {
				t.Fatalf("UnmarshalID(%q): %v is not BAD_USER_INPUT", s, err)
			}
			return
		}
		// What is accepted is a number that marshals back to itself.
		var buf bytes.Buffer
		MarshalID(id).MarshalGQL(&buf)
		text, err := strconv.Unquote(buf.String())
		if err != nil {
			t.Fatalf("MarshalID(%d) wrote %s, not a JSON string: %v", id, buf.String(), err)
		}
		back, err := UnmarshalID(text)
		if err != nil || back != id {
			t.Fatalf("UnmarshalID(%q) = %d, but UnmarshalID(%q) = %d, %v", s, id, text, back, err)
		}
	})
}

// FuzzUnmarshalCursor: a cursor is the caller's opaque string; whatever it
// holds, reading it fails with an error or gives a cursor that writes back
// to a string read as the same cursor (never a panic).
func FuzzUnmarshalCursor(f *testing.F) {
	var good bytes.Buffer
	entgql.Cursor[int]{ID: 81604378625, Value: "阁子市"}.MarshalGQL(&good)
	for _, s := range []string{strings.Trim(good.String(), `"`), "", "AAAA", "%%%", "not-a-cursor", "gqFp"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var c entgql.Cursor[int]
		if err := c.UnmarshalGQL(s); err != nil {
			return
		}
		var buf bytes.Buffer
		c.MarshalGQL(&buf)
		var back entgql.Cursor[int]
		if err := back.UnmarshalGQL(strings.Trim(buf.String(), `"`)); err != nil || back.ID != c.ID {
			t.Fatalf("cursor %q = %+v, written back as %s: %+v, %v", s, c, buf.String(), back, err)
		}
	})
}
