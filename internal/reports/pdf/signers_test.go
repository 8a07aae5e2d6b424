package pdf

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// nineSigners are the fixture's signers: who signs every voucher, with the
// fingerprints of their keys.
var nineSigners = []VoucherSigner{
	{"刘建华", CapSecretary, "3f2a-91c0-7d4e-b815", false},
	{"陈晓梅", CapPreparer, "0b1c-2d3e-4f50-6172", false},
	{"周丽娟", CapAccountant, "8394-a5b6-c7d8-e9f0", false},
	{"吴国平", CapCashier, "1a2b-3c4d-5e6f-7081", false},
	{"郑海燕", CapCommittee, "92a3-b4c5-d6e7-f809", false},
	{"孙志强", CapCommittee, "aabb-ccdd-eeff-0011", false},
	{"黄桂英", CapSupervisor, "2233-4455-6677-8899", false},
	{"林德明", CapSupervisor, "c0ff-ee00-1234-5678", false},
	{"何秀兰", CapRepresentative, "dead-beef-0000-9999", false},
}

// signAll gives every voucher of m the nine signers; nameOnly makes the
// first voucher's signatures name-only, as recorded before keys.
func signAll(m *Monthly, nameOnly bool) {
	for i := range m.Vouchers {
		m.Vouchers[i].Signers = append([]VoucherSigner(nil), nineSigners...)
		m.Vouchers[i].Signatures = len(nineSigners)
	}
	if nameOnly {
		m.Vouchers[0].Signers = []VoucherSigner{{Name: "赵大勇", Capacity: CapSecretary, NameOnly: true}, {Name: "钱小红", Capacity: CapAccountant, NameOnly: true}}
		m.Vouchers[0].Signatures = 2
	}
}

// TestSignerSection: a layout 3 disclosure names each signer (masked),
// capacity and key fingerprint, and the vouchers signed; name-only
// signatures are said to be unverified; the text is what pdftotext reads.
func TestSignerSection(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		nameOnly bool
		want     []string
		not      []string
	}{
		{"all signed with keys", false,
			[]string{"八、凭证审批签字", "刘*华", "书记", "3f2a-91c0-7d4e-b815", "何*兰", "居民代表", "dead-beef-0000-9999", "本月全部凭证（66 张）", "sunlight verify"},
			[]string{nameOnlyNote, "刘建华"}},
		{"name-only signatures", true,
			[]string{"赵*勇", "钱*红", "会计", nameOnlyNote, "记-2026-10-002", "不计为已验证签名", "3f2a-91c0-7d4e-b815"},
			[]string{"本月全部凭证", "赵大勇"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := octoberFixture()
			m.Layout = Layout3
			signAll(m, tc.nameOnly)
			var b bytes.Buffer
			if err := r.Monthly(&b, m); err != nil {
				t.Fatal(err)
			}
			text := strings.ReplaceAll(pdfText(t, b.Bytes()), " ", "")
			for _, w := range tc.want {
				if !strings.Contains(text, strings.ReplaceAll(w, " ", "")) {
					t.Errorf("pdftotext output lacks %q", w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(text, w) {
					t.Errorf("pdftotext output has %q", w)
				}
			}
			var again bytes.Buffer
			if err := r.Monthly(&again, m); err != nil || !bytes.Equal(b.Bytes(), again.Bytes()) {
				t.Errorf("same data, other bytes (err %v)", err)
			}
		})
	}
	t.Run("no vouchers", func(t *testing.T) {
		m := octoberFixture()
		m.Layout, m.Vouchers = Layout3, nil
		text, err := r.MonthlyText(m)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text, "本月无记账凭证，无审批签字。") {
			t.Errorf("no word on signatures for a month without vouchers:\n%s", text)
		}
	})
}

func TestSignerSectionBadInput(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		g    VoucherSigner
	}{
		{"key without fingerprint", VoucherSigner{Name: "刘建华", Capacity: CapSecretary}},
		{"name-only with fingerprint", VoucherSigner{Name: "刘建华", Capacity: CapSecretary, Fingerprint: "3f2a-91c0-7d4e-b815", NameOnly: true}},
		{"no name", VoucherSigner{Capacity: CapSecretary, Fingerprint: "3f2a-91c0-7d4e-b815"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := octoberFixture()
			m.Layout = Layout3
			m.Vouchers[0].Signers = []VoucherSigner{tc.g}
			if err := r.Monthly(&bytes.Buffer{}, m); err == nil {
				t.Error("rendered")
			}
		})
	}
}

// FuzzSigners: whatever a voucher's signer holds, the layout 3 disclosure
// either renders (naming no full name) or refuses with ErrBadData; never
// an internal error.
func FuzzSigners(f *testing.F) {
	r, err := NewRenderer()
	if err != nil {
		f.Fatal(err)
	}
	f.Add("刘建华", "SECRETARY", "3f2a-91c0-7d4e-b815", false)
	f.Add("赵大勇", "ACCOUNTANT", "", true)
	f.Add("☃𠮷\x00", "NOT_A_ROLE", "\xff", false)
	f.Add("", "", "", true)
	f.Fuzz(func(t *testing.T, name, capacity, fingerprint string, nameOnly bool) {
		m := octoberFixture()
		m.Layout = Layout3
		m.Vouchers = m.Vouchers[:3]
		m.Vouchers[1].Signers = []VoucherSigner{{name, Capacity(capacity), fingerprint, nameOnly}}
		_, err := r.MonthlyText(m)
		if err != nil && !errors.Is(err, ErrBadData) {
			t.Fatalf("signer %q %q %q %v: %v", name, capacity, fingerprint, nameOnly, err)
		}
	})
}
