package calendar

import (
	"regexp"
	"testing"
)

// periodRule is Period's wire format, as the README states it.
var periodRule = regexp.MustCompile(`^[0-9]{4}(-[0-9]{2})?$`)

func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"2026-10", "2026", " 2026-01 ", "2026-13", "1899", "-2026", "2026-1", "２０２６", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePeriod(s)
		var q Period
		gqlErr := q.UnmarshalGQL(s)
		if (err == nil) != (gqlErr == nil) || q != p {
			t.Fatalf("ParsePeriod(%q) = %v, %v but UnmarshalGQL gives %v, %v", s, p, err, q, gqlErr)
		}
		if err != nil {
			if q != (Period{}) {
				t.Fatalf("a refused period %q changed the value to %v", s, q)
			}
			return
		}
		if !periodRule.MatchString(s) {
			t.Fatalf("ParsePeriod(%q) = %v: accepted text outside YYYY or YYYY-MM", s, p)
		}
		// Whatever parses prints back to a string that parses to the same period.
		back, err := ParsePeriod(p.String())
		if err != nil || back != p {
			t.Fatalf("ParsePeriod(%q) = %v, but ParsePeriod(%q) = %v, %v", s, p, p.String(), back, err)
		}
		if !p.First().Before(p.End()) || !p.Contains(p.Last()) || p.Contains(p.End()) {
			t.Fatalf("period %v: first %v, last %v, end %v are out of order", p, p.First(), p.Last(), p.End())
		}
		_ = p.Chinese()
		_ = p.Prev().Next()
	})
}

func FuzzPeriodUnmarshalGQLNonString(f *testing.F) {
	f.Add(int64(2026), 10.5, true)
	f.Fuzz(func(t *testing.T, i int64, x float64, b bool) {
		for _, v := range []any{i, x, b, nil, []any{i}, map[string]any{"y": i}} {
			var p Period
			if err := p.UnmarshalGQL(v); err == nil {
				t.Fatalf("UnmarshalGQL(%#v) accepted a non-string as %v", v, p)
			}
		}
	})
}
