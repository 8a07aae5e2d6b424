package gqlhttp

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// TestWriteResponse holds writeResponse to json.Marshal's bytes for every
// response, and to the data as the executor wrote it (no second pass) for
// the common one: data, no errors, and the empty extensions map gqlgen
// gives every response. The fast path had silently stopped being taken
// when gqlgen began returning that map instead of nil.
func TestWriteResponse(t *testing.T) {
	cases := []struct {
		name string
		resp *graphql.Response
		// asIs: written without json.Marshal; the data is deliberately
		// not compact, so a second pass would show.
		asIs bool
	}{
		{"data, extensions nil", &graphql.Response{Data: json.RawMessage(`{"a": "阁子市"}`)}, true},
		{"data, extensions empty", &graphql.Response{Data: json.RawMessage(`{"a": 1}`), Extensions: map[string]any{}}, true},
		{"no data", &graphql.Response{Extensions: map[string]any{}}, true},
		{"extensions", &graphql.Response{Data: json.RawMessage(`{"a":1}`), Extensions: map[string]any{"cost": 3}}, false},
		{"errors", &graphql.Response{Data: json.RawMessage(`{"a":null}`), Errors: gqlerror.List{{Message: "no"}}, Extensions: map[string]any{}}, false},
		{"less than", &graphql.Response{Data: json.RawMessage(`{"a":"1<2"}`), Extensions: map[string]any{}}, false},
		{"greater than", &graphql.Response{Data: json.RawMessage(`{"a":"2>1"}`)}, false},
		{"ampersand", &graphql.Response{Data: json.RawMessage(`{"a":"R&D"}`)}, false},
		{"line separator", &graphql.Response{Data: json.RawMessage("{\"a\":\"x\u2028y\"}")}, false},
		{"paragraph separator", &graphql.Response{Data: json.RawMessage("{\"a\":\"x\u2029y\"}")}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got bytes.Buffer
			writeResponse(&got, c.resp)
			want, err := json.Marshal(c.resp)
			if err != nil {
				t.Fatal(err)
			}
			if c.asIs {
				data := string(c.resp.Data)
				if data == "" {
					data = "null"
				}
				if got.String() != `{"data":`+data+`}` {
					t.Errorf("got %s, want the data as written: {\"data\":%s}", got.String(), data)
				}
				// json.Marshal compacts; otherwise the bytes are its own.
				var compact bytes.Buffer
				if err := json.Compact(&compact, got.Bytes()); err != nil {
					t.Fatal(err)
				}
				got = compact
			}
			if got.String() != string(want) {
				t.Errorf("got %s, want json.Marshal's %s", got.String(), want)
			}
		})
	}
}
