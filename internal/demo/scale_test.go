package demo_test

import (
	"context"
	"fmt"
	"hash/fnv"
	"sync"
	"testing"
	"time"

	"sunlight/ent"
	"sunlight/ent/voucher"
	"sunlight/internal/demo"
	"sunlight/internal/ledger"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/money"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestScaleRowsKeepTheRules loads a small scale data set on both databases
// and checks every row against the rules the ent hooks would have enforced.
func TestScaleRowsKeepTheRules(t *testing.T) {
	s := demo.Scale{Communities: 3, Vouchers: 1_000, Assets: 20, Meetings: 30, FromYear: 2016, Years: 2}
	var mu sync.Mutex
	prints := map[string]string{}
	dbtest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		d := dbtest.Open(t, dsn)
		if err := demo.LoadScale(ctx, d, s); err != nil {
			t.Fatal(err)
		}
		c := d.Client
		n, err := c.Community.Query().Count(ctx)
		if err != nil || n != s.Communities {
			t.Fatalf("communities: %d, %v", n, err)
		}
		if n, _ := c.Asset.Query().Count(ctx); n != s.Assets {
			t.Errorf("assets: %d, want %d", n, s.Assets)
		}
		if n, _ := c.AssetValuation.Query().Count(ctx); n != s.Assets*s.Years {
			t.Errorf("valuations: %d, want %d", n, s.Assets*s.Years)
		}
		ms, err := c.Meeting.Query().All(ctx)
		if err != nil || len(ms) != s.Meetings {
			t.Fatalf("meetings: %d, %v", len(ms), err)
		}
		for _, m := range ms {
			if 3*m.Attended < 2*m.Entitled || m.Attended > m.Entitled || m.VotesFor == nil ||
				2**m.VotesFor <= m.Attended || *m.VotesFor+*m.VotesAgainst+*m.VotesAbstain != m.Attended {
				t.Errorf("meeting %d is not a valid vote: %+v", m.ID, m)
			}
		}

		vs, err := c.Voucher.Query().WithSignatures().Order(ent.Asc(voucher.FieldID)).All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != s.Vouchers {
			t.Fatalf("vouchers: %d, want %d", len(vs), s.Vouchers)
		}
		sums := map[string]money.Fen{}
		h := fnv.New64a()
		numbers := map[string]bool{}
		for _, v := range vs {
			if v.Status != voucher.StatusPOSTED || v.PostedAt == nil || !v.PostedAt.After(v.OccurredOn) {
				t.Fatalf("voucher %s is not posted after its date: %+v", v.Number, v)
			}
			if p := calendar.MonthOf(v.OccurredOn).String(); v.Period != p {
				t.Fatalf("voucher %s: period %s, date %s", v.Number, v.Period, calendar.FormatDate(v.OccurredOn))
			}
			if v.Amount <= 0 || !ledger.ValidCategory(v.Direction, v.Category) {
				t.Fatalf("voucher %s: amount %s, %s category %q", v.Number, v.Amount, v.Direction, v.Category)
			}
			key := fmt.Sprint(v.CommunityID, v.Number)
			if numbers[key] {
				t.Fatalf("voucher number %s twice in community %d", v.Number, v.CommunityID)
			}
			numbers[key] = true
			signers := map[string]bool{}
			for _, sg := range v.Edges.Signatures {
				signers[sg.Signer] = true
				if sg.CommunityID != v.CommunityID || sg.SignedAt.After(*v.PostedAt) {
					t.Fatalf("signature %d of voucher %s: community %d, signed %s, posted %s", sg.ID, v.Number, sg.CommunityID, sg.SignedAt, v.PostedAt)
				}
			}
			if len(signers) < 9 || len(v.Edges.Signatures) != 9 {
				t.Fatalf("voucher %s has %d signatures by %d people, want 9 by 9", v.Number, len(v.Edges.Signatures), len(signers))
			}
			sums[fmt.Sprint(v.CommunityID, v.Period, v.Direction, v.Category)] += v.Amount
			fmt.Fprintln(h, v.Number, calendar.FormatDate(v.OccurredOn), v.Direction, v.Category, v.Amount, v.PostedAt.UTC())
		}
		mu.Lock()
		prints[dsn[:6]] = fmt.Sprintf("%x", h.Sum64())
		mu.Unlock()

		// The aggregate the disclosures print agrees with the rows.
		first := vs[0]
		tot, err := ledger.TotalsFor(ctx, c, first.CommunityID, calendar.MonthOf(first.OccurredOn))
		if err != nil {
			t.Fatal(err)
		}
		for _, ct := range tot.Categories {
			if want := sums[fmt.Sprint(first.CommunityID, first.Period, ct.Direction, ct.Category)]; ct.Amount != want {
				t.Errorf("total of %s %s: %s, rows say %s", ct.Direction, ct.Category, ct.Amount, want)
			}
		}

		// The hooks treat the bulk rows as posted: no path changes them.
		if err := c.Voucher.UpdateOneID(first.ID).SetSummary("改").Exec(ctx); err == nil {
			t.Error("a bulk-loaded posted voucher could be changed")
		}
		// Every month of the data is closed.
		_, err = c.Voucher.Create().SetCommunityID(first.CommunityID).SetNumber("X-1").
			SetOccurredOn(first.OccurredOn).SetDirection(voucher.DirectionEXPENSE).SetCategory("办公经费").
			SetAmount(money.Yuan(1)).SetSummary("补记").Save(ctx)
		if err == nil {
			t.Error("a voucher was accepted in a closed month of the scale data")
		}
		// IDs came from the database: a voucher written through ent afterwards
		// gets the next ID of the vouchers' range, not one of another table.
		next, err := c.Voucher.Create().SetCommunityID(first.CommunityID).SetNumber("X-2").
			SetOccurredOn(calendar.Date(2026, time.March, 3)).SetDirection(voucher.DirectionEXPENSE).SetCategory("办公经费").
			SetAmount(money.Yuan(1)).SetSummary("新凭证").Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		last := vs[len(vs)-1]
		if next.ID <= last.ID || next.ID>>32 != first.ID>>32 || first.ID>>32 == int(first.Edges.Signatures[0].ID)>>32 {
			t.Errorf("IDs out of range: first voucher %d, last %d, next %d, a signature %d", first.ID, last.ID, next.ID, first.Edges.Signatures[0].ID)
		}
		// A second load into the same database is refused.
		if err := demo.LoadScale(ctx, d, s); err == nil {
			t.Error("scale data loaded twice")
		}
	})
	if len(prints) == 2 && prints["file:/"] != prints["postgr"] {
		t.Errorf("SQLite and PostgreSQL got different vouchers: %v", prints)
	}
}
