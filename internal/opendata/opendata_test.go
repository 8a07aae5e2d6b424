package opendata_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"sunlight/ent/community"
	"sunlight/internal/demo"
	"sunlight/internal/demo/demotest"
	"sunlight/internal/ledger"
	"sunlight/internal/opendata"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/money"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// The open data of the demo's 2026 adds up to the ledger's totals, by
// direction and category, over HTTP in CSV and JSON alike.
func TestExportSumsToTotals(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		d := dbtest.Open(t, dsn)
		c := d.Client.Community.Query().Where(community.Code(demo.Code)).OnlyX(ctx)
		tot, err := ledger.TotalsFor(ctx, d.Client, c.ID, calendar.Year(2026))
		if err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		opendata.New(d.Client).Register(mux)
		srv := httptest.NewServer(mux)
		defer srv.Close()
		get := func(path string) []byte {
			resp, err := http.Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 {
				t.Fatalf("GET %s = %d %s", path, resp.StatusCode, b)
			}
			return b
		}

		// CSV, with a UTF-8 byte order mark so Excel reads Chinese right.
		vcsv := get("/open-data/gezishi/2026/vouchers.csv")
		if !bytes.HasPrefix(vcsv, []byte("\xef\xbb\xbf")) {
			t.Fatalf("vouchers.csv starts % x, want the UTF-8 byte order mark", vcsv[:min(len(vcsv), 3)])
		}
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(vcsv, []byte("\xef\xbb\xbf")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, h := range recs[0] {
			col[h] = i
		}
		sums := map[string]money.Fen{}
		for _, r := range recs[1:] {
			if !strings.HasPrefix(r[col["period"]], "2026-") {
				t.Fatalf("a voucher of period %s in 2026's export", r[col["period"]])
			}
			fen, _ := strconv.ParseInt(r[col["amount_fen"]], 10, 64)
			parsed, err := money.Parse(r[col["amount"]])
			if err != nil || parsed != money.Fen(fen) {
				t.Fatalf("amount %q and amount_fen %q disagree", r[col["amount"]], r[col["amount_fen"]])
			}
			sums[r[col["direction"]]+"/"+r[col["category"]]] += money.Fen(fen)
			sums[r[col["direction"]]] += money.Fen(fen)
		}
		if sums["INCOME"] != tot.Income || sums["EXPENSE"] != tot.Expense {
			t.Fatalf("CSV sums income %v expense %v; ledger totals %v %v", sums["INCOME"], sums["EXPENSE"], tot.Income, tot.Expense)
		}
		n := 0
		for _, ct := range tot.Categories {
			if got := sums[string(ct.Direction)+"/"+ct.Category]; got != ct.Amount {
				t.Errorf("%s %s: export %v, ledger %v", ct.Direction, ct.Category, got, ct.Amount)
			}
			n += ct.Vouchers
		}
		if len(recs)-1 != n {
			t.Errorf("%d vouchers exported, ledger counts %d", len(recs)-1, n)
		}

		// JSON: the same numbers.
		var rows []map[string]any
		if err := json.Unmarshal(get("/open-data/gezishi/2026/vouchers.json"), &rows); err != nil {
			t.Fatal(err)
		}
		var exp money.Fen
		for _, r := range rows {
			// Money is a string of yuan, as in GraphQL, and agrees with the fen.
			amount, ok := r["amount"].(string)
			parsed, err := money.Parse(amount)
			if !ok || err != nil || !strings.Contains(amount, ".") || int64(parsed) != int64(r["amount_fen"].(float64)) {
				t.Fatalf("JSON amount %#v (fen %v): want a string of yuan with two decimals", r["amount"], r["amount_fen"])
			}
			if r["direction"] == "EXPENSE" {
				exp += parsed
			}
		}
		if len(rows) != n || exp != tot.Expense {
			t.Fatalf("JSON: %d rows, expense %v; want %d, %v", len(rows), exp, n, tot.Expense)
		}

		// Assets, contracts and the descriptor are there; no resident's full name.
		for _, f := range []string{"assets.csv", "contracts.csv", "assets.json", "contracts.json"} {
			if len(get("/open-data/gezishi/2026/"+f)) < 100 {
				t.Errorf("%s is nearly empty", f)
			}
		}
		for file, col := range map[string]string{"assets.json": "original_value", "contracts.json": "amount"} {
			var rows []map[string]any
			if err := json.Unmarshal(get("/open-data/gezishi/2026/"+file), &rows); err != nil || len(rows) == 0 {
				t.Fatalf("%s: %v, %d rows", file, err, len(rows))
			}
			for _, r := range rows {
				if v, ok := r[col].(string); !ok || !strings.Contains(v, ".") {
					t.Fatalf("%s: %s is %#v, want a string of yuan", file, col, r[col])
				}
			}
		}
		var pkg map[string]any
		if err := json.Unmarshal(get("/open-data/gezishi/2026/datapackage.json"), &pkg); err != nil || len(pkg["resources"].([]any)) != 4 {
			t.Fatalf("datapackage.json: %v %v", err, pkg)
		}
		crecs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(get("/open-data/gezishi/2026/contracts.csv"), []byte("\xef\xbb\xbf")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		masked := 0
		for _, r := range crecs[1:] {
			if strings.Contains(r[3], "*") {
				masked++
			}
			for _, res := range d.Client.Resident.Query().AllX(ctx) {
				if r[3] == res.Name {
					t.Fatalf("resident %s named in full in contracts.csv", res.Name)
				}
			}
		}
		if masked == 0 {
			t.Error("no stall lease's counterparty is masked")
		}
		for path, want := range map[string]int{
			"/open-data/nowhere/2026/vouchers.csv":    http.StatusNotFound,
			"/open-data/gezishi/2026/salaries.csv":    http.StatusNotFound,
			"/open-data/gezishi/2026/datapackage.csv": http.StatusNotFound,
			"/open-data/gezishi/12/vouchers.csv":      http.StatusBadRequest,
		} {
			resp, err := http.Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("%s = %d, want %d", path, resp.StatusCode, want)
			}
		}
	})
}
