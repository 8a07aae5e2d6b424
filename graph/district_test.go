package graph_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"sunlight/internal/access/auth"
	"sunlight/internal/access/token"
	"sunlight/internal/demo"
	"sunlight/internal/demo/demotest"
	"sunlight/internal/vocab/calendar"
)

const totalsFields = `communityID period from to income expense net categories { direction category amount amountInCapitals vouchers }`

// canonical re-encodes a JSON object without the given keys, keys sorted,
// so that two answers compare field by field.
func canonical(t *testing.T, raw json.RawMessage, drop ...string) string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	for _, k := range drop {
		delete(m, k)
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

type categoryAmount struct {
	Direction, Category string
	Amount              string
	Vouchers            int
}

type seriesMonth struct {
	Period               string
	Income, Expense, Net string
	Categories           []categoryAmount
}

// fen reads a Money string ("1234.50") as fen.
func fen(t *testing.T, s string) int64 {
	t.Helper()
	yuan, cents, ok := cut(s)
	y, err := strconv.ParseInt(yuan, 10, 64)
	if err != nil {
		t.Fatalf("money %q: %v", s, err)
	}
	var c int64
	if ok {
		if c, err = strconv.ParseInt(cents, 10, 64); err != nil || len(cents) != 2 {
			t.Fatalf("money %q: %v", s, err)
		}
	}
	if y < 0 || s[0] == '-' {
		return y*100 - c
	}
	return y*100 + c
}

func cut(s string) (string, string, bool) {
	for i := range s {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// TestDistrictTotalsOneRequest: a district dashboard (its four communities,
// one month or a year, by category) is one request of two statements, and
// each community's entry is exactly its ledgerTotals.
func TestDistrictTotalsOneRequest(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		s := demoServer(t, dsn)
		s.h = s.edge // PUBLIC, no token: only the query's statements count
		for _, period := range []string{"2026-10", "2026-09", "2026"} {
			t.Run(period, func(t *testing.T) {
				before := s.count.Statements()
				var out struct {
					DistrictTotals []json.RawMessage `json:"districtTotals"`
				}
				s.ok(`query($p: Period!) { districtTotals(district: "南湖新区", period: $p) { community { id name code } `+totalsFields+` } }`,
					map[string]any{"p": period}, &out)
				if n := s.count.Statements() - before; n != 2 {
					t.Errorf("districtTotals took %d statements, want 2", n)
				}
				var codes []string
				var income int64
				for _, raw := range out.DistrictTotals {
					var e struct {
						Community   struct{ ID, Name, Code string }
						CommunityID string
						Income      string
					}
					if err := json.Unmarshal(raw, &e); err != nil {
						t.Fatal(err)
					}
					if e.Community.ID != e.CommunityID || e.Community.Name == "" {
						t.Errorf("community %+v for communityID %s", e.Community, e.CommunityID)
					}
					codes = append(codes, e.Community.Code)
					income += fen(t, e.Income)
					var alone struct {
						LedgerTotals json.RawMessage `json:"ledgerTotals"`
					}
					s.ok(`query($c: ID!, $p: Period!) { ledgerTotals(communityID: $c, period: $p) { `+totalsFields+` } }`,
						map[string]any{"c": e.CommunityID, "p": period}, &alone)
					if got, want := canonical(t, raw, "community"), canonical(t, alone.LedgerTotals); got != want {
						t.Errorf("%s: districtTotals has\n%s\nledgerTotals has\n%s", e.Community.Code, got, want)
					}
				}
				if want := []string{"fengqiao", "gezishi", "longshan", "wanghu"}; !slices.Equal(codes, want) {
					t.Errorf("communities %v, want %v", codes, want)
				}
				if income == 0 {
					t.Errorf("the district has no income in %s: the demo has some every month", period)
				}
			})
		}
		// An official's dashboard costs the same two statements besides its
		// token's, and sees its district.
		tok, _, err := token.Issue(t.Context(), s.d.Client, token.New{Name: "official", Role: auth.DistrictOfficial,
			District: "南湖新区", TTL: 24 * time.Hour}, calendar.StartOf(demo.Today))
		if err != nil {
			t.Fatal(err)
		}
		s.h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Header.Set("Authorization", "Bearer "+tok)
			s.edge.ServeHTTP(w, r)
		})
		s.ok(`{ __typename }`, nil, nil) // the token's first use records it
		before := s.count.Statements()
		s.ok(`{ __typename }`, nil, nil)
		tokenCost := s.count.Statements() - before
		before = s.count.Statements()
		var out struct {
			DistrictTotals []struct{ Categories []categoryAmount } `json:"districtTotals"`
		}
		s.ok(`{ districtTotals(district: "南湖新区", period: "2026-10") { community { code } income categories { category amount } } }`, nil, &out)
		if n := s.count.Statements() - before - tokenCost; n != 2 || len(out.DistrictTotals) != 4 {
			t.Errorf("an official's dashboard: %d communities in %d statements besides the token's %d, want 4 in 2", len(out.DistrictTotals), n, tokenCost)
		}
	})
}

