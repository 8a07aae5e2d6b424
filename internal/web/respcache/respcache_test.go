package respcache_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"sunlight/internal/web/respcache"
)

// harness runs queries through a cache whose version the test sets and
// counts the computations the cache let through.
type harness struct {
	cache    *respcache.Cache
	version  int64
	err      error
	computed int
}

func newHarness(maxBytes int64) *harness {
	h := &harness{}
	h.cache = respcache.New(respcache.Config{
		Version:  func(context.Context) (int64, error) { return h.version, h.err },
		MaxBytes: maxBytes,
	})
	return h
}

// ask runs query through the cache; the computed answer is data.
func (h *harness) ask(op ast.Operation, query, data string) string {
	ctx := graphql.WithOperationContext(context.Background(), &graphql.OperationContext{
		RawQuery:  query,
		Operation: &ast.OperationDefinition{Operation: op},
	})
	resp := h.cache.InterceptResponse(ctx, func(context.Context) *graphql.Response {
		h.computed++
		return &graphql.Response{Data: json.RawMessage(data)}
	})
	return string(resp.Data)
}

func TestCache(t *testing.T) {
	t.Run("the same question is computed once per version", func(t *testing.T) {
		h := newHarness(0)
		h.ask(ast.Query, "{a}", `{"a":1}`)
		if got := h.ask(ast.Query, "{a}", `{"a":2}`); got != `{"a":1}` || h.computed != 1 {
			t.Fatalf("second ask: %s after %d computations, want the kept answer", got, h.computed)
		}
		h.version++
		if got := h.ask(ast.Query, "{a}", `{"a":2}`); got != `{"a":2}` {
			t.Fatalf("after the version rose: %s, want the new answer", got)
		}
		if s := h.cache.Stats(); s.Invalidations != 1 || s.Hits != 1 || s.Misses != 2 {
			t.Fatalf("stats %+v", s)
		}
	})
	t.Run("a request that read an older version neither uses nor fills the cache", func(t *testing.T) {
		h := newHarness(0)
		h.version = 5
		h.ask(ast.Query, "{a}", `{"a":5}`)
		h.version = 4
		if got := h.ask(ast.Query, "{a}", `{"a":4}`); got != `{"a":4}` {
			t.Fatalf("at an older version: %s, want its own answer", got)
		}
		h.ask(ast.Query, "{b}", `{"b":4}`)
		h.version = 5
		if got := h.ask(ast.Query, "{a}", `{"a":6}`); got != `{"a":5}` {
			t.Fatalf("back at version 5: %s, want the answer kept at 5", got)
		}
		if s := h.cache.Stats(); s.Bypasses != 2 || s.Entries != 1 {
			t.Fatalf("stats %+v", s)
		}
	})
	t.Run("without the version nothing is kept or served", func(t *testing.T) {
		h := newHarness(0)
		h.ask(ast.Query, "{a}", `{"a":1}`)
		h.err = errors.New("database down")
		if got := h.ask(ast.Query, "{a}", `{"a":2}`); got != `{"a":2}` {
			t.Fatalf("with the version unreadable: %s, want a computed answer", got)
		}
	})
	t.Run("mutations and deferred queries are not kept", func(t *testing.T) {
		h := newHarness(0)
		for _, q := range []struct {
			op    ast.Operation
			query string
		}{{ast.Mutation, "mutation{a}"}, {ast.Subscription, "subscription{a}"}, {ast.Query, "{... @defer {a}}"}} {
			h.ask(q.op, q.query, `{}`)
			h.ask(q.op, q.query, `{}`)
		}
		if h.computed != 6 || h.cache.Stats().Entries != 0 {
			t.Fatalf("%d computations and %d entries, want 6 and none", h.computed, h.cache.Stats().Entries)
		}
	})
	t.Run("memory stays within its bound, least recently used out first", func(t *testing.T) {
		const max = 16 << 10
		h := newHarness(max)
		answer := `"` + strings.Repeat("x", 500) + `"`
		for i := range 100 {
			h.ask(ast.Query, fmt.Sprintf("{a%d}", i), answer)
			h.ask(ast.Query, "{kept}", answer) // used every time: never the least recent
			if s := h.cache.Stats(); s.Bytes > max {
				t.Fatalf("after %d answers: %d bytes, over %d", i+1, s.Bytes, max)
			}
		}
		s := h.cache.Stats()
		if s.Evictions == 0 || s.Entries == 0 {
			t.Fatalf("stats %+v: want evictions and entries", s)
		}
		before := h.computed
		h.ask(ast.Query, "{kept}", answer)
		h.ask(ast.Query, "{a99}", answer)
		h.ask(ast.Query, "{a0}", answer)
		if h.computed != before+1 {
			t.Fatalf("%d computations for the two recent questions and the oldest, want 1 (the oldest)", h.computed-before)
		}
	})
	t.Run("an answer over an eighth of the bound is not kept", func(t *testing.T) {
		h := newHarness(8 << 10)
		h.ask(ast.Query, "{big}", `"`+strings.Repeat("x", 2<<10)+`"`)
		if s := h.cache.Stats(); s.Entries != 0 {
			t.Fatalf("a 2 KiB answer was kept in an 8 KiB cache: %+v", s)
		}
	})
}
