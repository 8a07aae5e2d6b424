// Command samerows checks that Sunlight and PostGraphile answered a benchmark
// question with the same rows: it maps each response to canonical rows
// (money in fen, times in UTC, aggregate groups sorted) and compares them.
//
//	go run ./cmd/samerows QUESTION SUNLIGHT.json POSTGRAPHILE.json
//
// QUESTION is the query file's name without .graphql (q1_communities_assets …).
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"time"

	"sunlight/internal/vocab/money"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: samerows QUESTION SUNLIGHT.json POSTGRAPHILE.json")
		os.Exit(2)
	}
	q := os.Args[1]
	a, err := rows(q, "sunlight", os.Args[2])
	if err == nil {
		var b []string
		b, err = rows(q, "postgraphile", os.Args[3])
		if err == nil {
			if !reflect.DeepEqual(a, b) {
				err = fmt.Errorf("different rows:\n%s", diff(a, b))
			} else {
				fmt.Printf("same %d rows\n", len(a))
			}
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", q, err)
		os.Exit(1)
	}
}

func diff(a, b []string) string {
	var sb strings.Builder
	for i := 0; i < max(len(a), len(b)); i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			fmt.Fprintf(&sb, "  row %d\n    sunlight:     %s\n    postgraphile: %s\n", i, x, y)
		}
	}
	return sb.String()
}

type obj = map[string]any

func load(file string) (obj, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var r struct {
		Data   obj
		Errors []any
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(r.Errors) > 0 || r.Data == nil {
		return nil, fmt.Errorf("%s: errors %v", file, r.Errors)
	}
	return r.Data, nil
}

// get walks a path of keys; a number-free path is enough here.
func get(v any, path ...string) any {
	for _, k := range path {
		m, _ := v.(obj)
		v = m[k]
	}
	return v
}

func list(v any, path ...string) []any { l, _ := get(v, path...).([]any); return l }

// fen reads Sunlight's Money (yuan string) or PostGraphile's BigInt (fen string).
func fen(server string, v any) string {
	s := fmt.Sprint(v)
	if server == "sunlight" {
		f, err := money.Parse(s)
		if err != nil {
			return "bad money " + s
		}
		return fmt.Sprint(int64(f))
	}
	return s
}

func utc(v any) string {
	s := fmt.Sprint(v)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC().Format(time.RFC3339)
	}
	return s
}

func row(vals ...any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, " | ")
}

// groups turns ledger totals (Sunlight) or groupedAggregates (PostGraphile)
// into sorted "direction | category | fen | count" rows.
func groups(server string, v any) []string {
	var out []string
	if server == "sunlight" {
		for _, c := range list(v, "categories") {
			out = append(out, row(get(c, "direction"), get(c, "category"), fen(server, get(c, "amount")), get(c, "vouchers")))
		}
	} else {
		for _, g := range list(v, "groupedAggregates") {
			k := list(g, "keys")
			out = append(out, row(k[0], k[1], fen(server, get(g, "sum", "amount")), get(g, "distinctCount", "id")))
		}
	}
	sort.Strings(out)
	return out
}

func rows(q, server, file string) ([]string, error) {
	d, err := load(file)
	if err != nil {
		return nil, err
	}
	var out []string
	switch q {
	case "q1_communities_assets":
		c := get(d, "communities")
		out = append(out, row("total", get(c, "totalCount")))
		for _, e := range list(c, "edges") {
			n := get(e, "node")
			out = append(out, row(get(n, "id"), get(n, "name"), get(n, "district")))
			for _, ae := range list(n, "assets", "edges") {
				a := get(ae, "node")
				out = append(out, row("  ", get(a, "id"), get(a, "name"), get(a, "category"), get(a, "acquiredOn"), fen(server, get(a, "originalValue"))))
			}
		}
	case "q2_ledger_page":
		c := get(d, "vouchers")
		out = append(out, row("total", get(c, "totalCount"), get(c, "pageInfo", "hasNextPage")))
		for _, e := range list(c, "edges") {
			n := get(e, "node")
			out = append(out, row(get(n, "id"), get(n, "number"), get(n, "occurredOn"), get(n, "direction"), get(n, "category"), fen(server, get(n, "amount")), get(n, "summary")))
		}
	case "q3_month_totals":
		if server == "sunlight" {
			out = groups(server, get(d, "ledgerTotals"))
		} else {
			out = groups(server, get(d, "vouchers"))
		}
	case "q4_dashboard":
		var c any
		if server == "sunlight" {
			out = groups(server, get(d, "ytd"))
			for _, m := range list(d, "monthlyTotals") {
				out = append(out, row(get(m, "period"), "INCOME", fen(server, get(m, "income"))), row(get(m, "period"), "EXPENSE", fen(server, get(m, "expense"))))
			}
			c = get(list(d, "communities", "edges")[0], "node")
		} else {
			out = groups(server, get(d, "ytd"))
			var ms []string
			for _, g := range list(d, "monthly", "groupedAggregates") {
				k := list(g, "keys")
				ms = append(ms, row(k[0], k[1], fen(server, get(g, "sum", "amount"))))
			}
			sort.Slice(ms, func(i, j int) bool { return ms[i][:7] < ms[j][:7] || ms[i][:7] == ms[j][:7] && ms[i] > ms[j] })
			out = append(out, ms...)
			c = get(d, "community")
		}
		out = append(out, row(get(c, "id"), get(c, "name")))
		out = append(out, row("meetings", get(c, "meetings", "totalCount")))
		for _, e := range list(c, "meetings", "edges") {
			n := get(e, "node")
			out = append(out, row(get(n, "id"), get(n, "kind"), utc(get(n, "heldAt")), get(n, "title"), get(n, "attended")))
		}
		out = append(out, row("assets", get(c, "assets", "totalCount")))
		for _, e := range list(c, "assets", "edges") {
			n := get(e, "node")
			out = append(out, row(get(n, "id"), get(n, "name"), fen(server, get(n, "originalValue"))))
		}
	case "q5_district_month":
		out = district(server, d)
	default:
		return nil, fmt.Errorf("unknown question %q", q)
	}
	return out, nil
}

// district turns districtTotals (Sunlight) or each community's
// groupedAggregates (PostGraphile) into "community | direction | category |
// fen | count" rows plus each community's income and expense: PostGraphile's
// are the sums of its groups, so Sunlight's totals are checked against the
// same vouchers.
func district(server string, d any) []string {
	var out []string
	if server == "sunlight" {
		for _, c := range list(d, "districtTotals") {
			id := get(c, "communityID")
			out = append(out, row(id, "INCOME", fen(server, get(c, "income"))), row(id, "EXPENSE", fen(server, get(c, "expense"))))
			for _, g := range groups(server, c) {
				out = append(out, row(id, g))
			}
		}
	} else {
		for _, n := range list(d, "communities", "nodes") {
			id := get(n, "id")
			sum := map[string]int64{}
			gs := groups(server, get(n, "vouchers"))
			for _, g := range list(n, "vouchers", "groupedAggregates") {
				var f int64
				fmt.Sscan(fen(server, get(g, "sum", "amount")), &f)
				sum[fmt.Sprint(list(g, "keys")[0])] += f
			}
			out = append(out, row(id, "INCOME", sum["INCOME"]), row(id, "EXPENSE", sum["EXPENSE"]))
			for _, g := range gs {
				out = append(out, row(id, g))
			}
		}
	}
	sort.Strings(out)
	return out
}