// TestMonthlySeriesOneRequest: twelve months of a district by category are
// one request of two statements, and each month is the sum of its
// communities' months; for one community the series is its monthlyTotals.
func TestMonthlySeriesOneRequest(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		s := demoServer(t, dsn)
		s.h = s.edge
		const months = `period income expense net categories { direction category amount vouchers }`
		before := s.count.Statements()
		var district struct {
			MonthlySeries []seriesMonth `json:"monthlySeries"`
		}
		s.ok(`{ monthlySeries(district: "南湖新区", from: "2025-11", to: "2026-10") { `+months+` } }`, nil, &district)
		if n := s.count.Statements() - before; n != 2 {
			t.Errorf("a 12-month district series took %d statements, want 2", n)
		}
		if len(district.MonthlySeries) != 12 || district.MonthlySeries[0].Period != "2025-11" || district.MonthlySeries[11].Period != "2026-10" {
			t.Fatalf("series %+v, want 2025-11 to 2026-10", district.MonthlySeries)
		}
		var list struct {
			DistrictTotals []struct{ CommunityID string } `json:"districtTotals"`
		}
		s.ok(`{ districtTotals(district: "南湖新区", period: "2026-10") { communityID } }`, nil, &list)
		type key struct{ period, direction, category string }
		sum := map[key]int64{}
		income := map[string]int64{}
		for _, c := range list.DistrictTotals {
			var one struct {
				MonthlyTotals []seriesMonth   `json:"monthlyTotals"`
				MonthlySeries json.RawMessage `json:"monthlySeries"`
			}
			raw := s.do(`query($c: ID!) { monthlyTotals(communityID: $c, from: "2025-11", to: "2026-10") { `+months+` }
				monthlySeries(communityID: $c, from: "2025-11", to: "2026-10") { `+months+` } }`, map[string]any{"c": c.CommunityID})
			if len(raw.Errors) > 0 {
				t.Fatalf("community %s: %+v", c.CommunityID, raw.Errors)
			}
			var both map[string]json.RawMessage
			if err := json.Unmarshal(raw.Data, &both); err != nil {
				t.Fatal(err)
			}
			if string(both["monthlyTotals"]) != string(both["monthlySeries"]) {
				t.Errorf("community %s: monthlySeries %s, monthlyTotals %s", c.CommunityID, both["monthlySeries"], both["monthlyTotals"])
			}
			if err := json.Unmarshal(raw.Data, &one); err != nil {
				t.Fatal(err)
			}
			for _, m := range one.MonthlyTotals {
				income[m.Period] += fen(t, m.Income)
				for _, ct := range m.Categories {
					sum[key{m.Period, ct.Direction, ct.Category}] += fen(t, ct.Amount)
				}
			}
		}
		for _, m := range district.MonthlySeries {
			if got := fen(t, m.Income); got != income[m.Period] || got == 0 {
				t.Errorf("%s: district income %d fen, its communities' %d", m.Period, got, income[m.Period])
			}
			var byCategory int64
			for _, ct := range m.Categories {
				k := key{m.Period, ct.Direction, ct.Category}
				if got := fen(t, ct.Amount); got != sum[k] {
					t.Errorf("%v: district %d fen, its communities' %d", k, got, sum[k])
				}
				delete(sum, k)
				if ct.Direction == "INCOME" {
					byCategory += fen(t, ct.Amount)
				}
			}
			if byCategory != fen(t, m.Income) {
				t.Errorf("%s: income by category %d fen, income %d", m.Period, byCategory, fen(t, m.Income))
			}
		}
		for k, v := range sum {
			if v != 0 {
				t.Errorf("%v: %d fen in the communities' months, missing from the district's", k, v)
			}
		}
	})
}

