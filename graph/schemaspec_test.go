package graph_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"sunlight/internal/demo/demotest"
	"sunlight/internal/storage/dbtest"
)

// TestScalarsAreSpecified: every custom scalar of the live schema names its
// section of docs/scalars.md with @specifiedBy (specifiedByURL in the
// introspection) and gives an example of its wire format in its
// description, so generated clients and GraphiQL can say what it is.
func TestScalarsAreSpecified(t *testing.T) {
	s := demoServer(t, demotest.DSN(t, dbtest.SQLite))
	var schema struct {
		Schema struct {
			Types []struct {
				Kind, Name, Description string
				SpecifiedByURL          *string
			}
		} `json:"__schema"`
	}
	s.ok(`{ __schema { types { kind name description specifiedByURL } } }`, nil, &schema)
	doc, err := os.ReadFile("../docs/scalars.md")
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^## (\w+)`).FindAllStringSubmatch(string(doc), -1) {
		sections[strings.ToLower(m[1])] = true
	}
	builtin := map[string]bool{"String": true, "Int": true, "Float": true, "Boolean": true, "ID": true}
	custom := 0
	for _, ty := range schema.Schema.Types {
		if ty.Kind != "SCALAR" || builtin[ty.Name] {
			continue
		}
		custom++
		url := ""
		if ty.SpecifiedByURL != nil {
			url = *ty.SpecifiedByURL
		}
		anchor, ok := strings.CutPrefix(url, "docs/scalars.md#")
		if !ok || !sections[anchor] || anchor != strings.ToLower(ty.Name) {
			t.Errorf("scalar %s: specifiedByURL %q, want docs/scalars.md#%s naming a section of docs/scalars.md", ty.Name, url, strings.ToLower(ty.Name))
		}
		if !strings.Contains(ty.Description, `"`) {
			t.Errorf("scalar %s: the description gives no example of the wire format: %q", ty.Name, ty.Description)
		}
	}
	if custom < 5 {
		t.Errorf("%d custom scalars, want at least Money, Time, Date, Period, Cursor", custom)
	}
}

// TestConnectionsAreNonNull: every connection's edges is [XEdge!]! and
// every edge's node X!, in the live schema; and a connection with nothing
// on its page answers an empty list, at the root and nested, not null (which
// the non-null types would turn into an error).
func TestConnectionsAreNonNull(t *testing.T) {
	s := demoServer(t, demotest.DSN(t, dbtest.SQLite))
	var schema struct {
		Schema struct {
			Types []struct {
				Name   string
				Fields []struct {
					Name string
					Type typeRef
				}
			}
		} `json:"__schema"`
	}
	s.ok(`{ __schema { types { name fields { name type { name kind ofType { name kind ofType { name kind ofType { name kind } } } } } } } }`, nil, &schema)
	shape := func(r typeRef) string {
		var b strings.Builder
		for p := &r; p != nil; p = p.OfType {
			b.WriteString(p.Kind + " ")
		}
		return strings.TrimSpace(b.String())
	}
	connections := 0
	for _, ty := range schema.Schema.Types {
		for _, f := range ty.Fields {
			switch {
			case strings.HasSuffix(ty.Name, "Connection") && f.Name == "edges":
				connections++
				if got := shape(f.Type); got != "NON_NULL LIST NON_NULL OBJECT" || f.Type.named() != strings.TrimSuffix(ty.Name, "Connection")+"Edge" {
					t.Errorf("%s.edges is %s of %s, want [%sEdge!]!", ty.Name, got, f.Type.named(), strings.TrimSuffix(ty.Name, "Connection"))
				}
			case strings.HasSuffix(ty.Name, "Edge") && f.Name == "node":
				if got := shape(f.Type); got != "NON_NULL OBJECT" {
					t.Errorf("%s.node is %s, want non-null", ty.Name, got)
				}
			}
		}
	}
	if connections < 19 {
		t.Errorf("%d connections, want one per entity (19)", connections)
	}

	var empty struct {
		Communities struct {
			Edges []json.RawMessage
		}
		Nested struct {
			Edges []struct {
				Node struct {
					Assets struct{ Edges []json.RawMessage }
				}
			}
		}
	}
	s.ok(`{ communities(first: 0) { edges { node { id } } }
		nested: communities(first: 1) { edges { node { assets(first: 0) { edges { node { id } } } } } } }`, nil, &empty)
	if empty.Communities.Edges == nil || len(empty.Communities.Edges) != 0 {
		t.Errorf("communities(first: 0) edges: %v, want []", empty.Communities.Edges)
	}
	if len(empty.Nested.Edges) != 1 || empty.Nested.Edges[0].Node.Assets.Edges == nil || len(empty.Nested.Edges[0].Node.Assets.Edges) != 0 {
		t.Errorf("nested assets(first: 0): %+v, want one community with edges []", empty.Nested)
	}
}
