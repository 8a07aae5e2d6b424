package ops

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"sunlight/internal/storage/db"
)

// Health answers /healthz and /readyz.
type Health struct {
	DB *db.DB
	// Scheduler is the report scheduler of this process; nil when it runs
	// elsewhere (serve --scheduler=false), and then it is not checked.
	Scheduler interface{ Healthy() bool }
	// MigrationsEvery is how long a migration check is trusted (default a
	// minute): comparing the schema reads the catalog, too much per probe.
	MigrationsEvery time.Duration

	shutting atomic.Bool
	mu       sync.Mutex
	checked  time.Time
	migErr   error
}

// ShuttingDown makes /readyz answer 503 from now on, so load balancers
// stop sending requests while those in flight finish.
func (h *Health) ShuttingDown() { h.shutting.Store(true) }

// Healthz says the process is up.
func (h *Health) Healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintln(w, "ok")
}

// Readyz says whether this instance should get traffic: the database
// answers, its schema is the one this build expects (no pending migration
// file, nothing for ent to add), and the scheduler runs.
func (h *Health) Readyz(w http.ResponseWriter, r *http.Request) {
	checks, ok := h.Check(r.Context())
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	status := "ready"
	if !ok {
		status = "not ready"
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	json.NewEncoder(w).Encode(map[string]any{"status": status, "checks": checks})
}

// Check runs the readiness checks; each maps to "ok", "off" or its failure.
func (h *Health) Check(ctx context.Context) (map[string]string, bool) {
	checks := map[string]string{}
	ok := true
	fail := func(name string, err error) {
		checks[name] = err.Error()
		ok = false
	}
	if h.shutting.Load() {
		fail("server", fmt.Errorf("shutting down"))
	}
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := h.DB.SQL.PingContext(pctx); err != nil {
		fail("database", fmt.Errorf("unreachable: %w", err))
		checks["migrations"] = "unknown"
	} else {
		checks["database"] = "ok"
		if err := h.migrations(pctx); err != nil {
			fail("migrations", err)
		} else {
			checks["migrations"] = "ok"
		}
	}
	switch {
	case h.Scheduler == nil:
		checks["scheduler"] = "off"
	case h.Scheduler.Healthy():
		checks["scheduler"] = "ok"
	default:
		fail("scheduler", fmt.Errorf("not running"))
	}
	return checks, ok
}

func (h *Health) migrations(ctx context.Context) error {
	every := h.MigrationsEvery
	if every == 0 {
		every = time.Minute
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.checked.IsZero() && time.Since(h.checked) < every {
		return h.migErr
	}
	h.migErr = func() error {
		pending, err := h.DB.PendingMigrations(ctx)
		if err != nil {
			return err
		}
		if len(pending) > 0 {
			return fmt.Errorf("pending migrations %s: run sunlight migrate", strings.Join(pending, ", "))
		}
		drift, err := h.DB.SchemaDiff(ctx)
		if err != nil {
			return err
		}
		if len(drift) > 0 {
			return fmt.Errorf("the schema lags this build by %d statements: run sunlight migrate", len(drift))
		}
		return nil
	}()
	h.checked = time.Now()
	return h.migErr
}

// Register serves /healthz, /readyz and /metrics on mux.
func Register(mux *http.ServeMux, h *Health, m *Metrics) {
	mux.HandleFunc("GET /healthz", h.Healthz)
	mux.HandleFunc("GET /readyz", h.Readyz)
	mux.Handle("GET /metrics", m.Handler())
}