// TestDistrictViewsConfined: each viewer sees only the communities it may
// see, in the same fixed number of statements; naming one it may not see
// is NOT_FOUND; bad selections are BAD_USER_INPUT.
func TestDistrictViewsConfined(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		w := newAuthWorld(t, dsn)
		count := func(who string) []string {
			r := w.do(who, `{ districtTotals(district: "南湖新区", period: "2026-10") { community { code } income } }`, nil)
			if len(r.Errors) > 0 {
				t.Fatalf("%s: %+v", who, r.Errors)
			}
			var out struct {
				DistrictTotals []struct{ Community struct{ Code string } } `json:"districtTotals"`
			}
			if err := json.Unmarshal(r.Data, &out); err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, e := range out.DistrictTotals {
				codes = append(codes, e.Community.Code)
			}
			return codes
		}
		all := []string{"fengqiao", "gezishi", "longshan", "wanghu"}
		for who, want := range map[string][]string{
			"public":          all,
			"admin":           all,
			"official":        all,
			"other-official":  nil,
			"staff":           {"gezishi"},
			"neighbour-staff": {"longshan"},
		} {
			if got := count(who); !slices.Equal(got, want) {
				t.Errorf("%s sees %v, want %v", who, got, want)
			}
		}
		// The staff's series is its own community's.
		series := func(who, args string) response {
			return w.do(who, `{ monthlySeries(`+args+`, from: "2026-01", to: "2026-10") { period income } }`, nil)
		}
		staff, own := series("staff", `district: "南湖新区"`), series("admin", `communityID: "`+strconv.Itoa(w.ids["gezishi"])+`"`)
		if len(staff.Errors) > 0 || string(staff.Data) != string(own.Data) {
			t.Errorf("staff's district series %s %+v, its community's %s", staff.Data, staff.Errors, own.Data)
		}
		for _, tt := range []struct {
			name, who, query, code string
		}{
			{"another community by ID", "staff", `{ districtTotals(communityIDs: ["` + strconv.Itoa(w.ids["longshan"]) + `"], period: "2026-10") { income } }`, "NOT_FOUND"},
			{"an unknown community", "admin", `{ districtTotals(communityIDs: ["999999"], period: "2026-10") { income } }`, "NOT_FOUND"},
			{"another community's series", "neighbour-staff", `{ monthlySeries(communityID: "` + strconv.Itoa(w.ids["gezishi"]) + `", from: "2026-01", to: "2026-10") { income } }`, "NOT_FOUND"},
			{"district and list", "admin", `{ districtTotals(district: "南湖新区", communityIDs: ["1"], period: "2026-10") { income } }`, "BAD_USER_INPUT"},
			{"neither", "admin", `{ districtTotals(period: "2026-10") { income } }`, "BAD_USER_INPUT"},
			{"empty district", "admin", `{ monthlySeries(district: "", from: "2026-01", to: "2026-10") { income } }`, "BAD_USER_INPUT"},
			{"months reversed", "admin", `{ monthlySeries(district: "南湖新区", from: "2026-10", to: "2026-01") { income } }`, "BAD_USER_INPUT"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				r := w.do(tt.who, tt.query, nil)
				if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != tt.code {
					t.Fatalf("errors %+v, want one %s", r.Errors, tt.code)
				}
			})
		}
	})
}
