package graph_test

import (
	"slices"
	"strings"
	"testing"

	"sunlight/internal/demo/demotest"
	"sunlight/internal/storage/dbtest"
)

// TestCommunitiesByNameInPinyin: orderBy NAME is pinyin order (枫桥, 阁子市,
// 龙山, 望湖; by code point it is 望湖, 枫桥, 阁子市, 龙山), both directions
// and across pages, on both databases; and a database whose keys were
// written before the key existed (empty, as the migration adds the column)
// gets them back when it is opened.
func TestCommunitiesByNameInPinyin(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		// As after the migration: every key empty. Opening the database
		// again (as a restart does) writes them.
		d := dbtest.Open(t, dsn)
		if _, err := d.SQL.ExecContext(t.Context(), `UPDATE communities SET name_sort = ''`); err != nil {
			t.Fatal(err)
		}
		d.Close()
		s := demoServer(t, dsn)
		var empty int
		if err := s.d.SQL.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM communities WHERE name_sort = ''`).Scan(&empty); err != nil || empty != 0 {
			t.Fatalf("%d communities without a sort key after opening (%v)", empty, err)
		}
		want := []string{"枫桥", "阁子市", "龙山", "望湖"}
		names := func(dir, after string, first int) ([]string, string) {
			var out struct {
				Communities struct {
					Edges []struct {
						Cursor string
						Node   struct{ Name string }
					}
				}
			}
			s.ok(`query($d: OrderDirection!, $a: Cursor, $f: Int) { communities(first: $f, after: $a, orderBy: {field: NAME, direction: $d}, where: {district: "南湖新区"}) {
				edges { cursor node { name } } } }`, map[string]any{"d": dir, "a": nilIfEmpty(after), "f": first}, &out)
			var got []string
			last := ""
			for _, e := range out.Communities.Edges {
				for _, w := range want {
					if strings.HasPrefix(e.Node.Name, w) {
						got = append(got, w)
					}
				}
				last = e.Cursor
			}
			return got, last
		}
		if got, _ := names("ASC", "", 10); !slices.Equal(got, want) {
			t.Fatalf("ASC: %v, want %v", got, want)
		}
		if got, _ := names("DESC", "", 10); !slices.Equal(got, []string{"望湖", "龙山", "阁子市", "枫桥"}) {
			t.Fatalf("DESC: %v", got)
		}
		page1, cursor := names("ASC", "", 2)
		page2, _ := names("ASC", cursor, 2)
		if got := append(page1, page2...); !slices.Equal(got, want) {
			t.Fatalf("two pages: %v, want %v", got, want)
		}
		// A renamed community moves to its new place.
		var gz struct{ Community struct{ ID string } }
		s.ok(`{ community(code: "gezishi") { id } }`, nil, &gz)
		s.ok(`mutation($id: ID!) { updateCommunity(id: $id, input: {name: "安定社区"}) { id } }`, map[string]any{"id": gz.Community.ID}, nil)
		var out struct {
			Communities struct {
				Edges []struct{ Node struct{ Name string } }
			}
		}
		s.ok(`{ communities(first: 1, orderBy: {field: NAME}, where: {district: "南湖新区"}) { edges { node { name } } } }`, nil, &out)
		if len(out.Communities.Edges) != 1 || out.Communities.Edges[0].Node.Name != "安定社区" {
			t.Fatalf("after renaming to 安定社区 (an1): %+v first", out.Communities.Edges)
		}
	})
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
