package ledger_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"sunlight/ent"
	"sunlight/ent/signature"
	"sunlight/ent/signer"
	"sunlight/ent/voucher"
	"sunlight/internal/ledger"
	"sunlight/internal/ledger/signing/signingtest"
	"sunlight/internal/storage/db"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/vocab/money"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var now = calendar.StartOf(calendar.Date(2026, 11, 25)).Add(10 * time.Hour)

type fixture struct {
	t   *testing.T
	ctx context.Context
	d   *db.DB
	sql *dbtest.Counter // statements sent by d
	c   *ent.Client
	com *ent.Community
	n   int
	// signers are the community's twelve enrolled signers with their keys.
	signers []signingtest.Signer
}

var fixtures int

func newFixture(t *testing.T, dsn string) *fixture {
	d, count := dbtest.OpenCounting(t, dsn)
	ctx := context.Background()
	fixtures++
	com, err := d.Client.Community.Create().SetName(fmt.Sprint("测试社区", fixtures)).SetCode(fmt.Sprint("test-", fixtures)).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, ctx: ctx, d: d, sql: count, c: d.Client, com: com}
	f.signers = signingtest.Enrol(ctx, t, d.Client, com.ID, signer.CapacityCOMMITTEE, signingtest.Names("签字人", 12)...)
	return f
}

func (f *fixture) draft(day time.Time, amount money.Fen) *ent.Voucher {
	f.t.Helper()
	f.n++
	v, err := f.c.Voucher.Create().SetCommunityID(f.com.ID).SetNumber(fmt.Sprintf("V-%04d", f.n)).
		SetOccurredOn(day).SetDirection(voucher.DirectionEXPENSE).SetCategory("办公经费").
		SetAmount(amount).SetSummary("测试").Save(f.ctx)
	if err != nil {
		f.t.Fatalf("create voucher: %v", err)
	}
	return v
}

func (f *fixture) sign(id, people int) {
	f.t.Helper()
	signingtest.SignAll(f.ctx, f.t, f.c, id, now, f.signers[:people])
}

func (f *fixture) posted(day time.Time, amount money.Fen) *ent.Voucher {
	f.t.Helper()
	v := f.draft(day, amount)
	f.sign(v.ID, 9)
	v, err := ledger.Post(f.ctx, f.c, v.ID, now)
	if err != nil {
		f.t.Fatalf("post: %v", err)
	}
	return v
}

func wantCode(t *testing.T, err error, code fail.Code, says string) {
	t.Helper()
	if fail.CodeOf(err) != code {
		t.Fatalf("error %v has code %q, want %q", err, fail.CodeOf(err), code)
	}
	if !strings.Contains(err.Error(), says) {
		t.Fatalf("error %q does not say %q", err, says)
	}
}

var oct15 = calendar.Date(2026, 10, 15)

func TestPostNeedsDistinctSigners(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		v := f.draft(oct15, money.Yuan(100))
		f.sign(v.ID, 8)
		_, err := f.signers[3].Sign(f.ctx, f.c, v.ID, now)
		wantCode(t, err, fail.Conflict, "already signed")
		_, err = ledger.Post(f.ctx, f.c, v.ID, now)
		wantCode(t, err, fail.Conflict, "8 distinct enrolled signers (name-only signatures do not count); the community requires 9, so 1 more")
		if got, _ := f.c.Voucher.Get(f.ctx, v.ID); got.Status != voucher.StatusSIGNING {
			t.Fatalf("status after a refused post = %s, want SIGNING", got.Status)
		}
		// Not even the ent client, bypassing ledger.Post, can post it.
		err = f.c.Voucher.UpdateOneID(v.ID).SetStatus(voucher.StatusPOSTED).Exec(f.ctx)
		wantCode(t, err, fail.Conflict, "1 more")
		f.sign(v.ID, 0)
		if _, err := f.signers[8].Sign(f.ctx, f.c, v.ID, now); err != nil {
			t.Fatal(err)
		}
		v, err = ledger.Post(f.ctx, f.c, v.ID, now)
		if err != nil || v.Status != voucher.StatusPOSTED {
			t.Fatalf("post with 9 signers: %v, %v", v, err)
		}
	})
}

func TestPostedVoucherCannotChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		v := f.posted(oct15, money.Yuan(500))
		sig, err := f.c.Signature.Query().Where(signature.VoucherID(v.ID)).First(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		paths := []struct {
			name string
			run  func() error
		}{
			{"update one", func() error { return f.c.Voucher.UpdateOneID(v.ID).SetSummary("改").Exec(f.ctx) }},
			{"update amount", func() error { return f.c.Voucher.UpdateOneID(v.ID).SetAmount(1).Exec(f.ctx) }},
			{"bulk update", func() error {
				_, err := f.c.Voucher.Update().Where(voucher.CommunityID(f.com.ID)).SetCounterparty("x").Save(f.ctx)
				return err
			}},
			{"unpost", func() error { return f.c.Voucher.UpdateOneID(v.ID).SetStatus(voucher.StatusDRAFT).Exec(f.ctx) }},
			{"delete one", func() error { return f.c.Voucher.DeleteOneID(v.ID).Exec(f.ctx) }},
			{"bulk delete", func() error {
				_, err := f.c.Voucher.Delete().Where(voucher.CommunityID(f.com.ID)).Exec(f.ctx)
				return err
			}},
			{"delete a signature", func() error { return f.c.Signature.DeleteOneID(sig.ID).Exec(f.ctx) }},
			{"bulk delete signatures", func() error {
				_, err := f.c.Signature.Delete().Exec(f.ctx)
				return err
			}},
			{"sign again", func() error {
				_, err := f.signers[10].Sign(f.ctx, f.c, v.ID, now)
				return err
			}},
			{"add a signature directly", func() error {
				return f.c.Signature.Create().SetCommunityID(f.com.ID).SetVoucherID(v.ID).SetSigner("新人").SetRole(signature.RoleOTHER).SetSignedAt(now).Exec(f.ctx)
			}},
			{"post again", func() error { _, err := ledger.Post(f.ctx, f.c, v.ID, now); return err }},
		}
		for _, p := range paths {
			t.Run(p.name, func(t *testing.T) {
				wantCode(t, p.run(), fail.Conflict, "posted")
			})
		}
		got, err := f.c.Voucher.Get(f.ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Summary != v.Summary || got.Amount != v.Amount || got.Status != voucher.StatusPOSTED || got.Counterparty != v.Counterparty {
			t.Fatalf("posted voucher changed: %+v → %+v", v, got)
		}
		if n := f.c.Signature.Query().Where(signature.VoucherID(v.ID)).CountX(f.ctx); n != 9 {
			t.Fatalf("posted voucher has %d signatures, want 9", n)
		}
	})
}

func TestReversalNetsToZero(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		oct := calendar.Month(2026, 10)
		total := func() money.Fen {
			tot, err := ledger.TotalsFor(f.ctx, f.c, f.com.ID, oct)
			if err != nil {
				t.Fatal(err)
			}
			return tot.Category(voucher.DirectionEXPENSE, "办公经费")
		}
		v := f.posted(oct15, money.Fen(2686800))
		if got := total(); got != money.Fen(2686800) {
			t.Fatalf("total after posting = %s", got)
		}
		_, err := ledger.Reverse(f.ctx, f.c, v.ID, ledger.Reversal{Number: "R-1", OccurredOn: oct15, Reason: ""})
		wantCode(t, err, fail.BadInput, "reason")
		rev, err := ledger.Reverse(f.ctx, f.c, v.ID, ledger.Reversal{Number: "R-1", OccurredOn: calendar.Date(2026, 10, 20), Reason: "重复报销"})
		if err != nil {
			t.Fatal(err)
		}
		if rev.Amount != -v.Amount || rev.ReversesID == nil || *rev.ReversesID != v.ID || rev.Status != voucher.StatusDRAFT {
			t.Fatalf("reversal = %+v", rev)
		}
		if got := total(); got != v.Amount {
			t.Fatalf("an unposted reversal changed the total to %s", got)
		}
		f.sign(rev.ID, 9)
		if _, err := ledger.Post(f.ctx, f.c, rev.ID, now); err != nil {
			t.Fatal(err)
		}
		if got := total(); got != 0 {
			t.Fatalf("total after the reversal = %s, want 0.00", got)
		}
		_, err = ledger.Reverse(f.ctx, f.c, v.ID, ledger.Reversal{Number: "R-2", OccurredOn: oct15, Reason: "再冲"})
		wantCode(t, err, fail.Conflict, "already been reversed")
		_, err = ledger.Reverse(f.ctx, f.c, rev.ID, ledger.Reversal{Number: "R-3", OccurredOn: oct15, Reason: "冲冲"})
		wantCode(t, err, fail.Conflict, "itself a reversal")
		d := f.draft(oct15, 100)
		_, err = ledger.Reverse(f.ctx, f.c, d.ID, ledger.Reversal{Number: "R-4", OccurredOn: oct15, Reason: "x"})
		wantCode(t, err, fail.Conflict, "not posted")
	})
}

