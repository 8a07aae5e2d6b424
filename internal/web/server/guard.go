package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"sunlight/internal/access/token"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/web/gqlhttp"
)

// Defaults of the HTTP limits of Config.
const (
	DefaultMaxBodyBytes = 1 << 20
	DefaultTimeout      = 10 * time.Second
	DefaultRateLimit    = 20  // requests a second per token or IP, sustained
	DefaultRateBurst    = 200 // requests at once per token or IP
)

// guard wraps the GraphQL handler with the HTTP limits, outermost first:
// CORS (so that browsers can read every refusal), the rate limit (before
// any byte of the body is read), the timeout (which also bounds a slow
// upload) and the body size.
func guard(h http.Handler, cfg Config, db pinger) http.Handler {
	h = withBodyLimit(h, cfg.MaxBodyBytes)
	h = withTimeout(h, cfg.Timeout, db)
	if cfg.RateLimit > 0 {
		h = newRateLimiter(cfg.RateLimit, cfg.RateBurst, cfg.ClientIPHeader, time.Now).wrap(h)
	}
	return withCORS(cfg, h)
}

// isStream tells a WebSocket upgrade or an SSE subscription: long-lived,
// so no timeout applies.
func isStream(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket") ||
		strings.Contains(r.Header.Get("Accept"), "text/event-stream")
}

// withBodyLimit refuses bodies of more than max bytes with 413: at once when
// the Content-Length says so, else when the transport reads past max (the
// body is read once, by the transport, not copied here first).
func withBodyLimit(h http.Handler, max int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			h.ServeHTTP(w, r)
			return
		}
		if r.ContentLength > max {
			gqlhttp.TooLarge(w, max)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, max)
		h.ServeHTTP(w, r)
	})
}

// withTimeout gives each request (subscriptions aside) a deadline. Resolvers
// see it in their context; a request still running at the deadline is
// answered with a TIMEOUT error at once, whatever its resolvers do.
//
// Whether the caller asked too much or the database stalled is told by
// asking the database: one that does not answer a ping within a second is
// UNAVAILABLE (503, Retry-After), not a TIMEOUT that says "ask for less".
func withTimeout(h http.Handler, d time.Duration, db pinger) http.Handler {
	if d <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isStream(r) {
			h.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		buf := &bufferedWriter{header: http.Header{}}
		done := make(chan any, 1)
		go func() {
			defer func() { done <- recover() }()
			h.ServeHTTP(buf, r.WithContext(ctx))
		}()
		timedOut := func() {
			if db != nil {
				pctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), time.Second)
				err := db.PingContext(pctx)
				cancel()
				if err != nil {
					slog.WarnContext(r.Context(), "request timed out and the database does not answer", "err", err)
					fail.Write(w, unavailable())
					return
				}
			}
			fail.Write(w, fail.New(fail.Timeout,
				"the request took longer than %s and was stopped; ask for less (smaller pages, fewer fields)", d).With("timeout", d.String()))
		}
		select {
		case p := <-done:
			if p != nil {
				slog.ErrorContext(r.Context(), "panic in handler", "panic", fmt.Sprint(p))
				fail.Write(w, fail.New(fail.Internal, "internal error; it has been logged"))
				return
			}
			if ctx.Err() != nil {
				// The deadline came while the response was made: it may
				// be cut short (gqlgen drops responses of a cancelled
				// context).
				timedOut()
				return
			}
			buf.copyTo(w)
		case <-ctx.Done():
			buf.abandon()
			timedOut()
		}
	})
}

// bufferedWriter keeps a response until it is complete.
type bufferedWriter struct {
	mu        sync.Mutex
	header    http.Header
	status    int
	body      bytes.Buffer
	abandoned bool
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(status int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.abandoned {
		return 0, http.ErrHandlerTimeout
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

func (b *bufferedWriter) abandon() {
	b.mu.Lock()
	b.abandoned = true
	b.mu.Unlock()
}

func (b *bufferedWriter) copyTo(w http.ResponseWriter) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for k, v := range b.header {
		w.Header()[k] = v
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	w.WriteHeader(b.status)
	_, _ = w.Write(b.body.Bytes())
}

// rateLimiter is a token bucket per key: the SHA-256 of the Authorization
// header when there is one, else the client's IP address.
type rateLimiter struct {
	rate     float64 // tokens a second
	burst    float64
	ipHeader string
	now      func() time.Time

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter(rate float64, burst int, ipHeader string, now func() time.Time) *rateLimiter {
	if burst <= 0 {
		burst = max(1, int(math.Ceil(rate)))
	}
	return &rateLimiter{rate: rate, burst: float64(burst), ipHeader: ipHeader, now: now, buckets: map[string]*bucket{}}
}

// allow takes a token of key's bucket, or says how long until there is one.
func (l *rateLimiter) allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.lastSweep) > time.Minute {
		l.sweep(now)
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	return false, wait
}

// sweep forgets the buckets that have filled up again: they are as new.
func (l *rateLimiter) sweep(now time.Time) {
	l.lastSweep = now
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
}

// key is whom a request is counted against.
func (l *rateLimiter) key(r *http.Request) string {
	if auth := r.Header.Get("Authorization"); auth != "" {
		sum := sha256.Sum256([]byte(auth))
		return "token:" + hex.EncodeToString(sum[:16])
	}
	return "ip:" + token.ClientIP(r, l.ipHeader)
}

func (l *rateLimiter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, wait := l.allow(l.key(r))
		if !ok {
			secs := int(math.Ceil(wait.Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(max(1, secs)))
			fail.Write(w, fail.New(fail.RateLimited,
				"too many requests: at most %g a second (bursts of %g) per token or address; retry in %d s", l.rate, l.burst, max(1, secs)).
				With("retryAfterSeconds", max(1, secs)))
			return
		}
		h.ServeHTTP(w, r)
	})
}
