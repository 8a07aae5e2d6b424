package ledger_test

import (
	"testing"

	"sunlight/ent"
	"sunlight/ent/contract"
	"sunlight/ent/voucher"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/vocab/money"
)

// TestVoucherRulesHoldOnEveryPath: the rules that reverseVoucher and the
// create input word are the hooks', so a write through the ent client, a
// bulk update or an edge meets them too, and a refused write changes
// nothing.
func TestVoucherRulesHoldOnEveryPath(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		f.com = f.c.Community.UpdateOne(f.com).SetMinSignatures(1).SaveX(f.ctx)
		posted := f.draft(oct15, 12_000)
		f.sign(posted.ID, 1)
		f.c.Voucher.UpdateOneID(posted.ID).SetStatus(voucher.StatusPOSTED).SetPostedAt(now).ExecX(f.ctx)
		draft := f.draft(oct15, 5_000)
		other := f.c.Community.Create().SetName("他社区").SetCode("elsewhere").SaveX(f.ctx)
		theirs := f.c.Contract.Create().SetCommunityID(other.ID).SetCode("HT-X").SetKind(contract.KindPROCUREMENT).
			SetTitle("采购").SetCounterparty("供应商").SetAmount(money.Yuan(1_000)).
			SetSignedOn(oct15).SetStartsOn(oct15).SaveX(f.ctx)
		reversal := func() *ent.VoucherCreate {
			f.n++
			return f.c.Voucher.Create().SetCommunityID(f.com.ID).SetNumber("R-" + string(rune('A'+f.n))).
				SetOccurredOn(oct15).SetDirection(voucher.DirectionEXPENSE).SetCategory("办公经费").SetSummary("冲销")
		}
		count := func() int { return f.c.Voucher.Query().CountX(f.ctx) }
		before := count()
		for _, tt := range []struct {
			name string
			err  error
			code fail.Code
			says string
		}{
			{"an income category on an expense voucher", f.c.Voucher.UpdateOneID(draft.ID).SetCategory("租金收入").Exec(f.ctx), fail.BadInput, "not a expense"},
			{"the direction alone", f.c.Voucher.UpdateOneID(draft.ID).SetDirection(voucher.DirectionINCOME).Exec(f.ctx), fail.BadInput, "not a income"},
			{"a reversal of a draft", reversal().SetReversesID(draft.ID).SetAmount(-5_000).Exec(f.ctx), fail.Conflict, "is not posted"},
			{"a reversal of another amount", reversal().SetReversesID(posted.ID).SetAmount(-99_999_00).Exec(f.ctx), fail.BadInput, "the amount -120.00"},
			{"a reversal set through the original's edge", f.c.Voucher.UpdateOneID(draft.ID).AddReversedByIDs(posted.ID).Exec(f.ctx), fail.BadInput, "set by reverseVoucher"},
			{"another community's contract", f.c.Voucher.UpdateOneID(draft.ID).SetContractID(theirs.ID).Exec(f.ctx), fail.BadInput, "not a contract of this voucher's community"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				wantCode(t, tt.err, tt.code, tt.says)
			})
		}
		if n := count(); n != before {
			t.Fatalf("%d vouchers after refused writes, want %d", n, before)
		}
		got := f.c.Voucher.GetX(f.ctx, draft.ID)
		if got.Category != "办公经费" || got.Direction != voucher.DirectionEXPENSE || got.ContractID != nil {
			t.Fatalf("the draft changed: %+v", got)
		}
		if p := f.c.Voucher.GetX(f.ctx, posted.ID); p.ReversesID != nil {
			t.Fatal("the posted voucher was made a reversal")
		}
		// The month follows the date; it is not set on its own.
		f.c.Voucher.UpdateOneID(draft.ID).SetPeriod("2019-01").ExecX(f.ctx)
		if p := f.c.Voucher.GetX(f.ctx, draft.ID).Period; p != calendar.MonthOf(oct15).String() {
			t.Fatalf("period %s after setting it alone, want the date's %s", p, calendar.MonthOf(oct15))
		}
		// The proper reversal still goes through.
		if err := reversal().SetReversesID(posted.ID).SetAmount(-12_000).Exec(f.ctx); err != nil {
			t.Fatalf("a proper reversal: %v", err)
		}
	})
}