func TestClosedMonth(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		sep, oct, nov := calendar.Month(2026, 9), calendar.Month(2026, 10), calendar.Month(2026, 11)
		f.posted(calendar.Date(2026, 9, 3), 100)
		open := f.draft(calendar.Date(2026, 9, 4), 100)
		_, err := ledger.CloseMonth(f.ctx, f.c, f.com.ID, sep, now)
		wantCode(t, err, fail.Conflict, "not posted ("+open.Number)
		if err := f.c.Voucher.DeleteOneID(open.ID).Exec(f.ctx); err != nil {
			t.Fatal(err)
		}
		_, err = ledger.CloseMonth(f.ctx, f.c, f.com.ID, nov, now)
		wantCode(t, err, fail.BadInput, "has not ended")
		if _, err := ledger.CloseMonth(f.ctx, f.c, f.com.ID, sep, now); err != nil {
			t.Fatal(err)
		}
		_, err = ledger.CloseMonth(f.ctx, f.c, f.com.ID, sep, now)
		wantCode(t, err, fail.Conflict, "already closed")

		before := f.c.Voucher.Query().CountX(f.ctx)
		_, err = f.c.Voucher.Create().SetCommunityID(f.com.ID).SetNumber("LATE-1").SetOccurredOn(calendar.Date(2026, 9, 30)).
			SetDirection(voucher.DirectionEXPENSE).SetCategory("办公用品").SetAmount(100).SetSummary("迟到的发票").Save(f.ctx)
		wantCode(t, err, fail.Conflict, "2026-09 is closed")
		if !strings.Contains(err.Error(), "2026-10 or later") || !strings.Contains(err.Error(), "reverseVoucher") {
			t.Fatalf("the error does not say how to correct: %v", err)
		}
		if after := f.c.Voucher.Query().CountX(f.ctx); after != before {
			t.Fatalf("refused voucher was written: %d → %d", before, after)
		}
		// The same voucher dated in the open month succeeds.
		_, err = f.c.Voucher.Create().SetCommunityID(f.com.ID).SetNumber("LATE-1").SetOccurredOn(oct.First()).
			SetDirection(voucher.DirectionEXPENSE).SetCategory("办公用品").SetAmount(100).SetSummary("迟到的发票").Save(f.ctx)
		if err != nil {
			t.Fatalf("voucher in the open month: %v", err)
		}
		// A draft cannot be moved into the closed month either.
		d := f.draft(oct15, 100)
		err = f.c.Voucher.UpdateOneID(d.ID).SetOccurredOn(calendar.Date(2026, 9, 1)).Exec(f.ctx)
		wantCode(t, err, fail.Conflict, "closed")
	})
}

func TestTotalsAreOneStatement(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		for i := 0; i < 20; i++ {
			f.posted(oct15, money.Yuan(int64(i+1)))
		}
		before := f.sql.Statements()
		tot, err := ledger.TotalsFor(f.ctx, f.c, f.com.ID, calendar.Month(2026, 10))
		if err != nil {
			t.Fatal(err)
		}
		if n := f.sql.Statements() - before; n != 1 {
			t.Fatalf("month totals took %d statements, want 1", n)
		}
		if tot.Expense != money.Yuan(210) {
			t.Fatalf("total = %s, want 210.00", tot.Expense)
		}
	})
}

