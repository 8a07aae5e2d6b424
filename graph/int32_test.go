package graph_test

import (
	"regexp"
	"strconv"
	"testing"

	"sunlight/internal/demo/demotest"
	"sunlight/internal/storage/dbtest"
)

// TestNoIDIsAnInt: GraphQL's Int is 32 bits and graphql-js refuses a larger
// one, while ent's global IDs are above 2³¹−1; so no field, argument or
// input field of type Int may hold an ID (its name ends in ID or Id, with
// or without a where-input suffix). The walk is over the live introspection;
// then the audit trail's IDs, which did, are read from the demo as strings
// above 2³¹−1.
func TestNoIDIsAnInt(t *testing.T) {
	s := demoServer(t, demotest.DSN(t, dbtest.SQLite))
	const typeFields = `name kind ofType { name kind ofType { name kind ofType { name kind } } }`
	var schema struct {
		Schema struct {
			Types []struct {
				Name   string
				Fields []struct {
					Name string
					Type typeRef
					Args []struct {
						Name string
						Type typeRef
					}
				}
				InputFields []struct {
					Name string
					Type typeRef
				}
			}
		} `json:"__schema"`
	}
	s.ok(`{ __schema { types { name
		fields { name type { `+typeFields+` } args { name type { `+typeFields+` } } }
		inputFields { name type { `+typeFields+` } } } } }`, nil, &schema)

	idName := regexp.MustCompile(`(ID|Id|IDs|Ids)(NEQ|In|NotIn|GT|GTE|LT|LTE)?$`)
	walked := 0
	check := func(where string, tr typeRef) {
		walked++
		if tr.named() == "Int" && idName.MatchString(where) {
			t.Errorf("%s is an Int but holds an ID: make it ID", where)
		}
	}
	for _, ty := range schema.Schema.Types {
		for _, f := range ty.Fields {
			check(ty.Name+"."+f.Name, f.Type)
			for _, a := range f.Args {
				check(ty.Name+"."+f.Name+"("+a.Name, a.Type)
			}
		}
		for _, f := range ty.InputFields {
			check(ty.Name+"."+f.Name, f.Type)
		}
	}
	if walked < 500 {
		t.Fatalf("walked %d fields and arguments: the introspection was not read", walked)
	}

	var out struct {
		AuditEvents struct {
			Edges []struct {
				Node struct{ EntityID, CommunityID *string }
			}
		}
	}
	// A write leaves an audit event naming the community twice, which the
	// where input finds by ID.
	vars := map[string]any{"c": strconv.Itoa(s.gz)}
	s.ok(`mutation($c: ID!) { updateCommunity(id: $c, input: {name: "阁子市社区"}) { id } }`, vars, nil)
	s.ok(`query($c: ID!) { auditEvents(first: 5, where: {entityID: $c, communityID: $c}) { edges { node { entityID communityID } } } }`, vars, &out)
	if len(out.AuditEvents.Edges) == 0 {
		t.Fatal("no audit event of the community's update")
	}
	for _, e := range out.AuditEvents.Edges {
		for _, id := range []*string{e.Node.EntityID, e.Node.CommunityID} {
			if n, err := strconv.ParseInt(*id, 10, 64); err != nil || n <= 1<<31-1 {
				t.Fatalf("audit event IDs %q, %q: want strings of numbers above 2³¹−1", *e.Node.EntityID, *e.Node.CommunityID)
			}
		}
	}
}

type typeRef struct {
	Name   *string
	Kind   string
	OfType *typeRef
}

// named is the named type under NON_NULL and LIST wrappers.
func (r typeRef) named() string {
	for r.OfType != nil {
		r = *r.OfType
	}
	if r.Name == nil {
		return ""
	}
	return *r.Name
}
