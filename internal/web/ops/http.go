package ops

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// request is what the GraphQL extension learns of a request, for the log
// line and the metrics written when it ends.
type request struct {
	mu        sync.Mutex
	route     string // the mux's pattern (Routes)
	operation string
	graphql   bool
	codes     map[string]int
}

type requestKey struct{}

func requestOf(ctx context.Context) *request {
	r, _ := ctx.Value(requestKey{}).(*request)
	return r
}

// GraphQL is the gqlgen extension that names each request's operation and
// counts its errors by extensions.code. It logs nothing of the query or
// its variables.
func (m *Metrics) GraphQL() graphql.HandlerExtension { return gqlExtension{m} }

type gqlExtension struct{ m *Metrics }

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = gqlExtension{}

func (gqlExtension) ExtensionName() string { return "SunlightMetrics" }

func (gqlExtension) Validate(graphql.ExecutableSchema) error { return nil }

func (e gqlExtension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	name := ""
	if graphql.HasOperationContext(ctx) {
		oc := graphql.GetOperationContext(ctx)
		name = oc.OperationName
		if name == "" && oc.Operation != nil {
			name = oc.Operation.Name
		}
	}
	r := requestOf(ctx)
	if r != nil {
		r.mu.Lock()
		r.graphql = true
		if name != "" || r.operation == "" {
			r.operation = e.m.operation(name)
		}
		r.mu.Unlock()
	}
	if resp == nil {
		return resp
	}
	for _, err := range resp.Errors {
		code, _ := err.Extensions["code"].(string)
		if code == "" {
			code = "INTERNAL"
		}
		e.m.gqlErrors.WithLabelValues(code).Inc()
		if r != nil {
			r.mu.Lock()
			if r.codes == nil {
				r.codes = map[string]int{}
			}
			r.codes[code]++
			r.mu.Unlock()
		}
	}
	return resp
}

// Routes wraps the mux of the server and tells Middleware the route pattern
// the mux chose. The mux writes the pattern into the request it was given,
// and a middleware in between (the token's) passes the mux a copy of the
// request Middleware holds: the pattern is carried back in the context.
func (m *Metrics) Routes(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if info := requestOf(r.Context()); info != nil {
			info.mu.Lock()
			info.route = r.Pattern
			info.mu.Unlock()
		}
	})
}

// Middleware counts and times every request and logs one line for it:
// method, path (never the query string, which may carry GraphQL
// variables), route, status, size, duration, and for GraphQL the operation
// name and error codes.
func (m *Metrics) Middleware(log *slog.Logger, next http.Handler) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &request{}
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		r = r.WithContext(context.WithValue(r.Context(), requestKey{}, info))
		defer func() {
			took := time.Since(start)
			info.mu.Lock()
			pattern := info.route
			info.mu.Unlock()
			if pattern == "" {
				pattern = r.Pattern // next is the mux itself
			}
			if pattern == "" {
				pattern = "unmatched"
			}
			m.httpRequests.WithLabelValues(pattern, r.Method, strconv.Itoa(rec.status)).Inc()
			m.httpDuration.WithLabelValues(pattern).Observe(took.Seconds())
			attrs := []slog.Attr{
				slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("route", pattern),
				slog.Int("status", rec.status), slog.Int64("bytes", rec.bytes),
				slog.Float64("duration_ms", float64(took.Microseconds())/1000),
			}
			info.mu.Lock()
			if info.graphql {
				m.gqlRequests.WithLabelValues(info.operation).Inc()
				m.gqlDuration.WithLabelValues(info.operation).Observe(took.Seconds())
				attrs = append(attrs, slog.String("operation", info.operation))
				if len(info.codes) > 0 {
					attrs = append(attrs, slog.String("errors", codesString(info.codes)))
				}
			}
			info.mu.Unlock()
			level := slog.LevelInfo
			if rec.status >= 500 {
				level = slog.LevelError
			}
			log.LogAttrs(r.Context(), level, "request", attrs...)
		}()
		next.ServeHTTP(rec, r)
	})
}

func codesString(codes map[string]int) string {
	keys := make([]string, 0, len(codes))
	for k := range codes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := ""
	for i, k := range keys {
		if i > 0 {
			s += ","
		}
		s += fmt.Sprintf("%s:%d", k, codes[k])
	}
	return s
}

// recorder notes the status and size of a response; it passes Flush and
// Hijack through so that SSE and WebSocket subscriptions keep working.
type recorder struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wroteHeader = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("the response writer cannot be hijacked")
	}
	r.status = http.StatusSwitchingProtocols
	return h.Hijack()
}

// Unwrap lets http.ResponseController reach the writer underneath.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Serve serves srv on ln until ctx ends, then shuts down gracefully: it
// stops accepting, marks health not ready, and waits up to grace for the
// requests in flight.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener, grace time.Duration, h *Health) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	if h != nil {
		h.ShuttingDown()
	}
	slog.Info("shutting down: finishing requests in flight", "grace", grace.String())
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
