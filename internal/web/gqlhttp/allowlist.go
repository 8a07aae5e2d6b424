package gqlhttp

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Allowlist is a set of persisted GraphQL documents, known by the SHA-256 of
// their text. When graph.Limits.Persisted is set, the endpoint runs only these
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
	a.docs[DocumentHash(doc)] = doc
	// Files usually end in a newline that clients do not send.
	if t := strings.TrimSpace(doc); t != doc && t != "" {
		a.docs[DocumentHash(t)] = t
	}
}

// Len is the number of hashes allowed.
func (a *Allowlist) Len() int { return len(a.docs) }

// Document is the allowed document with the SHA-256 hash (hex).
func (a *Allowlist) Document(hash string) (string, bool) {
	doc, ok := a.docs[strings.ToLower(hash)]
	return doc, ok
}

// Allows reports whether the document is allowed, and its hash.
func (a *Allowlist) Allows(doc string) (hash string, ok bool) {
	hash = DocumentHash(doc)
	_, ok = a.docs[hash]
	return hash, ok
}

// DocumentHash is the hex SHA-256 of a document, as persisted-query
// clients send it.
func DocumentHash(doc string) string {
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
