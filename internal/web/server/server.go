// Package server is Sunlight's HTTP edge: New builds the whole server from a
// configuration, and `sunlight serve` and every HTTP test use it. A request
// goes through, outermost first:
//
//	metrics and the request log (package ops)
//	  → the viewer of its bearer token (package token)
//	    → the routes:
//	        /graphql   CORS → rate limit → timeout → body limit → gqlgen (package graph)
//	        /          GraphiQL, embedded (package graphiql)
//	        /reports   CORS → the officials' page and downloads (package officials)
//	        /open-data the open data (package opendata)
//	        /healthz /readyz /metrics (package ops)
//
// Every refusal at the HTTP level is written by fail.Write, with the status
// of its code.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"sunlight/graph"
	"sunlight/internal/access/token"
	"sunlight/internal/opendata"
	"sunlight/internal/reports/archive"
	"sunlight/internal/storage/dataversion"
	"sunlight/internal/storage/db"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/web/graphiql"
	"sunlight/internal/web/officials"
	"sunlight/internal/web/ops"
	"sunlight/internal/web/respcache"
	"sunlight/internal/web/signpage"
)

// Config is what the edge is built from; zero values take the defaults.
type Config struct {
	// GraphQL configures the gqlgen server (clock, subscriptions, document
	// limits). The edge adds the metrics extension itself.
	GraphQL graph.Config
	// ResponseCache bounds the memory of the response cache (package
	// respcache) in bytes (0: respcache.DefaultMaxBytes; negative: no
	// cache).
	ResponseCache int64
	// RequireAuth refuses requests without a token (the whole API private).
	RequireAuth bool
	// MaxBodyBytes bounds a request body (0: DefaultMaxBodyBytes).
	MaxBodyBytes int64
	// Timeout bounds a GraphQL request, subscriptions aside (0:
	// DefaultTimeout; negative: none).
	Timeout time.Duration
	// RateLimit is the requests a second allowed per token (Authorization
	// header) or else per client IP, RateBurst of them at once
	// (0: DefaultRateLimit and DefaultRateBurst; negative: no limit).
	RateLimit float64
	RateBurst int
	// ClientIPHeader names the header holding the client's address, such as
	// X-Real-IP, when a trusted reverse proxy sets it; "": the peer address.
	ClientIPHeader string
	// CORSOrigins are the origins (https://dash.example.org) browsers may
	// call /graphql and /reports from; "*" for any (not with
	// CORSCredentials); none: no CORS.
	CORSOrigins []string
	// CORSCredentials lets browsers send cookies and Authorization.
	CORSCredentials bool
	// TokenFailures throttles clients presenting bad tokens (nil: the
	// default of package token).
	TokenFailures *token.Failures
	// Log receives one line per request (nil: slog.Default()).
	Log *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.RateLimit == 0 {
		c.RateLimit = DefaultRateLimit
		if c.RateBurst == 0 {
			c.RateBurst = DefaultRateBurst
		}
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	return c
}

// Deps are what the server serves from.
type Deps struct {
	// DB is the database (required).
	DB *db.DB
	// Archive holds the published PDFs; nil: no /reports routes.
	Archive *archive.Archive
	// Metrics and Health are shared with the scheduler of the process;
	// nil: new ones over DB.
	Metrics *ops.Metrics
	Health  *ops.Health
}

// Server is the whole HTTP server of Sunlight.
type Server struct {
	http.Handler
	Metrics *ops.Metrics
	Health  *ops.Health
}

// pinger is how the edge asks whether the database answers.
type pinger interface {
	PingContext(ctx context.Context) error
}

// New builds the server.
func New(cfg Config, deps Deps) *Server {
	cfg = cfg.withDefaults()
	s := &Server{Metrics: deps.Metrics, Health: deps.Health}
	if s.Metrics == nil {
		s.Metrics = ops.NewMetrics(deps.DB)
	}
	if s.Health == nil {
		s.Health = &ops.Health{DB: deps.DB}
	}
	client := deps.DB.Client

	gcfg := cfg.GraphQL
	gcfg.Extensions = append([]graphql.HandlerExtension{s.Metrics.GraphQL()}, gcfg.Extensions...)
	if cfg.ResponseCache >= 0 {
		// Last, so innermost: the metrics and the request log above count
		// an answer from the cache like any other.
		cache := respcache.New(respcache.Config{
			Version:  func(ctx context.Context) (int64, error) { return dataversion.Read(ctx, deps.DB.SQL) },
			Now:      gcfg.Now,
			MaxBytes: cfg.ResponseCache,
		})
		s.Metrics.ObserveResponseCache(cache.Stats)
		gcfg.Extensions = append(gcfg.Extensions, cache)
	}
	mux := http.NewServeMux()
	// One pattern per method, so that metrics and logs name the route as
	// "POST /graphql"; GET serves queries and subscriptions, OPTIONS the
	// browsers' preflights.
	api := guard(graph.NewHandler(client, gcfg), cfg, deps.DB.SQL)
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodOptions} {
		mux.Handle(method+" /graphql", api)
	}
	// GraphiQL from the binary's own files: it works with no network.
	graphiql.Register(mux, "/graphql")
	if deps.Archive != nil {
		// The downloads follow the API's CORS rules: a dashboard that may
		// query /graphql from its origin may also fetch the PDFs.
		reports := http.NewServeMux()
		off := officials.New(client, deps.Archive, gcfg.Now)
		off.Integrity().OnMismatch = s.Metrics.IntegrityFailure
		s.Health.Archive = off.Integrity()
		off.Register(reports)
		h := withCORS(cfg, reports)
		mux.Handle("/reports", h)
		mux.Handle("/reports/", h)
	}
	// The open data is open to every origin already (package opendata).
	opendata.New(client).Register(mux)
	// The signing page: a signer's browser keeps its key and signs.
	signpage.Register(mux)
	ops.Register(mux, s.Health, s.Metrics)

	auth := token.Middleware{
		Client: client, Required: cfg.RequireAuth, Now: gcfg.Now,
		ClientIPHeader: cfg.ClientIPHeader, Failures: cfg.TokenFailures,
	}
	s.Handler = s.Metrics.Middleware(cfg.Log, auth.Wrap(s.Metrics.Routes(mux)))
	return s
}

func unavailable() *fail.Error {
	return fail.New(fail.Unavailable, "the database is not answering; retry in %d s", fail.RetryAfterSeconds).
		With("retryAfterSeconds", fail.RetryAfterSeconds)
}
