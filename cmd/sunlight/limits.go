package main

import (
	"flag"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"sunlight/graph"
	"sunlight/internal/web/gqlhttp"
	"sunlight/internal/web/respcache"
	"sunlight/internal/web/server"
)

// limitFlags are the flags of the endpoint's limits: graph.Limits for the
// documents, server.Config for HTTP.
type limitFlags struct {
	complexity, depth, aliases int
	body, responseCache        int64
	timeout                    time.Duration
	rate                       float64
	burst                      int
	ipHeader, persisted, cors  string
	corsCredentials            bool
	introspection              bool
}

// limitEnvFloat reads a SUNLIGHT_* number such as 0.5.
func limitEnvFloat(name string, def float64) float64 {
	if v := os.Getenv(name); v != "" {
		if x, err := strconv.ParseFloat(v, 64); err == nil {
			return x
		}
		slog.Warn("ignoring a malformed number", "variable", name, "value", v)
	}
	return def
}

func addLimitFlags(fs *flag.FlagSet) *limitFlags {
	f := &limitFlags{}
	fs.IntVar(&f.complexity, "max-complexity", envInt("SUNLIGHT_MAX_COMPLEXITY", graph.DefaultMaxComplexity), "largest estimated cost of one operation: 1 a field, connections' edges times first/last (SUNLIGHT_MAX_COMPLEXITY)")
	fs.IntVar(&f.depth, "max-depth", envInt("SUNLIGHT_MAX_DEPTH", graph.DefaultMaxDepth), "deepest nesting of fields in a query (SUNLIGHT_MAX_DEPTH)")
	fs.IntVar(&f.aliases, "max-aliases", envInt("SUNLIGHT_MAX_ALIASES", graph.DefaultMaxAliases), "most aliases in one document (SUNLIGHT_MAX_ALIASES)")
	fs.Int64Var(&f.body, "max-body", int64(envInt("SUNLIGHT_MAX_BODY", server.DefaultMaxBodyBytes)), "largest request body in bytes (SUNLIGHT_MAX_BODY)")
	fs.Int64Var(&f.responseCache, "response-cache", int64(envInt("SUNLIGHT_RESPONSE_CACHE", respcache.DefaultMaxBytes)), "bytes of memory for answers to queries served again until the next write; 0: no cache (SUNLIGHT_RESPONSE_CACHE)")
	fs.DurationVar(&f.timeout, "timeout", envDuration("SUNLIGHT_TIMEOUT", server.DefaultTimeout), "longest a GraphQL request may run, subscriptions aside; negative: no limit (SUNLIGHT_TIMEOUT)")
	fs.Float64Var(&f.rate, "rate-limit", limitEnvFloat("SUNLIGHT_RATE_LIMIT", server.DefaultRateLimit), "requests a second per API token, or per client IP without one; negative: no limit (SUNLIGHT_RATE_LIMIT)")
	fs.IntVar(&f.burst, "rate-burst", envInt("SUNLIGHT_RATE_BURST", server.DefaultRateBurst), "requests at once per token or IP before the rate limit applies (SUNLIGHT_RATE_BURST)")
	fs.StringVar(&f.ipHeader, "client-ip-header", env("SUNLIGHT_CLIENT_IP_HEADER", ""), "header with the client's IP set by a trusted reverse proxy, e.g. X-Real-IP; empty: the peer address (SUNLIGHT_CLIENT_IP_HEADER)")
	fs.StringVar(&f.persisted, "persisted", env("SUNLIGHT_PERSISTED", ""), "run only these persisted operations: a directory of .graphql files or a JSON manifest; empty: any (SUNLIGHT_PERSISTED)")
	fs.BoolVar(&f.introspection, "introspection", env("SUNLIGHT_INTROSPECTION", "1") != "0", "answer introspection (__schema, __type); SUNLIGHT_INTROSPECTION=0 turns it off")
	fs.StringVar(&f.cors, "cors-origins", env("SUNLIGHT_CORS_ORIGINS", ""), "comma-separated origins browsers may call the API from, e.g. https://dash.example.org; * for any; empty: no CORS (SUNLIGHT_CORS_ORIGINS)")
	fs.BoolVar(&f.corsCredentials, "cors-credentials", env("SUNLIGHT_CORS_CREDENTIALS", "") == "1", "let those origins send credentials; never with * (SUNLIGHT_CORS_CREDENTIALS=1)")
	return f
}

// config returns the server configuration of the flags, loading the
// persisted operations.
func (f *limitFlags) config() (server.Config, error) {
	c := server.Config{
		GraphQL: graph.Config{Limits: graph.Limits{
			MaxComplexity:        f.complexity,
			MaxDepth:             f.depth,
			MaxAliases:           f.aliases,
			DisableIntrospection: !f.introspection,
		}},
		MaxBodyBytes:    f.body,
		ResponseCache:   cacheBytes(f.responseCache),
		Timeout:         f.timeout,
		RateLimit:       f.rate,
		RateBurst:       f.burst,
		ClientIPHeader:  f.ipHeader,
		CORSCredentials: f.corsCredentials,
	}
	for _, o := range strings.Split(f.cors, ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.CORSOrigins = append(c.CORSOrigins, o)
		}
	}
	if f.persisted != "" {
		list, err := gqlhttp.LoadAllowlist(f.persisted)
		if err != nil {
			return c, err
		}
		c.GraphQL.Limits.Persisted = list
	}
	return c, nil
}

// cacheBytes turns the flag, where 0 means no cache, into the Config's
// terms, where 0 means the default and a negative number no cache.
func cacheBytes(flag int64) int64 {
	if flag <= 0 {
		return -1
	}
	return flag
}
