//go:build ignore

// The generator of the ent client and of the ent half of the GraphQL schema
// (graph/ent.graphql). Run through `go generate ./...`.
package main

import (
	"fmt"
	"log"
	"strings"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"
)

func main() {
	ex, err := entgql.NewExtension(
		entgql.WithConfigPath("../gqlgen.yml"),
		entgql.WithSchemaGenerator(),
		entgql.WithSchemaPath("../graph/ent.graphql"),
		entgql.WithWhereInputs(true),
		entgql.WithNodeDescriptor(false),
		entgql.WithSchemaHook(describeTypes, nonNullConnections, describeCursor, nullableRefusable),
	)
	if err != nil {
		log.Fatalf("creating entgql extension: %v", err)
	}
	err = entc.Generate("./schema", &gen.Config{
		Features: []gen.Feature{
			gen.FeatureGlobalID,
			gen.FeatureIntercept,
			gen.FeatureSnapshot,
			gen.FeatureVersionedMigration,
			gen.FeatureModifier,
			gen.FeatureExecQuery,
			gen.FeatureUpsert,
			gen.FeatureLock,
			gen.FeaturePrivacy,
			gen.FeatureEntQL,
		},
	}, entc.Extensions(ex))
	if err != nil {
		log.Fatalf("running ent codegen: %v", err)
	}
}

// describeTypes copies each schema's comment onto its GraphQL type, so the
// API documents itself in GraphiQL and generated clients.
func describeTypes(g *gen.Graph, s *ast.Schema) error {
	for _, n := range g.Nodes {
		def := s.Types[n.Name]
		if def == nil {
			continue
		}
		if c, ok := n.Annotations["Comment"].(map[string]any); ok {
			if text, ok := c["Text"].(string); ok {
				def.Description = text
			}
		}
		for _, suffix := range []string{"Connection", "Edge", "WhereInput", "Order", "OrderField"} {
			if d := s.Types[n.Name+suffix]; d != nil && !strings.Contains(d.Description, "(") {
				switch suffix {
				case "Connection":
					d.Description = "A page of " + n.Name + " records (Relay connection) with the total count."
				case "Edge":
					d.Description = "One " + n.Name + " in a connection, with its cursor."
				}
			}
		}
	}
	return nil
}

// nonNullConnections makes every connection's edges and every edge's node
// non-null ([AssetEdge!]!, node: Asset!), which entgql has no option for:
// its connections always hold a list (empty, never null) of edges that
// each hold a record, so generated clients need no optional chaining.
// The ent types are unchanged (Edges []*AssetEdge, Node *Asset).
func nonNullConnections(g *gen.Graph, s *ast.Schema) error {
	for _, n := range g.Nodes {
		conn, edge := s.Types[n.Name+"Connection"], s.Types[n.Name+"Edge"]
		if conn == nil || edge == nil {
			continue
		}
		edges, node := conn.Fields.ForName("edges"), edge.Fields.ForName("node")
		if edges == nil || node == nil {
			return fmt.Errorf("%s: entgql's connection has no edges or node field", n.Name)
		}
		edges.Type = ast.NonNullListType(ast.NonNullNamedType(edge.Name, nil), nil)
		node.Type = ast.NonNullNamedType(n.Name, nil)
	}
	return nil
}

// describeCursor gives entgql's Cursor scalar its wire format and the
// section of docs/scalars.md that specifies it, as schema.graphql does for
// the other scalars.
func describeCursor(_ *gen.Graph, s *ast.Schema) error {
	def := s.Types["Cursor"]
	if def == nil {
		return fmt.Errorf("entgql defined no Cursor scalar")
	}
	def.Description = "Cursor: a position in a Relay connection (edges.cursor, pageInfo.startCursor/endCursor), to pass\n" +
		"back as after: or before:. An opaque string (unpadded base64), e.g. \"gaFpzwAAAAEAAAAB\": do not build or parse one."
	def.Directives = append(def.Directives, &ast.Directive{
		Name: "specifiedBy",
		Arguments: ast.ArgumentList{{
			Name:  "url",
			Value: &ast.Value{Kind: ast.StringValue, Raw: "docs/scalars.md#cursor"},
		}},
	})
	return nil
}

// readByEveryone are the entities every viewer may read some of (package
// policy filters their rows but refuses nobody); graph's TestRefusableFields
// holds this list to the policies.
var readByEveryone = map[string]bool{"Community": true, "Voucher": true}

// nullableRefusable makes every field that reads another entity, or a
// connection of it, nullable, unless everyone may read that entity: a
// viewer refused it (the public for residents, a supervisor for assets)
// gets null there with a FORBIDDEN error at that path, and the rest of
// the answer, instead of a null that climbs to the nearest nullable
// parent (graph/refused.go). Mutations keep their types: a refused write
// has nothing else to keep.
func nullableRefusable(g *gen.Graph, s *ast.Schema) error {
	entities := map[string]bool{}
	for _, n := range g.Nodes {
		entities[n.Name] = true
	}
	for _, def := range s.Types {
		if def.Kind != ast.Object || def.Name == "Mutation" {
			continue
		}
		for _, f := range def.Fields {
			t := f.Type
			for t.Elem != nil && t.NamedType == "" {
				t = t.Elem
			}
			name := strings.TrimSuffix(t.NamedType, "Connection")
			if entities[name] && !readByEveryone[name] && !strings.HasSuffix(def.Name, "Edge") && !strings.HasSuffix(def.Name, "Connection") {
				f.Type.NonNull = false
			}
		}
	}
	return nil
}
