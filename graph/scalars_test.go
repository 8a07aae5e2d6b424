package graph_test

import (
	"encoding/json"
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

// TestMoneyOneRule: Money is read by one rule whether it comes as a literal
// or a JSON variable: a string of yuan with at most two decimals and no
// spaces; anything else is BAD_USER_INPUT.
func TestMoneyOneRule(t *testing.T) {
	s := demoServer(t, demotest.DSN(t, dbtest.SQLite))
	tests := []struct {
		name    string
		literal string // the argument as written in the document
		value   any    // the same as a JSON variable
		want    string // the capitals; "" for a refusal
	}{
		{"a string", `"12.50"`, "12.50", "壹拾贰元伍角"},
		{"a float", `1.5`, 1.5, ""},
		{"a whole number", `12`, 12, ""},
		{"a leading space", `" 12.00"`, " 12.00", ""},
		{"a trailing space", `"12.00 "`, "12.00 ", ""},
		{"three decimals", `"1.005"`, "1.005", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range []response{
				s.do(`{ amountInCapitals(amount: `+tt.literal+`) }`, nil),
				s.do(`query($a: Money!) { amountInCapitals(amount: $a) }`, map[string]any{"a": tt.value}),
			} {
				if tt.want == "" {
					if r.code() != "BAD_USER_INPUT" {
						t.Fatalf("accepted or refused without BAD_USER_INPUT: %s %+v", r.Data, r.Errors)
					}
					continue
				}
				var out struct{ AmountInCapitals string }
				if len(r.Errors) > 0 || json.Unmarshal(r.Data, &out) != nil || out.AmountInCapitals != tt.want {
					t.Fatalf("got %s %+v, want %s", r.Data, r.Errors, tt.want)
				}
			}
		})
	}
}
