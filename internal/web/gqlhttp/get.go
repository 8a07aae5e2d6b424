package gqlhttp

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"sunlight/internal/vocab/fail"
)

// GET is GraphQL over HTTP GET, as gqlgen's transport.GET, answering as
// POST does: request errors 200 (application/json) or 400
// (application/graphql-response+json) without a "data" entry, and a
// mutation refused with 405 and Allow: POST, as the spec has it (gqlgen
// answers 422 and 406).
type GET struct{}

var _ graphql.Transport = GET{}

func (GET) Supports(r *http.Request) bool {
	return r.Method == http.MethodGet && r.Header.Get("Upgrade") == ""
}

func (GET) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	contentType := responseMediaType(r.Header.Get("Accept"))
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		badParams(w, contentType, "the query string could not be parsed: %v", err)
		return
	}
	for name, vs := range query {
		for _, v := range vs {
			if err := invalidUTF8([]byte(v)); err != nil {
				badParams(w, contentType, "the parameter %s could not be decoded: %v", name, err)
				return
			}
		}
	}
	start := graphql.Now()
	params := graphql.RawParams{
		Query:         query.Get("query"),
		OperationName: query.Get("operationName"),
		Headers:       r.Header,
	}
	for name, into := range map[string]*map[string]any{"variables": &params.Variables, "extensions": &params.Extensions} {
		v := query.Get(name)
		if v == "" {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(v))
		dec.UseNumber()
		if err := dec.Decode(into); err != nil {
			badParams(w, contentType, "%s could not be decoded as a JSON object: %v", name, err)
			return
		}
	}
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	oc, opErr := exec.CreateOperationContext(ctx, &params)
	if opErr != nil {
		w.Header().Set("Content-Type", contentType)
		operationError(ctx, w, exec, oc, contentType, opErr)
		return
	}
	if op := oc.Doc.Operations.ForName(oc.OperationName); op == nil || op.Operation != ast.Query {
		// GET is safe: a change of data is POST only.
		w.Header().Set("Allow", http.MethodPost)
		fail.Write(w, fail.New(fail.MethodNotAllowed, "only queries may be sent with GET; send a %s with POST", opName(op)))
		return
	}
	w.Header().Set("Content-Type", contentType)
	execute(ctx, w, exec, oc)
}

func opName(op *ast.OperationDefinition) string {
	if op == nil {
		return "mutation"
	}
	return string(op.Operation)
}

// badParams refuses a GET whose parameters are not what GraphQL over HTTP
// says they are: a client error, 400, whatever the media type.
func badParams(w http.ResponseWriter, contentType, format string, args ...any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusBadRequest)
	writeRequestError(w, &graphql.Response{Errors: gqlerror.List{{
		Message:    fmt.Sprintf(format, args...),
		Extensions: map[string]any{"code": string(fail.BadInput)},
	}}})
}
