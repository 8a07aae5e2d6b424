// Package respcache is the GraphQL response cache: an answer to a query is
// kept in memory and served again, byte for byte, to the same question from
// the same viewer on the same day, until anything in the database changes.
//
// Exactness rests on the data version (package dataversion): every
// committed write, through any path and any server on the database, raises
// it. Each request reads the version first; an answer is kept under the
// version read before it was computed, and a request that reads a newer
// version drops every entry. So a voucher written, reversed or posted, a
// month closed, a token's role changed — each is seen by the very next
// request, here or on another server. The price is one indexed read per
// request, and that any write empties the cache: writes are rare next to
// reads (a community's accountant enters its vouchers; officials and
// dashboards read them all month), and a closed month's answers, which
// never change, are the ones asked again and again.
//
// The key holds the document, the operation name, the variables, the
// viewer (role, name, communities, district, token) and the Shanghai date
// of the server's clock (answers such as Overdue and AgeOn depend on the
// day). Only queries are kept, only answers without errors, and none of an
// operation that defers or streams. Memory is bounded: entries are evicted
// least recently used past Config.MaxBytes.
package respcache

import (
	"container/list"
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"sunlight/internal/access/auth"
	"sunlight/internal/vocab/calendar"
)

// DefaultMaxBytes bounds the cache when Config.MaxBytes is 0: a quarter of
// serve's default memory limit.
const DefaultMaxBytes = 16 << 20

// entryOverhead is what an entry costs beyond its key and data: the list
// element, the map slot, the response header.
const entryOverhead = 160

// Config builds a Cache.
type Config struct {
	// Version reads the data version (dataversion.Read on the database).
	Version func(ctx context.Context) (int64, error)
	// Now is the clock the resolvers use; nil means time.Now.
	Now func() time.Time
	// MaxBytes bounds keys and answers together (0: DefaultMaxBytes). An
	// answer larger than an eighth of it is never kept.
	MaxBytes int64
}

// Stats are the cache's counters since it was made, and its size now.
type Stats struct {
	Hits, Misses, Stores, Evictions, Invalidations, Bypasses uint64
	Entries                                                  int
	Bytes                                                    int64
}

// Cache is a gqlgen response interceptor. Use it as the innermost response
// interceptor, so that metrics and logs outside it count hits like misses.
type Cache struct {
	version func(context.Context) (int64, error)
	now     func() time.Time
	max     int64

	mu      sync.Mutex
	at      int64 // the data version the entries were computed at
	entries map[string]*list.Element
	order   list.List // front: most recently used
	bytes   int64
	flights map[string]*flight

	hits, misses, stores, evictions, invalidations, bypasses atomic.Uint64
}

type entry struct {
	key  string
	data json.RawMessage
}

// flight is one computation of an answer that identical requests arriving
// meanwhile wait for, instead of computing it again.
type flight struct {
	done chan struct{}
	data json.RawMessage // nil: not kept (errors), the waiters compute their own
}

// New returns a cache.
func New(cfg Config) *Cache {
	c := &Cache{version: cfg.Version, now: cfg.Now, max: cfg.MaxBytes,
		entries: map[string]*list.Element{}, flights: map[string]*flight{}}
	if c.now == nil {
		c.now = time.Now
	}
	if c.max <= 0 {
		c.max = DefaultMaxBytes
	}
	return c
}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = (*Cache)(nil)

func (*Cache) ExtensionName() string                          { return "ResponseCache" }
func (*Cache) Validate(schema graphql.ExecutableSchema) error { return nil }

// Stats returns the counters and the size.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	n, b := len(c.entries), c.bytes
	c.mu.Unlock()
	return Stats{Hits: c.hits.Load(), Misses: c.misses.Load(), Stores: c.stores.Load(),
		Evictions: c.evictions.Load(), Invalidations: c.invalidations.Load(), Bypasses: c.bypasses.Load(),
		Entries: n, Bytes: b}
}

// InterceptResponse answers from the cache, or computes and keeps.
func (c *Cache) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	key, ok := c.key(ctx)
	if !ok {
		return next(ctx)
	}
	v, err := c.version(ctx)
	if err != nil {
		// Without the version nothing can be trusted: answer from the
		// database, which will say what is wrong if it is down.
		slog.WarnContext(ctx, "response cache bypassed", "err", err)
		c.bypasses.Add(1)
		return next(ctx)
	}
	data, f, leader := c.lookup(key, v)
	switch {
	case data != nil:
		c.hits.Add(1)
		return &graphql.Response{Data: data}
	case f == nil:
		// An older version than the entries': this request read it before
		// another saw a write; it may not use or fill the cache.
		c.bypasses.Add(1)
		return next(ctx)
	case !leader:
		select {
		case <-f.done:
			if f.data != nil {
				c.hits.Add(1)
				return &graphql.Response{Data: f.data}
			}
		case <-ctx.Done():
		}
		c.misses.Add(1)
		return next(ctx)
	}
	c.misses.Add(1)
	var resp *graphql.Response
	// Deferred, so that waiters are released even if next panics.
	defer func() {
		if keepable(resp) && int64(len(resp.Data)) <= c.max/8 {
			f.data = resp.Data
		}
		c.land(key, v, f)
	}()
	resp = next(ctx)
	return resp
}

