package token

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"sunlight/ent"
	"sunlight/internal/access/audit"
	"sunlight/internal/access/auth"
	"sunlight/internal/storage/dberr"
	"sunlight/internal/vocab/fail"
)

// Middleware gives every request a viewer: the one of its bearer token, or
// the public when it has none (unless Required).
type Middleware struct {
	Client *ent.Client
	// Required refuses requests without a token (the whole API private).
	Required bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// ClientIPHeader names the header a trusted reverse proxy puts the
	// client's address in (e.g. X-Real-IP); empty: the peer's address.
	ClientIPHeader string
	// Failures throttles clients that keep presenting bad tokens (nil: a
	// default of 30 a minute per client address).
	Failures *Failures
	// Districts caches the communities of each district for officials'
	// tokens (nil: a cache of DistrictTTL).
	Districts *Districts
}

// Failures counts bad tokens per client address. Past the limit, a client's
// requests with a token are refused without looking the token up, so
// guessing tokens costs the guesser, not the database. Valid tokens are
// rate-limited per token by the GraphQL endpoint itself.
type Failures struct {
	Max    int
	Window time.Duration

	mu   sync.Mutex
	seen map[string]*failCount
}

type failCount struct {
	n     int
	since time.Time
}

func (f *Failures) blocked(key string, now time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.seen[key]
	return c != nil && now.Sub(c.since) < f.Window && c.n >= f.Max
}

func (f *Failures) fail(key string, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.seen == nil {
		f.seen = map[string]*failCount{}
	}
	if len(f.seen) > 100_000 { // forget everyone rather than grow without bound
		f.seen = map[string]*failCount{}
	}
	c := f.seen[key]
	if c == nil || now.Sub(c.since) >= f.Window {
		c = &failCount{since: now}
		f.seen[key] = c
	}
	c.n++
}

// Wrap returns next behind the middleware.
func (m Middleware) Wrap(next http.Handler) http.Handler {
	now := m.Now
	if now == nil {
		now = time.Now
	}
	failures := m.Failures
	if failures == nil {
		failures = &Failures{Max: 30, Window: time.Minute}
	}
	if m.Districts == nil {
		m.Districts = &Districts{}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := &auth.Viewer{Role: auth.Public, Name: "public"}
		if h := r.Header.Get("Authorization"); h != "" {
			tok, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				unauthenticated(w, "send the token as Authorization: Bearer <token>")
				return
			}
			client := ClientIP(r, m.ClientIPHeader)
			if failures.blocked(client, now()) {
				w.Header().Set("Retry-After", strconv.Itoa(int(failures.Window.Seconds())))
				fail.Write(w, fail.New(fail.RateLimited, "too many requests with unknown tokens from this address; wait and use a valid token"))
				return
			}
			var err error
			v, err = m.lookup(r.Context(), strings.TrimSpace(tok), now())
			if errors.Is(err, ErrBadToken) {
				failures.fail(client, now())
				unauthenticated(w, "the token is unknown, expired or revoked; ask an administrator for a new one (sunlight token create)")
				return
			}
			if err != nil {
				if dberr.Code(err) == fail.Unavailable {
					slog.WarnContext(r.Context(), "look up token: the database does not answer", "err", err)
					fail.Write(w, fail.New(fail.Unavailable, "cannot check the token now: the database is not answering; retry in %d s", fail.RetryAfterSeconds))
					return
				}
				slog.ErrorContext(r.Context(), "look up token", "err", err)
				fail.Write(w, fail.New(fail.Internal, "cannot check the token; it has been logged"))
				return
			}
		} else if m.Required && r.Method != http.MethodOptions && !probe(r.URL.Path) {
			unauthenticated(w, "this server requires a token: send Authorization: Bearer <token>")
			return
		}
		ctx := auth.NewContext(r.Context(), v)
		ctx = audit.WithActor(ctx, actor(v))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (m Middleware) lookup(ctx context.Context, token string, now time.Time) (*auth.Viewer, error) {
	return m.Districts.Lookup(ctx, m.Client, token, now)
}

// ClientIP is the address a request came from: the first address of
// header (set by a trusted reverse proxy) when configured and present, else
// the peer's address.
func ClientIP(r *http.Request, header string) string {
	if header != "" {
		if v := r.Header.Get(header); v != "" {
			first, _, _ := strings.Cut(v, ",")
			if ip := net.ParseIP(strings.TrimSpace(first)); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func actor(v *auth.Viewer) string {
	if v.TokenID == 0 {
		return string(v.Role)
	}
	return v.Name + " (" + string(v.Role) + ")"
}

func unauthenticated(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="sunlight"`)
	fail.Write(w, fail.New(fail.Unauthenticated, "%s", msg))
}

// probe paths answer health checks and scrapes without a token.
func probe(path string) bool {
	return path == "/healthz" || path == "/readyz" || path == "/metrics"
}
