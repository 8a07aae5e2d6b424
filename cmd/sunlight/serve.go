package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"sunlight/db"
	"sunlight/demo"
	"sunlight/graph"
	"sunlight/web"
)

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
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	dsn := dbFlag(fs)
	addr := fs.String("addr", env("SUNLIGHT_ADDR", "127.0.0.1:8080"), "address to listen on (SUNLIGHT_ADDR)")
	withDemo := fs.Bool("demo", env("SUNLIGHT_DEMO", "") == "1", "load the demo data first if the database is empty (SUNLIGHT_DEMO=1)")
	scheduler := fs.Bool("scheduler", env("SUNLIGHT_SCHEDULER", "1") != "0", "run the report scheduler in this process (SUNLIGHT_SCHEDULER=0 turns it off, e.g. when `sunlight jobs` runs elsewhere)")
	sf := addSchedulerFlags(fs)
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
	sched, arch, err := sf.newScheduler(ctx, d)
	if err != nil {
		return err
	}
	defer arch.Close()
	if *scheduler {
		if err := sched.Start(ctx); err != nil {
			return err
		}
		defer sched.Stop()
	}
	gcfg := graph.Config{}
	if *scheduler {
		gcfg.Published = sched
	}
	mux := graph.NewMux(d.Client, gcfg)
	web.New(d.Client, arch, nil).Register(mux)
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	slog.Info("serving", "graphql", "http://"+ln.Addr().String()+"/graphql", "graphiql", "http://"+ln.Addr().String()+"/", "db", d.Dialect)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	slog.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
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
