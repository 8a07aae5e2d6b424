package money

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    Fen
		wantErr bool
	}{
		{"26868.00", 2686800, false},
		{"26868", 2686800, false},
		{"0.5", 50, false},
		{".5", 50, false},
		{"-1160.05", -116005, false},
		{"+3", 300, false},
		{" 12.34 ", 0, true},
		{" 12.00", 0, true},
		{"12.00\n", 0, true},
		{"1 000", 0, true},
		{"\u00a012", 0, true},
		{"1.005", 0, true},
		{"1,000.00", 0, true},
		{"1e3", 0, true},
		{"", 0, true},
		{"-", 0, true},
		{"1.", 0, true},
		{".", 0, true},
		{"12a", 0, true},
		{"999999999999999", 0, true},
		{"99999999999999.99", 9999999999999999, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrSyntax) {
					t.Fatalf("Parse(%q) = %v, %v; want ErrSyntax", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Parse(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		in            Fen
		plain, groupd string
	}{
		{2686800, "26868.00", "26,868.00"},
		{116005, "1160.05", "1,160.05"},
		{50, "0.50", "0.50"},
		{-123456789, "-1234567.89", "-1,234,567.89"},
		{0, "0.00", "0.00"},
		{10000000000, "100000000.00", "100,000,000.00"},
		{math.MinInt64, "-92233720368547758.08", "-92,233,720,368,547,758.08"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.plain {
			t.Errorf("%d.String() = %q, want %q", int64(tt.in), got, tt.plain)
		}
		if got := tt.in.Grouped(); got != tt.groupd {
			t.Errorf("%d.Grouped() = %q, want %q", int64(tt.in), got, tt.groupd)
		}
	}
}

func TestCapitals(t *testing.T) {
	tests := []struct {
		yuan string
		want string
	}{
		{"26868.00", "贰万陆仟捌佰陆拾捌元整"},
		{"0.50", "伍角"},
		{"0.05", "伍分"},
		{"0.55", "伍角伍分"},
		{"0", "零元整"},
		{"1160.05", "壹仟壹佰陆拾元零伍分"},
		{"1160.50", "壹仟壹佰陆拾元伍角"},
		{"36360.00", "叁万陆仟叁佰陆拾元整"},
		{"1005", "壹仟零伍元整"},
		{"10050", "壹万零伍拾元整"},
		{"10000", "壹万元整"},
		{"100000", "壹拾万元整"},
		{"110000", "壹拾壹万元整"},
		{"1001000", "壹佰万壹仟元整"},
		{"1000100", "壹佰万零壹佰元整"},
		{"100000000", "壹亿元整"},
		{"100000005", "壹亿零伍元整"},
		{"100010000", "壹亿零壹万元整"},
		{"123456789.12", "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元壹角贰分"},
		{"1000000000000", "壹万亿元整"},
		{"1234500000000", "壹万贰仟叁佰肆拾伍亿元整"},
		{"-0.50", "负伍角"},
		{"20.00", "贰拾元整"},
		{"101", "壹佰零壹元整"},
	}
	for _, tt := range tests {
		t.Run(tt.yuan, func(t *testing.T) {
			f, err := Parse(tt.yuan)
			if err != nil {
				t.Fatal(err)
			}
			if got := Capitals(f); got != tt.want {
				t.Fatalf("Capitals(%s) = %s, want %s", tt.yuan, got, tt.want)
			}
		})
	}
}

// moneyRule is Money's wire format, as the README states it.
var moneyRule = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]{1,2})?|\.[0-9]{1,2})$`)

func FuzzParse(f *testing.F) {
	for _, s := range []string{"26868.00", "-0.5", "1.005", "", "99999999999999.99", "+.1"} {
		f.Add(s)
	}
	f.Add(" 12.00")
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("Parse(%q): %v does not wrap ErrSyntax", s, err)
			}
			return
		}
		// The one rule: sign, digits, at most two decimals, nothing else.
		if !moneyRule.MatchString(s) {
			t.Fatalf("Parse(%q) = %d: accepted text outside the rule", s, v)
		}
		// Whatever parses prints back to a string that parses to the same amount.
		back, err := Parse(v.String())
		if err != nil || back != v {
			t.Fatalf("Parse(%q) = %d, but Parse(%q) = %d, %v", s, v, v.String(), back, err)
		}
		_ = Capitals(v)
		_ = v.Grouped()
	})
}

func FuzzUnmarshalGQL(f *testing.F) {
	for _, s := range []string{"26868.00", "-0.5", "1.005", "", "1e3", "0x10", "99999999999999999999"} {
		f.Add(s, int64(26868), 0.1)
	}
	f.Fuzz(func(t *testing.T, s string, n int64, x float64) {
		var a Fen
		errS := a.UnmarshalGQL(s)
		p, errP := Parse(s)
		if (errS == nil) != (errP == nil) || (errS == nil && a != p) {
			t.Fatalf("UnmarshalGQL(%q) = %d, %v but Parse = %d, %v", s, a, errS, p, errP)
		}
		if errS == nil {
			// What reads in writes out as a string that reads back the same.
			var buf bytes.Buffer
			a.MarshalGQL(&buf)
			text, err := strconv.Unquote(buf.String())
			var back Fen
			if err != nil || back.UnmarshalGQL(text) != nil || back != a {
				t.Fatalf("UnmarshalGQL(%q) = %d, written as %s, read back as %d", s, a, buf.String(), back)
			}
		}
		// Numbers are refused however they come: a literal (int64,
		// float64) or a JSON variable (json.Number).
		for _, num := range []any{n, int(n), x, json.Number(strconv.FormatInt(n, 10)), json.Number(s)} {
			var b Fen
			if err := b.UnmarshalGQL(num); !errors.Is(err, ErrSyntax) {
				t.Fatalf("UnmarshalGQL(%T %v) = %d, %v; want ErrSyntax", num, num, b, err)
			}
		}
	})
}

func TestRatio(t *testing.T) {
	tests := []struct {
		part, whole Fen
		want        string
		ok          bool
	}{
		{1, 8, "12.50", true},
		{123468, 1000000, "12.35", true}, // rounded, not truncated
		{-123468, 1000000, "-12.35", true},
		{1, 3, "33.33", true},
		{2, 3, "66.67", true},
		{0, 5, "0.00", true},
		{5, 0, "", false},
		{5, -1, "", false},
	}
	for _, tt := range tests {
		bp, ok := Ratio(tt.part, tt.whole)
		if ok != tt.ok || ok && Percent(bp) != tt.want {
			t.Errorf("Ratio(%d, %d) = %s, %v; want %s, %v", tt.part, tt.whole, Percent(bp), ok, tt.want, tt.ok)
		}
	}
}

func TestShares(t *testing.T) {
	tests := []struct {
		name  string
		parts []Fen
		want  []int64
		ok    bool
	}{
		{"thirds", []Fen{1, 1, 1}, []int64{3334, 3333, 3333}, true},
		// Rounded one by one these are 16.67 + 16.67 + 66.67 = 100.01.
		{"rounding each overshoots", []Fen{1, 1, 4}, []int64{1667, 1667, 6666}, true},
		// Rounded one by one 33.33 + 33.33 + 33.33 = 99.99.
		{"rounding each falls short", []Fen{3, 3, 3}, []int64{3334, 3333, 3333}, true},
		{"largest remainder wins", []Fen{1000, 2001, 6999}, []int64{1000, 2001, 6999}, true},
		{"zero part", []Fen{0, 5}, []int64{0, 10000}, true},
		{"huge", []Fen{Yuan(500_000_000_000), Yuan(1)}, []int64{10000, 0}, true},
		{"empty", nil, nil, false},
		{"all zero", []Fen{0, 0}, nil, false},
		{"negative", []Fen{5, -1}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Shares(tt.parts)
			if ok != tt.ok || fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("Shares(%v) = %v, %v; want %v, %v", tt.parts, got, ok, tt.want, tt.ok)
			}
			if !ok {
				return
			}
			var sum int64
			for i, s := range got {
				sum += s
				if r, _ := Ratio(tt.parts[i], func() Fen {
					var w Fen
					for _, p := range tt.parts {
						w += p
					}
					return w
				}()); s-r > 1 || r-s > 1 {
					t.Errorf("share %d = %d, Ratio gives %d: more than one basis point apart", i, s, r)
				}
			}
			if sum != 10_000 {
				t.Errorf("shares add up to %d basis points", sum)
			}
		})
	}
}

// FuzzFormat holds String and MarshalGQL, which write the digits
// themselves, to the fmt and strconv formatting they replaced.
func FuzzFormat(f *testing.F) {
	for _, v := range []int64{0, 5, 50, 99, 100, 2686800, -1, -50, -123456789, math.MaxInt64, math.MinInt64} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v int64) {
		sign, u := split(Fen(v))
		want := fmt.Sprintf("%s%d.%02d", sign, u/100, u%100)
		if got := Fen(v).String(); got != want {
			t.Fatalf("%d.String() = %q, want %q", v, got, want)
		}
		var b bytes.Buffer
		Fen(v).MarshalGQL(&b)
		if b.String() != strconv.Quote(want) {
			t.Fatalf("%d.MarshalGQL wrote %s, want %s", v, b.String(), strconv.Quote(want))
		}
	})
}
