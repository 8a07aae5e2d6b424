package ledger_test

import (
	"fmt"
	"testing"
	"time"

	"sunlight/ent/auditevent"
	"sunlight/ent/openingbalance"
	"sunlight/ent/report"
	"sunlight/ent/voucher"
	"sunlight/internal/ledger"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/vocab/money"
)

// income posts an income voucher of amount on day.
func (f *fixture) income(day time.Time, amount money.Fen) {
	f.t.Helper()
	f.n++
	v, err := f.c.Voucher.Create().SetCommunityID(f.com.ID).SetNumber(fmt.Sprintf("I-%04d", f.n)).
		SetOccurredOn(day).SetDirection(voucher.DirectionINCOME).SetCategory("租金收入").
		SetAmount(amount).SetSummary("租金").Save(f.ctx)
	if err != nil {
		f.t.Fatalf("create voucher: %v", err)
	}
	f.sign(v.ID, 9)
	if _, err := ledger.Post(f.ctx, f.c, v.ID, now); err != nil {
		f.t.Fatalf("post: %v", err)
	}
}

func TestOpeningBalance(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		open := ledger.Opening{Balance: money.Yuan(1000), IncomeBefore: money.Yuan(300), ExpenseBefore: money.Yuan(200)}
		count := func() int {
			n, err := f.c.OpeningBalance.Query().Where(openingbalance.CommunityID(f.com.ID)).Count(f.ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}

		_, err := ledger.SetOpening(f.ctx, f.c, f.com.ID, open)
		wantCode(t, err, fail.BadInput, "no establishedOn")
		f.com = f.com.Update().SetEstablishedOn(calendar.Date(2026, 9, 1)).SaveX(f.ctx)

		for _, tc := range []struct {
			name string
			o    ledger.Opening
			code fail.Code
			msg  string
		}{
			{"negative balance", ledger.Opening{Balance: -1}, fail.BadInput, "balance (期初余额) must not be negative"},
			{"negative income before", ledger.Opening{IncomeBefore: -1}, fail.BadInput, "incomeBefore"},
			{"no such community", ledger.Opening{}, fail.NotFound, "does not exist"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				id := f.com.ID
				if tc.code == fail.NotFound {
					id = f.com.ID + 1_000_000
				}
				_, err := ledger.SetOpening(f.ctx, f.c, id, tc.o)
				wantCode(t, err, tc.code, tc.msg)
				if count() != 0 {
					t.Error("a refused opening balance was written")
				}
			})
		}

		ob, err := ledger.SetOpening(f.ctx, f.c, f.com.ID, open)
		if err != nil {
			t.Fatal(err)
		}
		if ob.Period != "2026-09" || ob.Balance != money.Yuan(1000) || ob.IncomeBefore != money.Yuan(300) {
			t.Fatalf("opening balance %+v, want 1000.00 as of 2026-09", ob)
		}
		again, err := ledger.SetOpening(f.ctx, f.c, f.com.ID, open)
		if err != nil || again.ID != ob.ID {
			t.Fatalf("the same values again: %v, %v", again, err)
		}
		events, err := f.c.AuditEvent.Query().Where(auditevent.EntityID(ob.ID)).Count(f.ctx)
		if err != nil || events != 1 {
			t.Errorf("audit events of the opening balance = %d (%v), want 1 (the same values again write nothing)", events, err)
		}
		open.Balance = money.Yuan(1100)
		if ob, err = ledger.SetOpening(f.ctx, f.c, f.com.ID, open); err != nil || ob.Balance != money.Yuan(1100) || count() != 1 {
			t.Fatalf("correcting before the first disclosure: %v, %v (records: %d)", ob, err, count())
		}

		// The money since the go-live month: September spends 100.00,
		// October takes in 40.00 and spends 50.00; September is closed,
		// so it is read from its month sums.
		f.posted(calendar.Date(2026, 9, 10), money.Yuan(100))
		f.posted(calendar.Date(2026, 10, 5), money.Yuan(50))
		f.income(calendar.Date(2026, 10, 6), money.Yuan(40))
		f.posted(calendar.Date(2026, 8, 20), money.Yuan(7)) // before the go-live month: not in the balance
		if _, err := ledger.CloseMonth(f.ctx, f.c, f.com.ID, calendar.Month(2026, 9), now); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			month                             calendar.Period
			opening, income, expense, closing money.Fen
			incomeBefore                      money.Fen
		}{
			{calendar.Month(2026, 9), money.Yuan(1100), 0, money.Yuan(100), money.Yuan(1000), money.Yuan(300)},
			{calendar.Month(2026, 10), money.Yuan(1000), money.Yuan(40), money.Yuan(50), money.Yuan(990), money.Yuan(300)},
			{calendar.Month(2027, 1), money.Yuan(990), 0, 0, money.Yuan(990), 0},
		} {
			t.Run("balance "+tc.month.String(), func(t *testing.T) {
				b, err := ledger.BalanceAt(f.ctx, f.c, f.com.ID, tc.month)
				if err != nil || b == nil {
					t.Fatalf("BalanceAt: %v, %v", b, err)
				}
				if b.Opening != tc.opening || b.Income != tc.income || b.Expense != tc.expense || b.Closing() != tc.closing || b.IncomeBefore != tc.incomeBefore {
					t.Errorf("balance %+v (closing %s), want opening %s income %s expense %s closing %s", b, b.Closing(), tc.opening, tc.income, tc.expense, tc.closing)
				}
			})
		}
		if b, err := ledger.BalanceAt(f.ctx, f.c, f.com.ID, calendar.Month(2026, 8)); b != nil || err != nil {
			t.Errorf("a month before the go-live month has a balance: %+v, %v", b, err)
		}
		if span := ledger.OpeningYear(&ledger.Balance{GoLive: calendar.Month(2026, 9)}, calendar.Month(2026, 10)); span.From != calendar.Month(2026, 9) {
			t.Errorf("the year to date of the go-live year starts at %s", span.From)
		}

		// Once the first disclosure is published it is evidence: no
		// change, not even to the same values, through any path.
		f.c.Report.Create().SetCommunityID(f.com.ID).SetKind(report.KindMONTHLY_DISCLOSURE).SetPeriod("2026-09").
			SetStatus(report.StatusPUBLISHED).SetGeneratedAt(now).SetPublishedAt(now).ExecX(f.ctx)
		_, err = ledger.SetOpening(f.ctx, f.c, f.com.ID, open)
		wantCode(t, err, fail.Conflict, "first monthly disclosure (2026-09) is published")
		open.Balance = 1
		_, err = ledger.SetOpening(f.ctx, f.c, f.com.ID, open)
		wantCode(t, err, fail.Conflict, "can no longer change")
		err = f.c.OpeningBalance.UpdateOneID(ob.ID).SetBalance(1).Exec(f.ctx)
		wantCode(t, err, fail.Conflict, "can no longer change")
		err = f.c.OpeningBalance.DeleteOneID(ob.ID).Exec(f.ctx)
		wantCode(t, err, fail.Conflict, "can no longer change")
		if got := f.c.OpeningBalance.GetX(f.ctx, ob.ID); got.Balance != money.Yuan(1100) {
			t.Errorf("balance after refused changes = %s", got.Balance)
		}
	})
}

func TestOpeningBalanceJanuary(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		f.com = f.com.Update().SetEstablishedOn(calendar.Date(2027, 1, 1)).SaveX(f.ctx)
		_, err := ledger.SetOpening(f.ctx, f.c, f.com.ID, ledger.Opening{Balance: 5, IncomeBefore: 1})
		wantCode(t, err, fail.BadInput, "goes live in January")
		if _, err := ledger.SetOpening(f.ctx, f.c, f.com.ID, ledger.Opening{Balance: 5}); err != nil {
			t.Fatal(err)
		}
		if n := f.c.OpeningBalance.Query().CountX(f.ctx); n < 1 {
			t.Error("no opening balance")
		}
	})
}
