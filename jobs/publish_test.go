package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"sunlight/ent"
	"sunlight/ent/community"
	entreport "sunlight/ent/report"
	"sunlight/ent/voucher"
	"sunlight/internal/ledger"
	"sunlight/internal/ledger/signing/signingtest"
	"sunlight/internal/reports/disclosure"
	"sunlight/internal/reports/pdf"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/vocab/money"
	"sunlight/jobs"
)

// TestVoucherPostedWhileItsMonthIsPublished posts a voucher of November at
// the worst moment: after the disclosure was rendered, before it is
// recorded and the month closed. Whatever the interleaving, a closed
// November has its report, and the report holds exactly the vouchers posted
// in it, as do the month's sums: never a month closed without a voucher
// posted in it.
func TestVoucherPostedWhileItsMonthIsPublished(t *testing.T) {
	nov := calendar.Month(2026, 11)
	cases := []struct {
		name   string
		signed bool // the voucher exists, fully signed, before publishing starts
	}{
		{"a signed voucher is posted", true},
		{"a voucher is entered, signed and posted", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, dsn string) {
				e := newEnv(t, dsn)
				c := e.d.Client
				com := c.Community.Query().Where(community.Code("east")).OnlyX(e.ctx)
				late := 0
				if tc.signed {
					var err error
					if late, err = lateVoucher(e.ctx, c, com.ID, e.signers["east"]); err != nil {
						t.Fatal(err)
					}
				}
				e.clock.Set(shanghai(2026, 12, 1, 2, 0))
				s := e.scheduler(e.d, jobs.Config{MaxAttempts: 1})

				var once sync.Once
				started := false
				done := make(chan error, 1)
				s.SetAfterRender(func(ctx context.Context, kind entreport.Kind, code string, p calendar.Period) error {
					if code != "east" || kind != entreport.KindMONTHLY_DISCLOSURE || p != nov {
						return nil
					}
					once.Do(func() {
						started = true
						// As a GraphQL mutation does it: one transaction, on
						// another connection.
						go func() {
							done <- inTx(e.ctx, c, func(tx *ent.Client) error {
								id := late
								if id == 0 {
									var err error
									if id, err = lateVoucher(e.ctx, tx, com.ID, e.signers["east"]); err != nil {
										return err
									}
								}
								_, err := ledger.Post(e.ctx, tx, id, time.Now())
								return err
							})
						}()
						// Give the post every chance to land before the
						// close; it either lands or waits for the publisher.
						select {
						case err := <-done:
							done <- err
						case <-time.After(time.Second):
						}
					})
					return nil
				})
				_, _, err := s.Publish(e.ctx, entreport.KindMONTHLY_DISCLOSURE, com, nov, time.Now())
				t.Logf("publishing while posting: %v", err)
				posted := false
				if started {
					err := <-done
					switch {
					case err == nil:
						posted = true
					case fail.CodeOf(err) == fail.Conflict:
						t.Logf("the post was refused: %v", err)
					default:
						t.Fatalf("post: %v", err)
					}
				} // else the close came first and refused (the voucher was not posted): the hook never ran
				checkClosedMonth(t, e, com.ID, nov)

				// Whatever happened, November is published in the end, with
				// every voucher posted in it.
				if tc.signed && !posted {
					if _, err := ledger.Post(e.ctx, c, late, time.Now()); err != nil {
						t.Fatalf("post after the refused close: %v", err)
					}
				}
				s.SetAfterRender(nil)
				if err := s.CatchUp(e.ctx); err != nil {
					t.Fatal(err)
				}
				if com := c.Community.GetX(e.ctx, com.ID); com.ClosedThrough == nil || *com.ClosedThrough != nov.String() {
					t.Fatalf("November not closed after catch-up: %v", com.ClosedThrough)
				}
				checkClosedMonth(t, e, com.ID, nov)
			})
		})
	}
}

// lateVoucher enters a November voucher and has it signed by enough people.
func lateVoucher(ctx context.Context, c *ent.Client, communityID int, signers []signingtest.Signer) (int, error) {
	v, err := c.Voucher.Create().SetCommunityID(communityID).SetNumber("记-2026-11-LATE").
		SetOccurredOn(calendar.Date(2026, 11, 28)).SetDirection(voucher.DirectionEXPENSE).
		SetCategory("办公用品").SetAmount(money.Yuan(77)).SetSummary("迟到的凭证").Save(ctx)
	if err != nil {
		return 0, err
	}
	for _, s := range signers {
		if _, err := s.Sign(ctx, c, v.ID, time.Now()); err != nil {
			return 0, err
		}
	}
	return v.ID, nil
}

