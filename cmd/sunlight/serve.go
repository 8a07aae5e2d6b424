package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"sunlight/db"
	"sunlight/demo"
	"sunlight/graph"
)

func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", env("SUNLIGHT_DB", db.DefaultDSN), "database: file:PATH for SQLite or a postgres:// URL (SUNLIGHT_DB)")
}

// openDB opens and migrates the database.
func openDB(ctx context.Context, dsn string) (*db.DB, error) {
	d, err := db.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := d.Migrate(ctx); err != nil {
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
	srv := &http.Server{
		Handler:           graph.NewMux(d.Client, graph.Config{}),
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
	if err := fs.Parse(args); err != nil {
		return err
	}
	d, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer d.Close()
	slog.Info("schema is current", "db", d.Dialect)
	return nil
}
