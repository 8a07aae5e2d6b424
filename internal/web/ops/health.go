package ops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
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
	// Archive is the integrity check of the published files this instance
	// serves (nil: not checked); it fails once a changed file was found,
	// until the file is repaired or the process restarts.
	Archive interface{ Check(context.Context) error }

	shutting atomic.Bool
	mu       sync.Mutex
	checked  bool  // CheckSchema ran
	schema   error // its finding
}

// CheckSchema compares the schema with this build's once, at start (reading
// the catalog is too much for every probe; the schema only changes by a
// migration, which a restart follows): pending migration files or
// statements ent would add make /readyz answer 503 until a restart after
// `sunlight migrate`.
func (h *Health) CheckSchema(ctx context.Context) error {
	err := func() error {
		pending, err := h.DB.PendingMigrations(ctx)
		if err != nil {
			slog.ErrorContext(ctx, "readiness: read the applied migrations", "err", err)
			return errors.New("could not read the applied migrations (see the log)")
		}
		if len(pending) > 0 {
			return fmt.Errorf("pending migrations %s: run sunlight migrate", strings.Join(pending, ", "))
		}
		drift, err := h.DB.SchemaDiff(ctx)
		if err != nil {
			slog.ErrorContext(ctx, "readiness: compare the schema", "err", err)
			return errors.New("could not compare the schema (see the log)")
		}
		if len(drift) > 0 {
			return fmt.Errorf("the schema lags this build by %d statements: run sunlight migrate", len(drift))
		}
		return nil
	}()
	h.mu.Lock()
	h.checked, h.schema = true, err
	h.mu.Unlock()
	return err
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
		// The driver's error names the user, database, host and port:
		// logged for the operator, never answered on the public listener.
		slog.WarnContext(ctx, "readiness: the database does not answer", "err", err)
		fail("database", errors.New("unreachable"))
	} else {
		checks["database"] = "ok"
	}
	h.mu.Lock()
	checked, schema := h.checked, h.schema
	h.mu.Unlock()
	switch {
	case schema != nil:
		fail("migrations", schema)
	case checked:
		checks["migrations"] = "ok"
	default:
		checks["migrations"] = "unchecked"
	}
	switch {
	case h.Scheduler == nil:
		checks["scheduler"] = "off"
	case h.Scheduler.Healthy():
		checks["scheduler"] = "ok"
	default:
		fail("scheduler", fmt.Errorf("not running"))
	}
	if h.Archive != nil {
		if err := h.Archive.Check(ctx); err != nil {
			slog.ErrorContext(ctx, "readiness: the report archive", "err", err)
			fail("archive", err)
		} else {
			checks["archive"] = "ok"
		}
	}
	return checks, ok
}

// Register serves /healthz, /readyz and /metrics on mux.
func Register(mux *http.ServeMux, h *Health, m *Metrics) {
	mux.HandleFunc("GET /healthz", h.Healthz)
	mux.HandleFunc("GET /readyz", h.Readyz)
	mux.Handle("GET /metrics", m.Handler())
}
