package graph_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sunlight/graph"
	"sunlight/internal/access/auth"
	"sunlight/internal/access/token"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/money"
	"sunlight/internal/web/server"
)

// cacheWorld is a onceWorld (whose server keeps answers, as serve does)
// with a second server on the same database that keeps none: the truth
// every cached answer is held to.
type cacheWorld struct {
	*onceWorld
	fresh http.Handler
}

func newCacheWorld(t *testing.T, dsn string) *cacheWorld {
	w := newOnceWorld(t, dsn)
	clock := func() time.Time { return w.now }
	fresh := newEdge(t, w.d, server.Config{GraphQL: graph.Config{Now: clock}, ResponseCache: -1})
	return &cacheWorld{onceWorld: w, fresh: fresh}
}

// postTo sends one GraphQL request to h with the bearer token tok ("": none),
// through post.
func postTo(t *testing.T, h http.Handler, tok, query string, vars map[string]any) response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	header := map[string]string{}
	if tok != "" {
		header["Authorization"] = "Bearer " + tok
	}
	_, r := post(t, h, body, header)
	return r
}

// ask asks the caching server and the fresh one, fails unless they answer
// the same, and returns the answer.
func (w *cacheWorld) ask(tok, query string, vars map[string]any) string {
	w.t.Helper()
	got := postTo(w.t, w.h, tok, query, vars)
	want := postTo(w.t, w.fresh, tok, query, vars)
	if string(got.Data) != string(want.Data) || got.code() != want.code() {
		w.t.Fatalf("the cached server answered %s %v; the database says %s %v\n%s", got.Data, got.Errors, want.Data, want.Errors, query)
	}
	if len(got.Errors) > 0 {
		w.t.Fatalf("%s: %+v", query, got.Errors)
	}
	return string(got.Data)
}

// mutate runs a mutation that must succeed.
func (w *cacheWorld) mutate(tok, query string, vars map[string]any) {
	w.t.Helper()
	if r := postTo(w.t, w.h, tok, query, vars); len(r.Errors) > 0 {
		w.t.Fatalf("%s: %+v", query, r.Errors)
	}
}

// cacheCounter reads one of the response cache's counters from /metrics.
func cacheCounter(t *testing.T, h http.Handler, name string) int {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for line := range strings.SplitSeq(rec.Body.String(), "\n") {
		if v, ok := strings.CutPrefix(line, "sunlight_response_cache_"+name+" "); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("metric %s: %q", name, v)
			}
			return int(n)
		}
	}
	t.Fatalf("no sunlight_response_cache_%s in /metrics", name)
	return 0
}

const (
	totalsQuery = `query($c: ID!, $p: Period!) { ledgerTotals(communityID: $c, period: $p) { income expense net } }`
	closedQuery = `query($c: ID!) { node(id: $c) { ... on Community { closedThrough } } }`
)

