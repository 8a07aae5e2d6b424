package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime/debug"
	"time"

	"sunlight/internal/demo"
	"sunlight/internal/storage/db"
	"sunlight/internal/web/ops"
	"sunlight/internal/web/server"
	"sunlight/jobs"
)

// graceFlag is how long a stopping process gives the work in progress.
func graceFlag(fs *flag.FlagSet) *time.Duration {
	return fs.Duration("shutdown-timeout", envDuration("SUNLIGHT_SHUTDOWN_TIMEOUT", 20*time.Second), "on SIGTERM/SIGINT, how long requests in flight and the report run in progress get to finish (SUNLIGHT_SHUTDOWN_TIMEOUT)")
}

func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", env("SUNLIGHT_DB", db.DefaultDSN), "database: file:PATH for SQLite or a postgres:// URL (SUNLIGHT_DB)")
}

// openDB opens and migrates the database: versioned migration files on
// PostgreSQL, auto-migration on SQLite.
func openDB(ctx context.Context, dsn string) (*db.DB, error) {
	d, err := db.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if _, err := d.MigrateProduction(ctx, db.VersionedOptions{}); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func serve(ctx context.Context, args []string) error {
	if os.Getenv("GOGC") == "" {
		// A GraphQL server allocates much per request and little for long:
		// collecting a quarter as often cut CPU per request by 15-60% in the
		// benchmark (bench/README.md). GOGC set in the environment wins.
		debug.SetGCPercent(400)
		if os.Getenv("GOMEMLIMIT") == "" {
			// ...but a rarer GC lets the heap grow: a soft limit of 64 MiB
			// brings the collections back early and kept the peak RSS at
			// 104 MiB (the binary itself is ~40 MiB of it) with no cost we
			// could measure (bench/README.md, "Soft memory limit").
			// GOMEMLIMIT set in the environment wins.
			debug.SetMemoryLimit(64 << 20)
		}
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	dsn := dbFlag(fs)
	addr := fs.String("addr", env("SUNLIGHT_ADDR", "127.0.0.1:8080"), "address to listen on (SUNLIGHT_ADDR)")
	withDemo := fs.Bool("demo", env("SUNLIGHT_DEMO", "") == "1", "load the demo data first if the database is empty (SUNLIGHT_DEMO=1)")
	scheduler := fs.Bool("scheduler", env("SUNLIGHT_SCHEDULER", "1") != "0", "run the report scheduler in this process (SUNLIGHT_SCHEDULER=0 turns it off, e.g. when `sunlight jobs` runs elsewhere)")
	sf := addSchedulerFlags(fs)
	requireAuth := fs.Bool("require-auth", env("SUNLIGHT_REQUIRE_AUTH", "") == "1", "refuse requests without a bearer token; off: anonymous callers get the PUBLIC role (SUNLIGHT_REQUIRE_AUTH=1)")
	grace := graceFlag(fs)
	lf := addLimitFlags(fs)
	pprofAddr := fs.String("pprof", env("SUNLIGHT_PPROF", ""), "serve Go's profiler (/debug/pprof/) on this address, e.g. 127.0.0.1:6060; off when empty (SUNLIGHT_PPROF)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	d, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer d.Close()
	if *withDemo {
		loaded, err := demo.LoadIfEmpty(ctx, d.Client)
		if err != nil {
			return fmt.Errorf("load demo data: %w", err)
		}
		if loaded {
			slog.Info("demo data loaded", "community", demo.Code)
		}
	}
	if *pprofAddr != "" {
		if err := servePprof(*pprofAddr); err != nil {
			return err
		}
	}
	arch, err := sf.openArchive(ctx)
	if err != nil {
		return err
	}
	defer arch.Close()
	cfg, err := lf.config()
	if err != nil {
		return err
	}
	cfg.RequireAuth = *requireAuth
	metrics := ops.NewMetrics(d)
	health := &ops.Health{DB: d}
	// The schema is compared with this build's once, here, not per probe.
	if err := health.CheckSchema(ctx); err != nil {
		slog.Error("the schema is not this build's; /readyz answers 503", "err", err)
	}
	// Subscribers hear of every report, whichever process published it:
	// the feed reads the reports table; a scheduler here relays through it
	// at once (jobs.Feed).
	feed := jobs.NewFeed(d.Client, 0)
	if err := feed.Start(ctx); err != nil {
		return err
	}
	cfg.GraphQL.Published = feed
	if *scheduler {
		sched, err := sf.newScheduler(d, arch)
		if err != nil {
			return err
		}
		sched.SetObserver(metrics)
		sched.RelayThrough(feed)
		if err := metrics.LoadLastPublished(ctx, d.Client); err != nil {
			slog.Warn("last publish times", "err", err)
		}
		stop, err := startScheduler(ctx, sched, *grace)
		if err != nil {
			return err
		}
		defer stop()
		health.Scheduler = sched
	}
	edge := server.New(cfg, server.Deps{DB: d, Archive: arch, Metrics: metrics, Health: health})
	srv := &http.Server{
		Handler:           edge,
		ReadHeaderTimeout: 10 * time.Second,
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	slog.Info("serving", "graphql", "http://"+ln.Addr().String()+"/graphql", "graphiql", "http://"+ln.Addr().String()+"/", "db", d.Dialect)
	return ops.Serve(ctx, srv, ln, *grace, health)
}

func migrate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	dsn := dbFlag(fs)
	baseline := fs.String("baseline", env("SUNLIGHT_MIGRATE_BASELINE", ""), "PostgreSQL only: adopt a database made by an older build's auto-migration as being at this migration version (SUNLIGHT_MIGRATE_BASELINE)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	d, err := db.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer d.Close()
	applied, err := d.MigrateProduction(ctx, db.VersionedOptions{Baseline: *baseline})
	if err != nil {
		return err
	}
	slog.Info("schema is current", "db", d.Dialect, "applied", applied)
	return nil
}

// servePprof serves the profiler on its own listener, never on the public
// GraphQL address.
func servePprof(addr string) error {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen for pprof on %s: %w", addr, err)
	}
	slog.Info("profiler", "pprof", "http://"+ln.Addr().String()+"/debug/pprof/")
	go func() { _ = http.Serve(ln, mux) }()
	return nil
}
