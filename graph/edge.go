package graph

import (
	"net/http"

	"sunlight/internal/web/gqlhttp"
)

// The HTTP side of the endpoint is the edge's (internal/web/server builds
// the whole server: auth, limits, CORS, metrics, routes). server.go still
// names these; they are the edge's pieces, not graph's.

// postJSON is the edge's POST transport.
type postJSON = gqlhttp.POST

// getQuery is the edge's GET transport.
type getQuery = gqlhttp.GET

// guard wraps nothing: the edge puts the HTTP limits around the handler.
func guard(h http.Handler, _ Limits) http.Handler { return h }
