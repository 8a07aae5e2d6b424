// Package mask hides personal data wherever it is shown to someone other
// than the resident's own community staff (rule 7 of the design): ID-card
// numbers, phone numbers, and names in published reports.
package mask

import "strings"

// IDNumber keeps the first three and last four characters of an ID-card
// number: 430***********1234.
func IDNumber(id string) string { return maskMiddle(id, 3, 4) }

// Phone keeps the first three and last four digits: 138****5678.
func Phone(p string) string { return maskMiddle(p, 3, 4) }

// Name keeps the first and last character of a name: 张*春, 欧**明, 李*;
// a one-character name is masked whole, since it would identify the person.
func Name(name string) string {
	r := []rune(strings.TrimSpace(name))
	switch len(r) {
	case 0:
		return ""
	case 1:
		return "*"
	case 2:
		return string(r[0]) + "*"
	default:
		return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
	}
}

func maskMiddle(s string, head, tail int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= head+tail {
		return strings.Repeat("*", len(r))
	}
	return string(r[:head]) + strings.Repeat("*", len(r)-head-tail) + string(r[len(r)-tail:])
}

// organisations are words found in the names of companies and public
// bodies, anywhere in the name; organisationEnds are single characters
// that end one (龙山饭店, 南湖粮站) but are common inside people's names
// too (王会英, 李行, 陈所长), so they count only at the end of a name of
// four characters. A counterparty without either is taken for a private
// person; where in doubt the name is masked.
var (
	organisations    = []string{"公司", "集团", "合作", "中心", "政府", "银行", "医院", "学校", "委员会"}
	organisationEnds = []string{"社", "局", "院", "委", "会", "厂", "店", "部", "所", "站", "场", "校", "行", "处", "队", "组"}
)

// IsPersonName reports whether a counterparty looks like a private person's
// name: two to four characters and no word of an organisation. Published
// reports and open data mask such names (rule 7).
func IsPersonName(s string) bool {
	s = strings.TrimSpace(s)
	n := len([]rune(s))
	if n < 2 || n > 4 {
		return false
	}
	for _, w := range organisations {
		if strings.Contains(s, w) {
			return false
		}
	}
	if n == 4 {
		for _, w := range organisationEnds {
			if strings.HasSuffix(s, w) {
				return false
			}
		}
	}
	return true
}

// Counterparty masks s when it is a person's name and leaves an
// organisation's name as it is.
func Counterparty(s string) string {
	if IsPersonName(s) {
		return Name(s)
	}
	return s
}
