package graph

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"sunlight/internal/vocab/fail"
)

// Allowlist is a set of persisted GraphQL documents, known by the SHA-256 of
// their text. When Config.Persisted is set, the endpoint runs only these
// documents: sent in full, or by hash as Apollo's automatic persisted
// queries do (extensions.persistedQuery.sha256Hash).
type Allowlist struct {
	docs map[string]string // hex SHA-256 → document
}

// NewAllowlist returns the allow-list of the documents.
func NewAllowlist(docs ...string) *Allowlist {
	a := &Allowlist{docs: map[string]string{}}
	for _, d := range docs {
		a.add(d)
	}
	return a
}

func (a *Allowlist) add(doc string) {
	a.docs[documentHash(doc)] = doc
	// Files usually end in a newline that clients do not send.
	if t := strings.TrimSpace(doc); t != doc && t != "" {
		a.docs[documentHash(t)] = t
	}
}

// Len is the number of hashes allowed.
func (a *Allowlist) Len() int { return len(a.docs) }

// Hashes lists the allowed hashes, sorted.
func (a *Allowlist) Hashes() []string {
	hs := make([]string, 0, len(a.docs))
	for h := range a.docs {
		hs = append(hs, h)
	}
	sort.Strings(hs)
	return hs
}

func documentHash(doc string) string {
	sum := sha256.Sum256([]byte(doc))
	return hex.EncodeToString(sum[:])
}

// LoadAllowlist reads the persisted documents from a directory of .graphql
// (or .gql) files, one document per file, or from a JSON file holding an
// array of documents, an object of id → document (Relay, persisted-query
// manifests of most clients), or Apollo's manifest
// {"operations": [{"body": …}]}.
func LoadAllowlist(path string) (*Allowlist, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("persisted operations: %w", err)
	}
	a := NewAllowlist()
	if st.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, fmt.Errorf("persisted operations: %w", err)
		}
		for _, e := range entries {
			ext := filepath.Ext(e.Name())
			if e.IsDir() || (ext != ".graphql" && ext != ".gql") {
				continue
			}
			b, err := os.ReadFile(filepath.Join(path, e.Name()))
			if err != nil {
				return nil, fmt.Errorf("persisted operations: %w", err)
			}
			a.add(string(b))
		}
	} else {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("persisted operations: %w", err)
		}
		docs, err := parseManifest(b)
		if err != nil {
			return nil, fmt.Errorf("persisted operations in %s: %w", path, err)
		}
		for _, d := range docs {
			a.add(d)
		}
	}
	if a.Len() == 0 {
		return nil, fmt.Errorf("persisted operations: %s holds no document", path)
	}
	return a, nil
}

func parseManifest(b []byte) ([]string, error) {
	var list []string
	if err := json.Unmarshal(b, &list); err == nil {
		return list, nil
	}
	var apollo struct {
		Operations []struct {
			Body string `json:"body"`
		} `json:"operations"`
	}
	if err := json.Unmarshal(b, &apollo); err == nil && len(apollo.Operations) > 0 {
		for _, op := range apollo.Operations {
			list = append(list, op.Body)
		}
		return list, nil
	}
	var byID map[string]string
	if err := json.Unmarshal(b, &byID); err != nil {
		return nil, fmt.Errorf("want a JSON array of documents, an object of id → document or {\"operations\": [{\"body\": …}]}")
	}
	for _, d := range byID {
		list = append(list, d)
	}
	return list, nil
}

// persistedOnly is the gqlgen extension that enforces an Allowlist.
type persistedOnly struct{ list *Allowlist }

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
		doc, ok := p.list.docs[hash]
		if !ok {
			return limitError(CodePersistedNotAllowed, "no persisted operation has the hash %.64q; this server runs only its persisted operations", hash)
		}
		raw.Query = doc
		return nil
	}
	sum := documentHash(raw.Query)
	if hash != "" && hash != sum {
		return limitError(string(fail.BadInput), "extensions.persistedQuery.sha256Hash is not the SHA-256 of the query sent (%s)", sum)
	}
	if _, ok := p.list.docs[sum]; !ok {
		return limitError(CodePersistedNotAllowed, "this server runs only its persisted operations, and the document sent (SHA-256 %s) is not one of them", sum)
	}
	return nil
}
