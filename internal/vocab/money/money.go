// Package money is Sunlight's representation of amounts of renminbi: an exact
// count of fen (分, 0.01 yuan) in an int64, never a float. It parses and
// prints the decimal-yuan strings used on the GraphQL API ("26868.00"), the
// grouped form used on disclosure boards ("26,868.00") and the amount in
// Chinese capitals (人民币大写) printed on vouchers and reports.
package money

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"sort"
	"strconv"
	"strings"
)

// Fen is an amount in fen. 1 yuan = 100 fen.
type Fen int64

// Yuan returns n whole yuan as Fen.
func Yuan(n int64) Fen { return Fen(n * 100) }

// ErrSyntax is wrapped by every Parse error, so callers can map it to a
// user-facing "bad input" error in one place.
var ErrSyntax = errors.New("invalid amount")

// Parse reads a decimal yuan amount: an optional sign, digits, and at most two
// decimals ("26868", "26868.5", "-1160.05"). Spaces, thousands separators,
// exponents, more than two decimals and amounts beyond ±90 trillion yuan are
// refused: an amount that cannot be represented exactly is an error, never
// rounded, and one that is not written exactly so is not guessed at.
func Parse(s string) (Fen, error) {
	orig := s
	fail := func(why string) (Fen, error) {
		return 0, fmt.Errorf("%w %q: %s", ErrSyntax, orig, why)
	}
	if s == "" {
		return fail("empty")
	}
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && (!hasDot || frac == "") {
		return fail("no digits")
	}
	if hasDot && frac == "" {
		return fail("a decimal point must be followed by digits")
	}
	if len(frac) > 2 {
		return fail("more than two decimals (the smallest unit is one fen, 0.01 yuan)")
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return fail(fmt.Sprintf("unexpected character %q; write yuan with a dot and up to two decimals, e.g. \"26868.00\"", r))
			}
		}
	}
	if len(whole) > 14 {
		return fail("too large")
	}
	var w int64
	if whole != "" {
		var err error
		if w, err = strconv.ParseInt(whole, 10, 64); err != nil {
			return fail("too large")
		}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	v := w*100 + f
	if neg {
		v = -v
	}
	return Fen(v), nil
}

// String formats f as plain decimal yuan with two decimals: "26868.00", "-0.50".
func (f Fen) String() string {
	var b [24]byte
	return string(f.appendYuan(b[:0]))
}

// appendYuan appends f as String writes it. Money is on most rows of most
// answers, so it is written digit by digit instead of through fmt.Sprintf
// and strconv.Quote (three allocations per value in a nested query's
// profile).
func (f Fen) appendYuan(b []byte) []byte {
	sign, u := split(f)
	b = append(b, sign...)
	b = strconv.AppendUint(b, u/100, 10)
	c := u % 100
	return append(b, '.', byte('0'+c/10), byte('0'+c%10))
}

// Grouped formats f with thousands separators, as on a disclosure board: "26,868.00".
func (f Fen) Grouped() string {
	sign, u := split(f)
	digits := strconv.FormatUint(u/100, 10)
	var b strings.Builder
	b.WriteString(sign)
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	fmt.Fprintf(&b, ".%02d", u%100)
	return b.String()
}

func split(f Fen) (string, uint64) {
	if f < 0 {
		if f == math.MinInt64 {
			return "-", uint64(math.MaxInt64) + 1
		}
		return "-", uint64(-f)
	}
	return "", uint64(f)
}

// MarshalGQL writes f as a GraphQL Money string ("26868.00"): a string, not a
// number, so no client ever turns it into a float.
func (f Fen) MarshalGQL(w io.Writer) {
	var b [26]byte
	out := append(f.appendYuan(append(b[:0], '"')), '"')
	_, _ = w.Write(out)
}

// UnmarshalGQL reads a GraphQL Money value, a literal or a variable alike:
// a string that Parse reads, nothing else. A number is refused whether it
// is whole or not and however it came (a literal is an int64 or float64,
// a JSON variable a json.Number): a float has already lost the exact
// amount, and one rule for all is what a client can learn from one error.
func (f *Fen) UnmarshalGQL(v any) error {
	switch v := v.(type) {
	case string:
		p, err := Parse(v)
		if err != nil {
			return err
		}
		*f = p
		return nil
	case int64, int, float64, json.Number:
		return fmt.Errorf("%w: Money must be a string of yuan such as \"26868.00\", got the number %v; send it as a string", ErrSyntax, v)
	default:
		return fmt.Errorf("%w: Money must be a string of yuan such as \"26868.00\", got %T", ErrSyntax, v)
	}
}

// Sub returns f - g (used by templates, which cannot subtract).
func (f Fen) Sub(g Fen) Fen { return f - g }

// Ratio is part/whole in basis points (hundredths of a percent), rounded
// half away from zero; false when whole is not positive. Growth rates and
// shares printed in the API and in the reports all come from here, so a
// figure reads the same in both.
func Ratio(part, whole Fen) (int64, bool) {
	if whole <= 0 {
		return 0, false
	}
	n, d := int64(part)*10_000, int64(whole)
	q, r := n/d, n%d
	if 2*abs64(r) >= d {
		if n < 0 {
			q--
		} else {
			q++
		}
	}
	return q, true
}

// Percent formats basis points as a percentage with two decimals, without
// the sign: "12.50", "-3.07".
func Percent(bp int64) string {
	sign := ""
	if bp < 0 {
		sign, bp = "-", -bp
	}
	return fmt.Sprintf("%s%d.%02d", sign, bp/100, bp%100)
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// Shares splits 100.00% among parts in basis points by the largest
// remainder method (Hamilton): each share is its exact ratio rounded down,
// and the basis points still missing go one each to the parts with the
// largest remainders (ties to the earlier part), so the shares add up to
// exactly 10000 and a table's 合计 row is the sum of the rows above it. Each
// share differs from Ratio's rounding by at most one basis point. False
// when a part is negative or the parts do not add up to a positive whole.
func Shares(parts []Fen) ([]int64, bool) {
	var whole int64
	for _, p := range parts {
		if p < 0 {
			return nil, false
		}
		whole += int64(p)
	}
	if whole <= 0 {
		return nil, false
	}
	out := make([]int64, len(parts))
	rem := make([]int64, len(parts))
	left := int64(10_000)
	for i, p := range parts {
		// Multiply in two steps (parts fit int64 fen; ×10000 could not):
		// p*10000/whole = (p/whole)*10000 + (p%whole)*10000/whole.
		q, r := int64(p)/whole, int64(p)%whole
		hi, lo := bits.Mul64(uint64(r), 10_000)
		fq, fr := bits.Div64(hi, lo, uint64(whole))
		out[i] = q*10_000 + int64(fq)
		rem[i] = int64(fr)
		left -= out[i]
	}
	order := make([]int, len(parts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rem[order[a]] > rem[order[b]] })
	for k := 0; left > 0; k++ {
		out[order[k%len(order)]]++
		left--
	}
	return out, true
}
