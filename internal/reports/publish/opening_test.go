package publish_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	entreport "sunlight/ent/report"
	"sunlight/ent/signature"
	"sunlight/ent/voucher"
	"sunlight/internal/ledger"
	"sunlight/internal/reports/archive"
	"sunlight/internal/reports/chain"
	"sunlight/internal/reports/pdf"
	"sunlight/internal/reports/publish"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/vocab/money"
)

// TestOpeningBalanceOnTheDisclosure: a community whose books come onto the
// platform in September 2026 enters its opening balance; its first
// disclosures print the balance at each month's start and end and count the
// year from September, verify regenerates them byte for byte, and the
// opening balance is then refused as published evidence.
func TestOpeningBalanceOnTheDisclosure(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		d := dbtest.Open(t, dsn)
		c := d.Client.Community.Create().SetName("新建社区").SetCode("xinjian").SetDistrict("南湖新区").
			SetEstablishedOn(calendar.Date(2026, 9, 1)).SetMinSignatures(1).SaveX(ctx)
		if _, err := ledger.SetOpening(ctx, d.Client, c.ID, ledger.Opening{Balance: money.Yuan(120000), IncomeBefore: money.Yuan(35000), ExpenseBefore: money.Yuan(20000)}); err != nil {
			t.Fatal(err)
		}
		signedAt := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		for i, v := range []struct {
			day      time.Time
			dir      voucher.Direction
			category string
			yuan     int64
		}{
			{calendar.Date(2026, 9, 5), voucher.DirectionINCOME, "租金收入", 10000},
			{calendar.Date(2026, 9, 8), voucher.DirectionEXPENSE, "办公经费", 2000},
			{calendar.Date(2026, 10, 9), voucher.DirectionEXPENSE, "办公经费", 3000},
		} {
			vc := d.Client.Voucher.Create().SetCommunityID(c.ID).SetNumber(fmt.Sprintf("记-%03d", i+1)).SetOccurredOn(v.day).
				SetDirection(v.dir).SetCategory(v.category).SetAmount(money.Yuan(v.yuan)).SetSummary("测试").SaveX(ctx)
			if _, err := ledger.Sign(ctx, d.Client, vc.ID, ledger.Signer{Name: "会计", Role: signature.RoleACCOUNTANT}, signedAt); err != nil {
				t.Fatal(err)
			}
			if _, err := ledger.Post(ctx, d.Client, vc.ID, signedAt); err != nil {
				t.Fatal(err)
			}
		}
		a, err := archive.Open(ctx, "file://"+t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		r, err := pdf.NewRenderer()
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, time.November, 2, 2, 0, 0, 0, time.UTC)
		p := &publish.Publisher{Client: d.Client, Archive: a, Renderer: r, Now: func() time.Time { return now }}
		for _, tc := range []struct {
			month            calendar.Period
			opening, closing money.Fen
			want             []string
		}{
			{calendar.Month(2026, 9), money.Yuan(120000), money.Yuan(128000), []string{
				"期初余额（2026年9月1日，建账录入）", "120,000.00壹拾贰万元整", "期末余额（2026年9月30日）128,000.00",
				"2026年9月前本年已发生收入35,000.00元、支出20,000.00元"}},
			{calendar.Month(2026, 10), money.Yuan(128000), money.Yuan(125000), []string{
				"期初余额（2026年10月1日）", "128,000.00壹拾贰万捌仟元整", "减：本月支出3,000.00", "期末余额（2026年10月31日）125,000.00",
				"本年全年累计收入45,000.00元"}},
		} {
			t.Run(tc.month.String(), func(t *testing.T) {
				rep, err := p.Publish(ctx, publish.Request{Kind: entreport.KindMONTHLY_DISCLOSURE, Community: c, Period: tc.month})
				if err != nil {
					t.Fatal(err)
				}
				v, err := publish.Decode(rep.Kind, []byte(rep.Inputs))
				if err != nil {
					t.Fatal(err)
				}
				m := v.(*pdf.Monthly)
				if m.Layout != pdf.LayoutCurrent || m.Balance == nil || m.Balance.Opening != tc.opening {
					t.Fatalf("frozen balance %+v (layout %d), want opening %s", m.Balance, m.Layout, tc.opening)
				}
				b, err := ledger.BalanceAt(ctx, d.Client, c.ID, tc.month)
				if err != nil || b.Closing() != tc.closing {
					t.Errorf("the ledger's closing balance %v (%v), want %s", b, err, tc.closing)
				}
				data, err := a.Get(ctx, rep.StorageKey)
				if err != nil {
					t.Fatal(err)
				}
				text := strings.Join(strings.Fields(pdfText(t, data)), "")
				for _, want := range tc.want {
					if !strings.Contains(text, want) {
						t.Errorf("the PDF does not print %q:\n%s", want, text)
					}
				}
			})
		}
		findings, err := chain.Verify(ctx, d.Client, a, r, "xinjian")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range findings {
			if !f.OK {
				t.Errorf("verify: %s %s: %v", f.Kind, f.Period, f.Problems)
			}
		}
		_, err = ledger.SetOpening(ctx, d.Client, c.ID, ledger.Opening{Balance: 1})
		if fail.CodeOf(err) != fail.Conflict {
			t.Errorf("changing the opening balance after the first disclosure: %v, want CONFLICT", err)
		}
	})
}
