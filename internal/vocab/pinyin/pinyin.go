// Package pinyin gives Chinese text the order Chinese readers expect, by
// pinyin (枫桥, 阁子市, 龙山, 望湖), where code points give 望湖, 枫桥, 阁子市,
// 龙山. Key is stored beside a name (communities.name_sort) and the NAME
// order of the API sorts by it, in the database, on SQLite and PostgreSQL
// alike.
package pinyin

import (
	"strings"
	"unicode"

	gopinyin "github.com/mozillazg/go-pinyin"
)

var args = func() gopinyin.Args {
	a := gopinyin.NewArgs()
	a.Style = gopinyin.Tone3 // "feng1": syllable, then tone, as dictionaries order
	return a
}()

// Key is the sort key of s: each Han character as its pinyin syllable with
// its tone digit (the first reading of a character with several), ASCII
// letters lower-cased and digits as they are; everything else (spaces,
// punctuation, other scripts) is left out. It holds only a–z and 0–9, so
// every database collation (PostgreSQL's en_US.UTF-8 as much as C, or
// SQLite's binary) orders keys the same way. Stored keys that differ from
// Key (older rows, or a new rule) are rewritten at start-up.
func Key(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteRune(unicode.ToLower(r))
		case unicode.Is(unicode.Han, r):
			for _, p := range gopinyin.SinglePinyin(r, args) {
				b.WriteString(p)
				if last := p[len(p)-1]; last < '0' || last > '9' {
					b.WriteByte('5') // the neutral tone, after the four
				}
				break
			}
		}
	}
	return b.String()
}
