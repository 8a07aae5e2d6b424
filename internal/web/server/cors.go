package server

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"sunlight/internal/vocab/fail"
)

// cors answers the preflights of browsers and marks the responses to the
// origins it allows (the dashboards). "*" allows any origin, but only
// without credentials: with credentials it is ignored (and logged), and only
// the origins named are allowed.
type cors struct {
	origins     []string
	any         bool
	credentials bool
}

func newCORS(origins []string, credentials bool) *cors {
	c := &cors{credentials: credentials}
	for _, o := range origins {
		o = strings.TrimRight(strings.TrimSpace(o), "/")
		switch o {
		case "":
		case "*":
			c.any = true
		default:
			c.origins = append(c.origins, strings.ToLower(o))
		}
	}
	if c.any && credentials {
		slog.Warn("CORS: \"*\" is ignored when credentials are allowed; name the dashboards' origins")
		c.any = false
	}
	return c
}

func (c *cors) allowed(origin string) bool {
	return origin != "" && (c.any || slices.Contains(c.origins, strings.ToLower(origin)))
}

const (
	corsMethods = "GET, POST, OPTIONS"
	corsHeaders = "Authorization, Content-Type, Accept, Apollo-Require-Preflight"
)

func (c *cors) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		w.Header().Add("Vary", "Origin")
		ok := c.allowed(origin)
		if ok {
			// A credentialed request needs the origin itself, never "*".
			if c.any {
				w.Header().Set("Access-Control-Allow-Origin", "*")
			} else {
				w.Header().Set("Access-Control-Allow-Origin", origin)
				if c.credentials {
					w.Header().Set("Access-Control-Allow-Credentials", "true")
				}
			}
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			w.Header().Add("Vary", "Access-Control-Request-Method")
			w.Header().Add("Vary", "Access-Control-Request-Headers")
			if !ok {
				fail.Write(w, fail.New(fail.OriginNotAllowed,
					"this origin may not call the API from a browser; ask the operator to add it to the allowed origins"))
				return
			}
			w.Header().Set("Access-Control-Allow-Methods", corsMethods)
			w.Header().Set("Access-Control-Allow-Headers", corsHeaders)
			w.Header().Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if ok {
			w.Header().Set("Access-Control-Expose-Headers", "Retry-After")
		}
		h.ServeHTTP(w, r)
	})
}

// withCORS wraps h with the cross-origin rules of the configuration;
// without configured origins h is returned as it is.
func withCORS(cfg Config, h http.Handler) http.Handler {
	if len(cfg.CORSOrigins) == 0 {
		return h
	}
	return newCORS(cfg.CORSOrigins, cfg.CORSCredentials).wrap(h)
}