// TestResponseCacheIsExact: each change of the books is in the very next
// answer, although the same question was answered from memory just before.
func TestResponseCacheIsExact(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		w := newCacheWorld(t, dsn)
		c := gid(w.com.ID)
		oct := map[string]any{"c": c, "p": "2026-10"}
		nov := map[string]any{"c": c, "p": "2026-11"}
		w.posted(calendar.Date(2026, 10, 8))
		first := w.posted(calendar.Date(2026, 11, 3))

		octBefore := w.ask(w.admin, totalsQuery, oct)
		novBefore := w.ask(w.admin, totalsQuery, nov)
		hits := cacheCounter(t, w.h, "hits_total")
		if again := w.ask(w.admin, totalsQuery, nov); again != novBefore {
			t.Fatalf("the same question, nothing written: %s then %s", novBefore, again)
		}
		if got := cacheCounter(t, w.h, "hits_total"); got != hits+1 {
			t.Fatalf("hits went from %d to %d asking the same question again, want one more", hits, got)
		}

		t.Run("a voucher posted in the open month", func(t *testing.T) {
			v := w.voucher(calendar.Date(2026, 11, 12), "会计甲", "出纳乙")
			w.mutate(w.admin, `mutation($v: ID!) { postVoucher(id: $v) { id } }`, map[string]any{"v": gid(v.ID)})
			if after := w.ask(w.admin, totalsQuery, nov); after == novBefore {
				t.Fatalf("November still %s after a voucher was posted in it", after)
			}
			novBefore = w.ask(w.admin, totalsQuery, nov)
		})
		t.Run("a reversal", func(t *testing.T) {
			const count = `{ vouchers { totalCount } }`
			countBefore := w.ask(w.admin, count, nil)
			var out struct {
				ReverseVoucher struct{ ID string } `json:"reverseVoucher"`
			}
			r := postTo(t, w.h, w.admin, `mutation($v: ID!) { reverseVoucher(input: {voucherID: $v, number: "记-2026-11-900", occurredOn: "2026-11-25", reason: "重复入账"}) { id } }`,
				map[string]any{"v": gid(first.ID)})
			if len(r.Errors) > 0 || json.Unmarshal(r.Data, &out) != nil {
				t.Fatalf("reverse: %s %v", r.Data, r.Errors)
			}
			if after := w.ask(w.admin, count, nil); after == countBefore {
				t.Fatalf("still %s vouchers after a reversal was drafted", after)
			}
			// The red voucher counts once signed and posted.
			id, _ := strconv.Atoi(out.ReverseVoucher.ID)
			for _, name := range []string{"会计甲", "出纳乙"} {
				if _, err := w.signer(name).Sign(w.ctx, w.d.Client, id, w.now); err != nil {
					t.Fatal(err)
				}
			}
			w.mutate(w.admin, `mutation($v: ID!) { postVoucher(id: $v) { id } }`, map[string]any{"v": out.ReverseVoucher.ID})
			if after := w.ask(w.admin, totalsQuery, nov); after == novBefore {
				t.Fatalf("November still %s after a reversal in it was posted", after)
			}
		})
		t.Run("a month closed", func(t *testing.T) {
			before := w.ask(w.admin, closedQuery, map[string]any{"c": c})
			w.mutate(w.admin, `mutation($c: ID!) { closeMonth(communityID: $c, month: "2026-10") { closedThrough } }`, map[string]any{"c": c})
			if after := w.ask(w.admin, closedQuery, map[string]any{"c": c}); after == before || !strings.Contains(after, "2026-10") {
				t.Fatalf("closedThrough %s before closing October, %s after", before, after)
			}
		})
		t.Run("a write to the closed month is refused and changes nothing", func(t *testing.T) {
			r := postTo(t, w.h, w.admin, `mutation($c: ID!) { createVoucher(input: {communityID: $c, number: "记-2026-10-901", occurredOn: "2026-10-20", direction: EXPENSE, category: "办公用品", amount: "10.00", summary: "补记"}) { id } }`,
				map[string]any{"c": c})
			if len(r.Errors) == 0 {
				t.Fatalf("a voucher dated in closed October was accepted: %s", r.Data)
			}
			if after := w.ask(w.admin, totalsQuery, oct); after != octBefore {
				t.Fatalf("October was %s and is %s after a refused write", octBefore, after)
			}
		})
		t.Run("a write below the API (another process's)", func(t *testing.T) {
			before := w.ask(w.admin, totalsQuery, nov)
			w.posted(calendar.Date(2026, 11, 20)) // ledger.Post on the ent client, as the CLI does
			if after := w.ask(w.admin, totalsQuery, nov); after == before {
				t.Fatalf("November still %s after a write through the ent client", after)
			}
		})
		if n := cacheCounter(t, w.h, "invalidations_total"); n == 0 {
			t.Error("no invalidation counted after the writes")
		}
	})
}

