package token

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"sunlight/audit"
	"sunlight/auth"
	"sunlight/ent"
)

// Middleware gives every request a viewer: the one of its bearer token, or
// the public when it has none (unless Required).
type Middleware struct {
	Client *ent.Client
	// Required refuses requests without a token (the whole API private).
	Required bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Wrap returns next behind the middleware.
func (m Middleware) Wrap(next http.Handler) http.Handler {
	now := m.Now
	if now == nil {
		now = time.Now
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := &auth.Viewer{Role: auth.Public, Name: "public"}
		if h := r.Header.Get("Authorization"); h != "" {
			tok, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				unauthenticated(w, "send the token as Authorization: Bearer <token>")
				return
			}
			var err error
			v, err = Lookup(r.Context(), m.Client, strings.TrimSpace(tok), now())
			if errors.Is(err, ErrBadToken) {
				unauthenticated(w, "the token is unknown, expired or revoked; ask an administrator for a new one (sunlight token create)")
				return
			}
			if err != nil {
				slog.ErrorContext(r.Context(), "look up token", "err", err)
				writeError(w, http.StatusServiceUnavailable, "INTERNAL_SERVER_ERROR", "cannot check the token now; try again")
				return
			}
		} else if m.Required && r.Method != http.MethodOptions && !probe(r.URL.Path) {
			unauthenticated(w, "this server requires a token: send Authorization: Bearer <token>")
			return
		}
		ctx := auth.NewContext(r.Context(), v)
		ctx = audit.WithActor(ctx, actor(v))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func actor(v *auth.Viewer) string {
	if v.TokenID == 0 {
		return string(v.Role)
	}
	return v.Name + " (" + string(v.Role) + ")"
}

func unauthenticated(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="sunlight"`)
	writeError(w, http.StatusUnauthorized, "UNAUTHENTICATED", msg)
}

// writeError answers in the shape of a GraphQL response, so clients read
// refusals the same way whatever refused them.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []any{map[string]any{"message": msg, "extensions": map[string]any{"code": code}}},
	})
}

// probe paths answer health checks and scrapes without a token.
func probe(path string) bool {
	return path == "/healthz" || path == "/readyz" || path == "/metrics"
}
