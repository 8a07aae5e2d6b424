package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"sunlight/graph/generated"
	"sunlight/internal/access/auth"
	"sunlight/internal/access/policy"
	"sunlight/internal/demo/demotest"
	"sunlight/internal/storage/dbtest"
)

// TestRefusedFieldFailsAlone: a field the viewer may not read is null with
// a FORBIDDEN error at its own path and location; everything around it is
// answered, and nothing is read for it.
func TestRefusedFieldFailsAlone(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		w := newAuthWorld(t, dsn)
		type node struct {
			Name      string
			Residents *struct{ TotalCount int }
			Assets    *struct{ TotalCount int }
		}
		var data struct {
			Communities struct{ Edges []struct{ Node node } }
			Residents   *struct{ TotalCount int }
		}
		tests := []struct {
			name, who, query string
			refused          []string // paths of the FORBIDDEN errors, with %d for each community
			line, column     int      // of the refused field
		}{
			{"public, nested", "public",
				"{ communities(first: 4) { edges { node { name\n  residents { totalCount } } } } }",
				[]string{"communities.edges.%d.node.residents"}, 2, 3},
			{"public, in a fragment", "public",
				"fragment R on Community { name residents(first: 1) { totalCount edges { node { name } } } }\n{ communities(first: 4) { edges { node { ...R } } } }",
				[]string{"communities.edges.%d.node.residents"}, 1, 32},
			{"public, at the root beside a readable field", "public",
				"{ communities(first: 4) { edges { node { name } } }\n  residents { totalCount } }",
				[]string{"residents"}, 2, 3},
			{"supervisor, the assets of its community", "supervisor",
				"{ communities { edges { node { name\n  assets { totalCount } } } } }",
				[]string{"communities.edges.%d.node.assets"}, 2, 3},
			{"staff read them", "staff",
				"{ communities { edges { node { name residents { totalCount } assets { totalCount } } } } }",
				nil, 0, 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := w.do(tt.who, tt.query, nil)
				data.Communities.Edges, data.Residents = nil, nil
				if err := json.Unmarshal(r.Data, &data); err != nil {
					t.Fatalf("data %s: %v", r.Data, err)
				}
				edges := data.Communities.Edges
				if len(edges) == 0 {
					t.Fatalf("the readable communities are lost: %s, %+v", r.Data, r.Errors)
				}
				want := map[string]bool{}
				for _, p := range tt.refused {
					if !strings.Contains(p, "%d") {
						want[p] = true
						continue
					}
					for i := range edges {
						want[fmt.Sprintf(p, i)] = true
					}
				}
				if len(r.Errors) != len(want) {
					t.Fatalf("%d errors, want %d at %v: %+v", len(r.Errors), len(want), tt.refused, r.Errors)
				}
				for _, e := range r.Errors {
					if e.Extensions["code"] != "FORBIDDEN" || !want[e.path()] {
						t.Fatalf("error %+v, want FORBIDDEN at one of %v", e, want)
					}
					if len(e.Locations) != 1 || e.Locations[0].Line != tt.line || e.Locations[0].Column != tt.column {
						t.Fatalf("locations %+v, want line %d column %d", e.Locations, tt.line, tt.column)
					}
				}
				for i, e := range edges {
					if e.Node.Name == "" {
						t.Fatalf("community %d lost its name: %s", i, r.Data)
					}
					if len(tt.refused) > 0 && (e.Node.Residents != nil || e.Node.Assets != nil) {
						t.Fatalf("community %d: a refused field is not null: %s", i, r.Data)
					}
					if tt.refused == nil && (e.Node.Residents == nil || e.Node.Assets == nil) {
						t.Fatalf("community %d: staff's fields are null: %s", i, r.Data)
					}
				}
			})
		}
	})
}

// TestRefusedFieldReadsNothing: a refused nested field costs no statement.
func TestRefusedFieldReadsNothing(t *testing.T) {
	s := demoServer(t, demotest.DSN(t, dbtest.SQLite))
	count := func(q string) int64 {
		body, _ := json.Marshal(map[string]any{"query": q})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		before := s.count.Statements()
		s.edge.ServeHTTP(rec, req) // PUBLIC
		n := s.count.Statements() - before
		if !strings.Contains(rec.Body.String(), `"name"`) {
			t.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
		}
		return n
	}
	plain := count(`{ communities { edges { node { name } } } }`)
	refused := count(`{ communities { edges { node { name residents { totalCount edges { node { name } } } } } } }`)
	if plain != refused {
		t.Fatalf("%d statements with the refused field, %d without", refused, plain)
	}
}