// TestResponseCacheKeepsScopes: an answer kept for one viewer is never
// given to another, and a token whose role changes gets the new role's
// answer at once.
func TestResponseCacheKeepsScopes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		w := newCacheWorld(t, dsn)
		// The neighbour's community, for a staff token of its own.
		_, err := w.d.Client.Community.Create().SetName("龙山社区").SetCode("longshan").SetDistrict("南湖新区").Save(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		w.posted(calendar.Date(2026, 11, 3))
		w.voucher(calendar.Date(2026, 11, 4)) // a draft: staff see it, the public does not
		issue := func(n token.New) string {
			n.TTL = time.Hour
			tok, _, err := token.Issue(w.ctx, w.d.Client, n, w.now)
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}
		staff := issue(token.New{Name: "会计", Role: auth.CommunityStaff, Community: "gezishi"})
		neighbour := issue(token.New{Name: "邻居", Role: auth.CommunityStaff, Community: "longshan"})
		public := issue(token.New{Name: "看板", Role: auth.Public})
		const vouchers = `{ vouchers { totalCount } communities { totalCount } }`

		answers := map[string]string{}
		for _, v := range []struct{ name, tok string }{
			{"staff", staff}, {"neighbour", neighbour}, {"public token", public}, {"no token", ""}, {"admin", w.admin},
		} {
			// Twice each: the second answer may come from the cache and
			// must still be the viewer's own.
			answers[v.name] = w.ask(v.tok, vouchers, nil)
			if again := w.ask(v.tok, vouchers, nil); again != answers[v.name] {
				t.Fatalf("%s: %s then %s", v.name, answers[v.name], again)
			}
		}
		if hits := cacheCounter(t, w.h, "hits_total"); hits < 5 {
			t.Fatalf("%d answers from the cache, want one per viewer at least", hits)
		}
		if answers["staff"] == answers["neighbour"] || answers["staff"] == answers["public token"] {
			t.Fatalf("staff of two communities and the public got the same answer: %v", answers)
		}

		t.Run("a role changed", func(t *testing.T) {
			before := w.ask(public, vouchers, nil)
			tok, err := w.d.Client.AccessToken.Query().All(w.ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range tok {
				if x.Name == "看板" {
					if err := w.d.Client.AccessToken.UpdateOne(x).SetRole(string(auth.Admin)).Exec(w.ctx); err != nil {
						t.Fatal(err)
					}
				}
			}
			after := w.ask(public, vouchers, nil)
			if after == before || after != answers["admin"] {
				t.Fatalf("a token made ADMIN answered %s (as PUBLIC: %s; ADMIN: %s)", after, before, answers["admin"])
			}
		})
	})
}

// TestResponseCacheAcrossServers: two servers on one PostgreSQL; a write
// through one is in the other's next answer.
func TestResponseCacheAcrossServers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		w := newCacheWorld(t, dsn)
		other := dbtest.Open(t, dsn) // its own pool, as another process would have
		clock := func() time.Time { return w.now }
		second := newEdge(t, other, server.Config{GraphQL: graph.Config{Now: clock}})
		nov := map[string]any{"c": gid(w.com.ID), "p": "2026-11"}
		w.posted(calendar.Date(2026, 11, 3))
		before := postTo(t, second, w.admin, totalsQuery, nov)
		if again := postTo(t, second, w.admin, totalsQuery, nov); string(again.Data) != string(before.Data) || cacheCounter(t, second, "hits_total") != 1 {
			t.Fatalf("the second server did not answer from its cache: %s, %s", before.Data, again.Data)
		}
		v := w.voucher(calendar.Date(2026, 11, 12), "会计甲", "出纳乙")
		w.mutate(w.admin, `mutation($v: ID!) { postVoucher(id: $v) { id } }`, map[string]any{"v": gid(v.ID)})
		after := postTo(t, second, w.admin, totalsQuery, nov)
		want := postTo(t, w.fresh, w.admin, totalsQuery, nov)
		if string(after.Data) == string(before.Data) || string(after.Data) != string(want.Data) {
			t.Fatalf("the second server answered %s after a write through the first (before %s, truth %s)", after.Data, before.Data, want.Data)
		}
	})
}

