package graph

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"sunlight/ent"
	"sunlight/graph/generated"
	"sunlight/internal/web/graphiql"
)

// Config tunes the GraphQL endpoint.
type Config struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Published feeds the reportPublished subscription; nil: no scheduler here.
	Published Publisher
	// Extensions are added to the handler (e.g. ops metrics and logging).
	Extensions []graphql.HandlerExtension
	// Limits hold the endpoint against abuse (limits.go).
	Limits
}

// NewHandler returns the GraphQL endpoint (GET and POST, GraphQL over HTTP)
// behind its limits.
func NewHandler(client *ent.Client, cfg Config) http.Handler {
	cfg.Limits = cfg.Limits.withDefaults()
	srv := handler.New(generated.NewExecutableSchema(generated.Config{
		Resolvers: NewResolver(client, cfg.Now, cfg.Published),
	}))
	srv.AddTransport(transport.Websocket{KeepAlivePingInterval: 15 * time.Second})
	srv.AddTransport(transport.SSE{})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(getQuery{})
	srv.AddTransport(postJSON{})
	// The cache also gives unpaged connections their default page
	// (pagedefault.go): keep it when changing the cache.
	srv.SetQueryCache(pagedCache{Cache: lru.New[*ast.QueryDocument](1000), size: cfg.DefaultPageSize})
	srv.SetParserTokenLimit(cfg.MaxTokens)
	if !cfg.DisableIntrospection {
		srv.Use(extension.Introspection{})
	}
	if cfg.Persisted != nil {
		srv.Use(persistedOnly{cfg.Persisted})
	}
	srv.Use(newOperationLimits(cfg.Limits))
	srv.Use(transactioner{entgql.Transactioner{TxOpener: client}})
	// A confined viewer names only its own communities (package policy
	// filters the rest; this says so instead of answering with zeros).
	srv.AroundRootFields(scopeCommunity)
	// Reads shared between the fields of a query: ledger aggregates of one
	// community, the leases of a market's stalls (batch.go).
	srv.AroundOperations(batchOperation)
	// A field the viewer may not read fails alone, at its path (refused.go).
	srv.AroundOperations(prunedByOperation)
	srv.AroundFields(refuseUnreadable)
	for _, ext := range cfg.Extensions {
		// Plain scalar fields are marshalled without field middleware
		// (graph/internal/hotpath), so an extension that intercepts fields
		// would silently miss most of them: refuse it when wiring up.
		if _, ok := ext.(graphql.FieldInterceptor); ok {
			panic(fmt.Sprintf("graph: extension %s intercepts fields, which plain scalar fields bypass (graph/internal/hotpath)", ext.ExtensionName()))
		}
		srv.Use(ext)
	}
	srv.SetErrorPresenter(presentLimitError)
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		slog.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(p))
		return &panicError{}
	})
	return guard(srv, cfg.Limits)
}

type panicError struct{}

func (*panicError) Error() string { return "internal error" }

// NewMux serves GraphQL at /graphql and GraphiQL at /.
func NewMux(client *ent.Client, cfg Config) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/graphql", NewHandler(client, cfg))
	graphiql.Register(mux, "/graphql")
	return mux
}
