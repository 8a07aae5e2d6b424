package officials_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"sunlight/ent/community"
	"sunlight/internal/ledger"
	"sunlight/internal/vocab/calendar"
)

// TestDistrictTableIsLedgerTotals: each row of the district table shows
// its community's ledger totals of the month, as the API's ledgerTotals
// and districtTotals answer them.
func TestDistrictTableIsLedgerTotals(t *testing.T) {
	srv, client := published(t)
	ctx := context.Background()
	for _, month := range []calendar.Period{calendar.Month(2026, 9), calendar.Month(2026, 10)} {
		resp, err := http.Get(srv.URL + "/reports?month=" + month.String())
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		page := string(b)
		cs := client.Community.Query().Where(community.District("南湖新区")).AllX(ctx)
		if len(cs) != 4 {
			t.Fatalf("%d communities in 南湖新区, want the demo's 4", len(cs))
		}
		for _, c := range cs {
			_, rest, ok := strings.Cut(page, `<tr data-code="`+c.Code+`">`)
			if !ok {
				t.Fatalf("%s: no row for %s", month, c.Code)
			}
			tr, _, _ := strings.Cut(rest, "</tr>")
			want, err := ledger.TotalsFor(ctx, client, c.ID, month)
			if err != nil {
				t.Fatal(err)
			}
			cells := `<td class="num">` + want.Income.Grouped() + `</td><td class="num">` + want.Expense.Grouped() +
				`</td><td class="num">` + want.Net().Grouped() + `</td>`
			if want.Income == 0 || !strings.Contains(tr, cells) {
				t.Errorf("%s %s: row %q, want %q", month, c.Code, tr, cells)
			}
		}
	}
}