// TestResponseCacheConcurrent: identical questions at once are computed
// once and all get the one answer; identical posts at once still post once
// and the answer after them is the truth.
func TestResponseCacheConcurrent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		w := newCacheWorld(t, dsn)
		nov := map[string]any{"c": gid(w.com.ID), "p": "2026-11"}
		w.posted(calendar.Date(2026, 11, 3))
		rs := gqlAtOnce(t, w.h, concurrent, w.admin, totalsQuery, nov)
		for i, r := range rs {
			if len(r.Errors) > 0 || string(r.Data) != string(rs[0].Data) {
				t.Fatalf("answer %d of %d identical questions: %s %v; the first: %s", i, concurrent, r.Data, r.Errors, rs[0].Data)
			}
		}
		if stores := cacheCounter(t, w.h, "stores_total"); stores != 1 {
			t.Errorf("%d identical questions at once were kept %d times, want 1", concurrent, stores)
		}
		v := w.voucher(calendar.Date(2026, 11, 12), "会计甲", "出纳乙")
		var ok atomic.Int32
		for _, r := range gqlAtOnce(t, w.h, concurrent, w.admin, `mutation($v: ID!) { postVoucher(id: $v) { id } }`, map[string]any{"v": gid(v.ID)}) {
			if len(r.Errors) == 0 {
				ok.Add(1)
			}
		}
		if ok.Load() != 1 {
			t.Fatalf("%d of %d identical posts succeeded, want 1", ok.Load(), concurrent)
		}
		for i, r := range gqlAtOnce(t, w.h, concurrent, w.admin, totalsQuery, nov) {
			if want := w.ask(w.admin, totalsQuery, nov); string(r.Data) != want || string(r.Data) == string(rs[0].Data) {
				t.Fatalf("answer %d after the post: %s; the truth %s; before the post %s", i, r.Data, want, rs[0].Data)
			}
		}
	})
}

// TestResponseCacheKeepsOnlyGoodQueries: errors, mutations and another
// day's answers are never served from the cache.
func TestResponseCacheKeepsOnlyGoodQueries(t *testing.T) {
	w := newCacheWorld(t, dbtest.SQLiteDSN(t))
	day := atomic.Int64{}
	clock := func() time.Time { return w.now.Add(time.Duration(day.Load()) * 24 * time.Hour) }
	h := newEdge(t, w.d, server.Config{GraphQL: graph.Config{Now: clock}})
	stores := func() int { return cacheCounter(t, h, "stores_total") }

	for range 2 {
		if r := postTo(t, h, w.admin, totalsQuery, map[string]any{"c": "999999", "p": "2026-11"}); r.code() != "NOT_FOUND" {
			t.Fatalf("an unknown community: %s %v, want NOT_FOUND", r.Data, r.Errors)
		}
	}
	if n := stores(); n != 0 {
		t.Fatalf("an error was kept (%d stores)", n)
	}
	v := w.voucher(calendar.Date(2026, 11, 12))
	amount := money.Yuan(1)
	for i := range 2 {
		r := postTo(t, h, w.admin, `mutation($v: ID!, $a: Money!) { updateVoucher(id: $v, input: {amount: $a}) { amount } }`,
			map[string]any{"v": gid(v.ID), "a": amount.String()})
		if len(r.Errors) > 0 {
			t.Fatalf("update %d: %v", i, r.Errors)
		}
	}
	if n := stores(); n != 0 {
		t.Fatalf("a mutation was kept (%d stores)", n)
	}

	// Answers that may depend on the day (an inquiry's Overdue): kept for
	// the day, asked again the next.
	const daily = `{ inquiries { totalCount } viewer { role } }`
	postTo(t, h, w.admin, daily, nil)
	postTo(t, h, w.admin, daily, nil)
	hits := cacheCounter(t, h, "hits_total")
	if stores() != 1 || hits != 1 {
		t.Fatalf("the same query twice: %d stores and %d hits, want 1 and 1", stores(), hits)
	}
	day.Add(1)
	postTo(t, h, w.admin, daily, nil)
	if got := cacheCounter(t, h, "hits_total"); got != hits {
		t.Fatalf("an answer of the day before was served the next day (hits %d → %d)", hits, got)
	}
}