func inTx(ctx context.Context, c *ent.Client, fn func(*ent.Client) error) error {
	tx, err := c.Tx(ctx)
	if err != nil {
		return err
	}
	if err := fn(tx.Client()); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// checkClosedMonth holds a closed month to its report: the report exists,
// its PDF is the one today's (frozen) vouchers render, its vouchers are
// the month's posted vouchers and the month's sums add them up.
func checkClosedMonth(t *testing.T, e *env, communityID int, month calendar.Period) {
	t.Helper()
	c := e.d.Client
	com := c.Community.GetX(e.ctx, communityID)
	if com.ClosedThrough == nil || *com.ClosedThrough < month.String() {
		if c.Report.Query().Where(entreport.CommunityID(communityID), entreport.Period(month.String())).ExistX(e.ctx) {
			t.Fatalf("%s published but not closed", month)
		}
		return
	}
	rep, err := c.Report.Query().Where(entreport.CommunityID(communityID), entreport.KindEQ(entreport.KindMONTHLY_DISCLOSURE), entreport.Period(month.String())).Only(e.ctx)
	if err != nil {
		t.Fatalf("%s is closed but its report: %v", month, err)
	}
	posted := c.Voucher.Query().Where(ledger.PostedIn(communityID, ledger.PeriodSpan(month))).AllX(e.ctx)
	var sum money.Fen
	want := map[string]bool{}
	for _, v := range posted {
		want[v.Number] = true
		sum += v.Amount
	}
	if rep.Inputs != "" {
		var m pdf.Monthly
		if err := json.Unmarshal([]byte(rep.Inputs), &m); err != nil {
			t.Fatalf("the report's inputs: %v", err)
		}
		got := map[string]bool{}
		for _, v := range m.Vouchers {
			got[v.Number] = true
		}
		for n := range want {
			if !got[n] {
				t.Errorf("voucher %s is posted in the closed month %s but not in its published report", n, month)
			}
		}
		if len(got) != len(want) {
			t.Errorf("the report lists %d vouchers, the closed month has %d posted", len(got), len(want))
		}
	}
	tot, err := ledger.TotalsFor(e.ctx, c, communityID, month)
	if err != nil {
		t.Fatal(err)
	}
	if tot.Expense != sum {
		t.Errorf("the month's sums say %s spent, its posted vouchers %s", tot.Expense.Grouped(), sum.Grouped())
	}
	// The stored PDF is what the books render today.
	stored, err := e.arch.Get(e.ctx, rep.StorageKey)
	if err != nil {
		t.Fatal(err)
	}
	r, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	again, _, err := disclosure.RenderAt(e.ctx, c, r, com, entreport.KindMONTHLY_DISCLOSURE, month, *rep.PublishedAt)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(stored, again) {
		t.Errorf("the published PDF of %s is not what its closed books render", month)
	}
}

type missingCounter struct {
	jobs.Observer
	mu sync.Mutex
	n  map[entreport.Kind]int
}

func (m *missingCounter) ReportsMissing(kind entreport.Kind, n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.n[kind] = n
}

// TestDeletedReportIsCountedMissingNotRepublished: a report row deleted in
// the database is not published again by catch-up (that would hide the
// deletion); every tick counts it missing for the metrics and logs it.
func TestDeletedReportIsCountedMissingNotRepublished(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.clock.Set(shanghai(2026, 12, 1, 2, 0))
		s := e.scheduler(e.d, jobs.Config{})
		obs := &missingCounter{Observer: nopObserver{}, n: map[entreport.Kind]int{}}
		s.SetObserver(obs)
		if err := s.CatchUp(e.ctx); err != nil {
			t.Fatal(err)
		}
		if obs.n[entreport.KindMONTHLY_DISCLOSURE] != 0 {
			t.Fatalf("%d missing right after publishing", obs.n[entreport.KindMONTHLY_DISCLOSURE])
		}
		n, err := e.d.Client.Report.Delete().Where(entreport.Period("2026-11")).Exec(e.ctx)
		if err == nil || n != 0 {
			t.Fatalf("the platform deleted %d published report(s): %v", n, err)
		}
		stmt := "DELETE FROM reports WHERE period = '2026-11'"
		if _, err := e.d.SQL.ExecContext(e.ctx, stmt); err != nil {
			t.Fatal(err)
		}
		if err := s.CatchUp(e.ctx); err != nil {
			t.Fatal(err)
		}
		if n := e.d.Client.Report.Query().CountX(e.ctx); n != 0 {
			t.Fatalf("catch-up published %d report(s) again", n)
		}
		if got := obs.n[entreport.KindMONTHLY_DISCLOSURE]; got != 2 {
			t.Fatalf("%d monthly disclosures counted missing, want 2 (November of both communities)", got)
		}
	})
}

type nopObserver struct{}

func (nopObserver) RunFinished(string, string)                  {}
func (nopObserver) Rendered(entreport.Kind, time.Duration, int) {}
func (nopObserver) Published(entreport.Kind, time.Time)         {}

// TestMonthClosedByHandIsStillPublished: staff close November before the
// scheduler's tick; the tick still publishes November's disclosure from
// the closed books, so every closed month has its report.
func TestMonthClosedByHandIsStillPublished(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		s := e.scheduler(e.d, jobs.Config{})
		e.clock.Set(shanghai(2026, 11, 1, 2, 0))
		if err := s.CatchUp(e.ctx); err != nil {
			t.Fatal(err)
		}
		com := e.d.Client.Community.Query().Where(community.Code("east")).OnlyX(e.ctx)
		if _, err := ledger.CloseMonth(e.ctx, e.d.Client, com.ID, calendar.Month(2026, 11), shanghai(2026, 12, 1, 1, 0)); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(shanghai(2026, 12, 1, 2, 0))
		if err := s.CatchUp(e.ctx); err != nil {
			t.Fatal(err)
		}
		got := e.reports()
		oct, nov := got["east 2026-10"], got["east 2026-11"]
		if nov == nil {
			t.Fatal("November was closed by hand and never published")
		}
		if nov.PrevSha256 != oct.Sha256 {
			t.Fatal("November does not chain to October")
		}
		checkClosedMonth(t, e, com.ID, calendar.Month(2026, 11))
	})
}
