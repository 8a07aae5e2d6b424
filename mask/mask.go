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
