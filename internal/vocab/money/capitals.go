package money

import "strings"

var (
	capDigits = []rune("零壹贰叁肆伍陆柒捌玖")
	capUnits  = []string{"", "拾", "佰", "仟"}
	capGroups = []string{"", "万", "亿", "万"}
)

// Capitals writes f in Chinese financial capitals (人民币大写), the form that
// cannot be altered by adding a stroke: 26,868.00 → 贰万陆仟捌佰陆拾捌元整,
// 0.50 → 伍角, 1,160.05 → 壹仟壹佰陆拾元零伍分. A negative amount is prefixed
// with 负. It follows the usual bank rules: one 零 stands for any run of zeros
// inside the number, 整 ends an amount with no fen.
func Capitals(f Fen) string {
	sign, u := split(f)
	yuan, jiao, fen := u/100, (u/10)%10, u%10
	var b strings.Builder
	if sign != "" {
		b.WriteString("负")
	}
	if yuan == 0 && jiao == 0 && fen == 0 {
		b.WriteString("零元整")
		return b.String()
	}
	if yuan > 0 {
		b.WriteString(integerCapitals(yuan))
		b.WriteString("元")
	}
	switch {
	case jiao == 0 && fen == 0:
		b.WriteString("整")
	case jiao == 0:
		if yuan > 0 {
			b.WriteString("零")
		}
		b.WriteRune(capDigits[fen])
		b.WriteString("分")
	default:
		b.WriteRune(capDigits[jiao])
		b.WriteString("角")
		if fen > 0 {
			b.WriteRune(capDigits[fen])
			b.WriteString("分")
		}
	}
	return b.String()
}

// integerCapitals writes n > 0 in groups of four digits (个, 万, 亿, 万亿).
func integerCapitals(n uint64) string {
	var groups []uint64
	for n > 0 {
		groups = append(groups, n%10000)
		n /= 10000
	}
	var b strings.Builder
	pendingZero := false
	for gi := len(groups) - 1; gi >= 0; gi-- {
		g := groups[gi]
		if g == 0 {
			pendingZero = b.Len() > 0
			continue
		}
		// A group below 1000 after a higher group reads with a leading 零 (壹万零伍拾).
		if b.Len() > 0 && g < 1000 {
			pendingZero = true
		}
		for pos := 3; pos >= 0; pos-- {
			d := (g / pow10[pos]) % 10
			if d == 0 {
				if b.Len() > 0 && g%pow10[pos] != 0 {
					pendingZero = true
				}
				continue
			}
			if pendingZero {
				b.WriteString("零")
				pendingZero = false
			}
			b.WriteRune(capDigits[d])
			b.WriteString(capUnits[pos])
		}
		switch {
		case gi == 3 && groups[2] == 0:
			b.WriteString("万亿")
		default:
			b.WriteString(capGroups[gi])
		}
	}
	return b.String()
}

var pow10 = []uint64{1, 10, 100, 1000}
