package pinyin

import (
	"slices"
	"strings"
	"testing"
)

func TestKey(t *testing.T) {
	tests := []struct{ s, want string }{
		{"阁子市社区", "ge2zi5shi4she4qu1"},
		{"枫桥", "feng1qiao2"},
		{"A区 3号", "aqu13hao4"},
		{"", ""},
		{"—", ""},
	}
	for _, tt := range tests {
		if got := Key(tt.s); got != tt.want {
			t.Errorf("Key(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

// TestKeyOrdersByPinyin: the demo's communities sort as a Chinese reader
// sorts them, not by code point.
func TestKeyOrdersByPinyin(t *testing.T) {
	names := []string{"望湖社区", "枫桥社区", "阁子市社区", "龙山社区", "马家村", "妈祖庙"}
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(Key(a), Key(b)) })
	want := []string{"枫桥社区", "阁子市社区", "龙山社区", "妈祖庙", "马家村", "望湖社区"}
	if !slices.Equal(names, want) {
		t.Fatalf("%v, want %v", names, want)
	}
}

func FuzzKey(f *testing.F) {
	for _, s := range []string{"阁子市社区", "A区 3号", "\x00", "𠮷野家", "Ünïcode"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := Key(s)
		for _, r := range k {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
				t.Fatalf("Key(%q) = %q holds %q", s, k, r)
			}
		}
		if Key(s) != k {
			t.Fatalf("Key(%q) is not stable", s)
		}
	})
}
