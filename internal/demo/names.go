package demo

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Invented names: no real person's data is in the demo.
var (
	surnames = []rune("王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗彭易许任谭邓曾肖袁龙")
	given    = []rune("建国华明丽芳秀英志强伟军红梅桂兰玉珍德胜海燕春秋冬雪云霞平安永福金山林青松文武晓敏")
)

func personName(r *rand.Rand) string {
	s := surnames[r.IntN(len(surnames))]
	n := 1 + r.IntN(2)
	out := []rune{s}
	for range n {
		out = append(out, given[r.IntN(len(given))])
	}
	return string(out)
}

// idNumber makes a well-formed but invented resident ID number (GB 11643):
// Yueyang's area code, the birth date, a sequence and the ISO 7064 check.
func idNumber(birth time.Time, seq int, female bool) string {
	if female && seq%2 == 1 || !female && seq%2 == 0 {
		seq++
	}
	body := fmt.Sprintf("430602%s%03d", birth.Format("20060102"), seq%1000)
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, c := range body {
		sum += int(c-'0') * weights[i]
	}
	return body + string("10X98765432"[sum%11])
}

func phone(r *rand.Rand) string {
	return fmt.Sprintf("1%d%d%08d", 3+r.IntN(6), r.IntN(10), r.IntN(100_000_000))
}