// TestRefusableFields holds the schema to the policies: every field that
// reads an entity some viewer is refused is nullable (ent/entc.go's
// readByEveryone lists the others), so a refusal stops at that field.
func TestRefusableFields(t *testing.T) {
	demoServer(t, demotest.DSN(t, dbtest.SQLite)) // the policies are built with the client
	viewers := []*auth.Viewer{{Role: auth.Public}, {Role: auth.Supervisor, Communities: []int{1}}}
	refusable := func(typ string) bool {
		for _, v := range viewers {
			if policy.MayRead(auth.NewContext(t.Context(), v), typ) != nil {
				return true
			}
		}
		return false
	}
	for _, typ := range []string{"Community", "Voucher"} {
		if refusable(typ) {
			t.Fatalf("%s is refused to some viewer: take it out of readByEveryone in ent/entc.go", typ)
		}
	}
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	checked := 0
	for _, def := range schema.Types {
		if def.Name == "Mutation" || def.Name == "Subscription" || strings.HasSuffix(def.Name, "Connection") || strings.HasSuffix(def.Name, "Edge") || strings.HasPrefix(def.Name, "__") {
			continue
		}
		for _, f := range def.Fields {
			n := f.Type
			for n.Elem != nil {
				n = n.Elem
			}
			typ := strings.TrimSuffix(n.NamedType, "Connection")
			if schema.Types[typ] == nil || !refusable(typ) || !(def.Name == "Query" || refusable(def.Name) || def.Name == "Community" || def.Name == "Voucher") {
				continue
			}
			checked++
			if f.Type.NonNull {
				t.Errorf("%s.%s: %s is refused to some viewer, so the field must be nullable", def.Name, f.Name, f.Type)
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d fields checked", checked)
	}
}

// TestEveryUnknownCommunityIsNotFoundAtItsField: every root field naming a
// community (communityID, communityIDs) answers one that does not exist
// with NOT_FOUND carrying the field's path and location.
func TestEveryUnknownCommunityIsNotFoundAtItsField(t *testing.T) {
	s := demoServer(t, demotest.DSN(t, dbtest.SQLite))
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	values := map[string]string{"ID": `"99999999"`, "Period": `"2026-10"`, "Date": `"2026-10-31"`, "Int": "2025", "Boolean": "false", "String": `"南湖新区"`}
	checked := 0
	for _, f := range schema.Query.Fields {
		named := f.Arguments.ForName("communityID")
		if named == nil {
			named = f.Arguments.ForName("communityIDs")
		}
		if named == nil {
			continue
		}
		var args []string
		for _, a := range f.Arguments {
			switch {
			case a == named && a.Type.Elem != nil:
				args = append(args, a.Name+`: ["99999999"]`)
			case a == named:
				args = append(args, a.Name+`: "99999999"`)
			case a.Type.NonNull && a.DefaultValue == nil:
				v, ok := values[a.Type.NamedType]
				if def := schema.Types[a.Type.NamedType]; def != nil && def.Kind == "ENUM" {
					v, ok = def.EnumValues[0].Name, true
				}
				if !ok {
					t.Fatalf("%s(%s: %s): no value to pass", f.Name, a.Name, a.Type)
				}
				args = append(args, a.Name+": "+v)
			}
		}
		sel := ""
		n := f.Type
		for n.Elem != nil {
			n = n.Elem
		}
		if def := schema.Types[n.NamedType]; def != nil && (def.Kind == "OBJECT" || def.Kind == "INTERFACE") {
			sel = " { __typename }"
		}
		q := fmt.Sprintf("{ communities(first: 1) { totalCount }\n  %s(%s)%s }", f.Name, strings.Join(args, ", "), sel)
		t.Run(f.Name, func(t *testing.T) {
			checked++
			r := s.do(q, nil)
			if len(r.Errors) != 1 || r.code() != "NOT_FOUND" || r.Errors[0].path() != f.Name {
				t.Fatalf("%s\n%+v, want one NOT_FOUND at %s", q, r.Errors, f.Name)
			}
			if l := r.Errors[0].Locations; len(l) != 1 || l[0].Line != 2 || l[0].Column != 3 {
				t.Fatalf("locations %+v, want line 2 column 3", l)
			}
		})
	}
	if checked < 10 {
		t.Fatalf("only %d fields name a community", checked)
	}
}
