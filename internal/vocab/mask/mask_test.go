package mask

import "testing"

func TestMask(t *testing.T) {
	tests := []struct {
		name string
		fn   func(string) string
		in   string
		want string
	}{
		{"id", IDNumber, "430602195703151234", "430***********1234"},
		{"id with X", IDNumber, "43060219570315123X", "430***********123X"},
		{"short id", IDNumber, "1234567", "*******"},
		{"phone", Phone, "13812345678", "138****5678"},
		{"empty phone", Phone, "", ""},
		{"three-character name", Name, "张晓春", "张*春"},
		{"two-character name", Name, "李明", "李*"},
		{"four-character name", Name, "欧阳春晓", "欧**晓"},
		{"one character", Name, "王", "*"},
		{"spaces around", Name, " 张三春 ", "张*春"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.fn(tt.in); got != tt.want {
				t.Fatalf("mask(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCounterparty(t *testing.T) {
	tests := map[string]string{
		"张晓春":  "张*春",
		"欧阳春晓": "欧**晓",
		"岳阳市恒建建设工程有限公司": "岳阳市恒建建设工程有限公司",
		"社区居委会":         "社区居委会",
		"受助居民":          "受**民",
		"国网岳阳供电公司":      "国网岳阳供电公司",
		"王会英":           "王*英", // 会 inside a name, not an association
		"李行":            "李*",
		"陈所长":           "陈*长",
		"刘院生":           "刘*生",
		"龙山饭店":          "龙山饭店",
		"南湖粮站":          "南湖粮站",
		"":              "",
	}
	for in, want := range tests {
		if got := Counterparty(in); got != want {
			t.Errorf("Counterparty(%q) = %q, want %q", in, got, want)
		}
	}
}