// lookup returns the kept answer; or else the flight computing it, and
// whether this request is the one to compute it; or nothing when the
// request's version v is older than the cache's.
func (c *Cache) lookup(key string, v int64) (json.RawMessage, *flight, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case v < c.at:
		return nil, nil, false
	case v > c.at:
		if len(c.entries) > 0 {
			c.invalidations.Add(1)
		}
		clear(c.entries)
		c.order.Init()
		c.bytes = 0
		c.at = v
		// Flights of the old version land nowhere (land checks the version).
		clear(c.flights)
	}
	if el, ok := c.entries[key]; ok {
		c.order.MoveToFront(el)
		return el.Value.(*entry).data, nil, false
	}
	if f, ok := c.flights[key]; ok {
		return nil, f, false
	}
	f := &flight{done: make(chan struct{})}
	c.flights[key] = f
	return nil, f, true
}

// land ends a flight and keeps its answer if the version is still the one
// it was computed at.
func (c *Cache) land(key string, v int64, f *flight) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.flights[key] == f {
		delete(c.flights, key)
	}
	if f.data != nil && v == c.at {
		c.store(key, f.data)
	} else if v != c.at {
		// The answer may predate a write: the waiters must compute theirs.
		f.data = nil
	}
	close(f.done)
}

func (c *Cache) store(key string, data json.RawMessage) {
	if _, ok := c.entries[key]; ok {
		return
	}
	c.entries[key] = c.order.PushFront(&entry{key: key, data: data})
	c.bytes += size(key, data)
	c.stores.Add(1)
	for c.bytes > c.max {
		el := c.order.Back()
		e := el.Value.(*entry)
		c.order.Remove(el)
		delete(c.entries, e.key)
		c.bytes -= size(e.key, e.data)
		c.evictions.Add(1)
	}
}

func size(key string, data json.RawMessage) int64 {
	return int64(len(key) + len(data) + entryOverhead)
}

// keepable says whether an answer may be served again: complete, without
// errors or anything but data.
func keepable(resp *graphql.Response) bool {
	return resp != nil && len(resp.Errors) == 0 && resp.Data != nil && resp.Label == "" &&
		resp.Path == nil && resp.HasNext == nil && len(resp.Extensions) == 0
}

// key returns the request's key, or false when its answer is not to be
// kept: not a query, or one that defers or streams.
func (c *Cache) key(ctx context.Context) (string, bool) {
	if !graphql.HasOperationContext(ctx) {
		return "", false
	}
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Query ||
		strings.Contains(oc.RawQuery, "@defer") || strings.Contains(oc.RawQuery, "@stream") {
		return "", false
	}
	vars, err := json.Marshal(oc.Variables) // map keys sorted: one spelling per value
	if err != nil {
		return "", false
	}
	// NUL separates the parts: no part can hold one (GraphQL documents
	// and names refuse control characters, JSON escapes them, token names
	// and districts are checked text), so two requests share a key only if
	// every part is equal.
	var b strings.Builder
	b.Grow(len(oc.RawQuery) + len(oc.OperationName) + len(vars) + 64)
	b.WriteString(oc.RawQuery)
	b.WriteByte(0)
	b.WriteString(oc.OperationName)
	b.WriteByte(0)
	b.Write(vars)
	b.WriteByte(0)
	if viewer, ok := auth.FromContext(ctx); ok {
		b.WriteString(string(viewer.Role))
		b.WriteByte(0)
		b.WriteString(viewer.Name)
		b.WriteByte(0)
		b.WriteString(viewer.District)
		b.WriteByte(0)
		b.WriteString(strconv.Itoa(viewer.TokenID))
		for _, id := range viewer.Communities {
			b.WriteByte(',')
			b.WriteString(strconv.Itoa(id))
		}
	} else {
		b.WriteString("\x01platform")
	}
	b.WriteByte(0)
	b.WriteString(calendar.DayOf(c.now()).Format(time.DateOnly))
	return b.String(), true
}