// TestRandomLifecycleKeepsTotals runs random sequences of create, sign,
// post, reverse and delete, and after each step checks that the aggregate
// equals the sum of the posted vouchers, computed independently.
func TestRandomLifecycleKeepsTotals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		for seed := uint64(1); seed <= 3; seed++ {
			t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
				f := newFixture(t, dsn)
				// Two signers suffice here, so that random runs post often.
				f.com = f.c.Community.UpdateOne(f.com).SetMinSignatures(2).SaveX(f.ctx)
				r := rand.New(rand.NewPCG(seed, 7))
				var ids []int
				// recent picks among the last few vouchers, so that sequences
				// of signatures meet on one voucher and it posts.
				recent := func() int { return ids[len(ids)-1-r.IntN(min(3, len(ids)))] }
				cats := ledger.Categories[voucher.DirectionEXPENSE]
				for step := 0; step < 250; step++ {
					switch op := r.IntN(8); {
					case op == 0 || len(ids) == 0:
						f.n++
						v, err := f.c.Voucher.Create().SetCommunityID(f.com.ID).SetNumber(fmt.Sprintf("P-%d", f.n)).
							SetOccurredOn(calendar.Date(2026, time.Month(1+r.IntN(10)), 1+r.IntN(28))).
							SetDirection(voucher.DirectionEXPENSE).SetCategory(cats[r.IntN(len(cats))]).
							SetAmount(money.Fen(1 + r.Int64N(10_000_000))).SetSummary("随机").Save(f.ctx)
						if err != nil {
							t.Fatal(err)
						}
						ids = append(ids, v.ID)
					case op <= 3:
						id := recent()
						_, _ = f.signers[r.IntN(3)].Sign(f.ctx, f.c, id, now)
					case op <= 5:
						_, _ = ledger.Post(f.ctx, f.c, recent(), now)
					case op == 6:
						posted := f.c.Voucher.Query().Where(voucher.CommunityID(f.com.ID), voucher.StatusEQ(voucher.StatusPOSTED)).IDsX(f.ctx)
						if len(posted) == 0 {
							continue
						}
						f.n++
						rev, err := ledger.Reverse(f.ctx, f.c, posted[r.IntN(len(posted))], ledger.Reversal{Number: fmt.Sprintf("P-%d", f.n), OccurredOn: calendar.Date(2026, 10, 31), Reason: "随机冲销"})
						if fail.CodeOf(err) == "" && err != nil {
							t.Fatalf("reverse: %v", err)
						}
						if err == nil && r.IntN(2) == 0 {
							f.sign(rev.ID, 2)
							if _, err := ledger.Post(f.ctx, f.c, rev.ID, now); err != nil {
								t.Fatalf("post reversal: %v", err)
							}
						}
					case op == 7:
						_ = f.c.Voucher.DeleteOneID(ids[r.IntN(len(ids))]).Exec(f.ctx)
					}
					checkTotals(t, f)
				}
				posted := f.c.Voucher.Query().Where(voucher.CommunityID(f.com.ID), voucher.StatusEQ(voucher.StatusPOSTED)).CountX(f.ctx)
				reversals := f.c.Voucher.Query().Where(voucher.CommunityID(f.com.ID), voucher.StatusEQ(voucher.StatusPOSTED), voucher.ReversesIDNotNil()).CountX(f.ctx)
				if posted < 5 || reversals < 1 {
					t.Fatalf("the run posted %d vouchers and %d reversals: too few to test anything", posted, reversals)
				}
			})
		}
	})
}

func checkTotals(t *testing.T, f *fixture) {
	t.Helper()
	tot, err := ledger.TotalsFor(f.ctx, f.c, f.com.ID, calendar.Year(2026))
	if err != nil {
		t.Fatal(err)
	}
	posted, err := f.c.Voucher.Query().Where(voucher.CommunityID(f.com.ID), voucher.StatusEQ(voucher.StatusPOSTED)).All(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]money.Fen{}
	var sum money.Fen
	for _, v := range posted {
		want[v.Category] += v.Amount
		sum += v.Amount
	}
	if tot.Expense != sum {
		t.Fatalf("aggregate expense %s != sum of posted vouchers %s", tot.Expense, sum)
	}
	for cat, amt := range want {
		if got := tot.Category(voucher.DirectionEXPENSE, cat); got != amt {
			t.Fatalf("aggregate %s = %s, sum of posted = %s", cat, got, amt)
		}
	}
}

// TestBulkVoucherChecksDoNotGrowWithVouchers: changing the date and contract
// of many drafts at once checks their communities' months and the contract
// with one query each, whatever the number of drafts.
func TestBulkVoucherChecksDoNotGrowWithVouchers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctr, err := f.c.Contract.Create().SetCommunityID(f.com.ID).SetCode("HT-1").SetKind("SERVICE").
			SetTitle("保洁服务").SetCounterparty("岳阳市保洁公司").SetAmount(money.Yuan(1_000)).
			SetSignedOn(calendar.Date(2026, 1, 1)).SetStartsOn(calendar.Date(2026, 1, 1)).Save(f.ctx)
		if err != nil {
			t.Fatalf("create contract: %v", err)
		}
		statements := func(n int) int64 {
			ids := make([]int, n)
			for i := range ids {
				ids[i] = f.draft(oct15, money.Yuan(1)).ID
			}
			before := f.sql.Statements()
			err := f.c.Voucher.Update().Where(voucher.IDIn(ids...)).
				SetOccurredOn(calendar.Date(2026, 11, 3)).SetContractID(ctr.ID).Exec(f.ctx)
			if err != nil {
				t.Fatalf("update %d drafts: %v", n, err)
			}
			return f.sql.Statements() - before
		}
		few, many := statements(3), statements(30)
		if few != many {
			t.Fatalf("updating 3 drafts took %d statements, 30 took %d; the checks should not grow with the vouchers", few, many)
		}
	})
}
