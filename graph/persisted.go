package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"sunlight/internal/vocab/fail"
	"sunlight/internal/web/gqlhttp"
)

// persistedOnly is the gqlgen extension that enforces an Allowlist.
type persistedOnly struct{ list *gqlhttp.Allowlist }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = persistedOnly{}

func (persistedOnly) ExtensionName() string { return "SunlightPersistedOperations" }

func (persistedOnly) Validate(graphql.ExecutableSchema) error { return nil }

func (p persistedOnly) MutateOperationParameters(_ context.Context, raw *graphql.RawParams) *gqlerror.Error {
	hash := ""
	if pq, ok := raw.Extensions["persistedQuery"].(map[string]any); ok {
		hash, _ = pq["sha256Hash"].(string)
		hash = strings.ToLower(hash)
	}
	if raw.Query == "" {
		if hash == "" {
			return nil // gqlgen answers "no operation provided"
		}
		doc, ok := p.list.Document(hash)
		if !ok {
			return limitError(fail.PersistedNotAllowed, "no persisted operation has the hash %.64q; this server runs only its persisted operations", hash)
		}
		raw.Query = doc
		return nil
	}
	sum, allowed := p.list.Allows(raw.Query)
	if hash != "" && hash != sum {
		return limitError(fail.BadInput, "extensions.persistedQuery.sha256Hash is not the SHA-256 of the query sent (%s)", sum)
	}
	if !allowed {
		return limitError(fail.PersistedNotAllowed, "this server runs only its persisted operations, and the document sent (SHA-256 %s) is not one of them", sum)
	}
	return nil
}
