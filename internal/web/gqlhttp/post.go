// Package gqlhttp holds the pieces of GraphQL over HTTP that plug into the
// gqlgen server of package graph: the POST and GET transports and the allow-list of
// persisted operations. The rest of the HTTP edge (auth, limits, CORS,
// metrics, routes) is package server.
package gqlhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"sunlight/internal/vocab/fail"
)

// POST is GraphQL over HTTP POST, as gqlgen's transport.POST, but it
// writes a successful response without re-encoding it. gqlgen's transport
// passes the response through json.Marshal, which validates and compacts
// the data the executor has just written as compact JSON: a second pass over
// every byte, 11% of the CPU of the 66 KB nested benchmark query
// (bench/README.md). Responses with errors, labels or extensions still go
// through json.Marshal, in gqlgen's field order.
type POST struct{}

var _ graphql.Transport = POST{}

const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

func (POST) Supports(r *http.Request) bool {
	if r.Method != http.MethodPost || r.Header.Get("Upgrade") != "" {
		return false
	}
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mediaType == mediaJSON
}

func (POST) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	contentType := responseMediaType(r.Header.Get("Accept"))
	w.Header().Set("Content-Type", contentType)

	start := graphql.Now()
	// The body is read once, by the decoder; the edge bounds it with
	// http.MaxBytesReader, so a body too large ends here as a refusal.
	var params graphql.RawParams
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(&params); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			TooLarge(w, tooLarge.Limit)
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		writeRequestError(w, exec.DispatchError(ctx, gqlerror.List{gqlerror.Errorf("json request body could not be decoded: %v", err)}))
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	oc, opErr := exec.CreateOperationContext(ctx, &params)
	if opErr != nil {
		operationError(ctx, w, exec, oc, contentType, opErr)
		return
	}
	execute(ctx, w, exec, oc)
}

// execute runs a valid operation and writes its response.
func execute(ctx context.Context, w http.ResponseWriter, exec graphql.GraphExecutor, oc *graphql.OperationContext) {
	responses, ctx := exec.DispatchOperation(ctx, oc)
	resp := responses(ctx)
	if unavailable(resp) {
		// No data to give because the database is down: say so in HTTP
		// too, so clients and proxies retry instead of showing a bug.
		w.Header().Set("Retry-After", strconv.Itoa(fail.RetryAfterSeconds))
		w.WriteHeader(fail.Status(fail.Unavailable))
	}
	writeResponse(w, resp)
}

// operationError answers a request that is not a valid operation (it does
// not parse, does not validate, or its variables do not coerce), as GraphQL
// over HTTP has it: with application/json, 200 and the errors (gqlgen
// answers 422, which generic JSON clients take for a transport failure);
// with application/graphql-response+json, 400. Either way there is no
// "data" entry: the operation never started.
func operationError(ctx context.Context, w http.ResponseWriter, exec graphql.GraphExecutor, oc *graphql.OperationContext, contentType string, errs gqlerror.List) {
	status := http.StatusOK
	if contentType == mediaGraphQLResponse && errcode.GetErrorKind(errs) == errcode.KindProtocol {
		status = http.StatusBadRequest
	}
	w.WriteHeader(status)
	writeRequestError(w, exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs))
}

// writeRequestError writes the response to a request error: its errors and
// extensions, without the "data": null gqlgen's Response always carries.
func writeRequestError(w io.Writer, resp *graphql.Response) {
	b, err := json.Marshal(struct {
		Errors     gqlerror.List  `json:"errors"`
		Extensions map[string]any `json:"extensions,omitempty"`
	}{resp.Errors, resp.Extensions})
	if err != nil {
		b = []byte(`{"errors":[{"message":"internal error: the response could not be encoded","extensions":{"code":"` + string(fail.Internal) + `"}}]}`)
	}
	_, _ = w.Write(b)
}

// TooLarge refuses a request body of more than limit bytes.
func TooLarge(w http.ResponseWriter, limit int64) {
	// Tell the client not to send more on this connection.
	w.Header().Set("Connection", "close")
	fail.Write(w, fail.New(fail.RequestTooLarge,
		"the request body is larger than %d bytes; send a smaller document or smaller variables", limit).With("limit", limit))
}

// unavailable tells a response that holds no data because the database is
// down: every error UNAVAILABLE, and data null or only nulls.
func unavailable(resp *graphql.Response) bool {
	if resp == nil || len(resp.Errors) == 0 {
		return false
	}
	for _, e := range resp.Errors {
		if e.Extensions["code"] != string(fail.Unavailable) {
			return false
		}
	}
	data := bytes.TrimSpace(resp.Data)
	if len(data) == 0 || string(data) == "null" {
		return true
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(data, &fields) != nil {
		return false
	}
	for _, v := range fields {
		if string(bytes.TrimSpace(v)) != "null" {
			return false
		}
	}
	return true
}

// responseMediaType picks the response's media type from the Accept header
// as gqlgen's transports do: the first of application/json (or a wildcard)
// and application/graphql-response+json the client names; application/json
// without an Accept header; the GraphQL media type when it names neither.
func responseMediaType(accept string) string {
	if accept == "" {
		return mediaJSON
	}
	for part := range strings.SplitSeq(accept, ",") {
		mediaType, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mediaType {
		case mediaGraphQLResponse:
			return mediaGraphQLResponse
		case mediaJSON, "*/*", "application/*":
			return mediaJSON
		}
	}
	return mediaGraphQLResponse
}

// writeResponse writes a GraphQL response. The common case, data and
// nothing else, is written as it is: the executor's marshalers write compact
// JSON, so {"data":…} is byte for byte what json.Marshal would produce,
// unless the data holds a character json.Marshal escapes for HTML (see
// htmlEscaped). gqlgen gives every response an empty, non-nil Extensions
// map (graphql.GetExtensions), which json.Marshal omits like a nil one.
func writeResponse(w io.Writer, resp *graphql.Response) {
	if resp != nil && len(resp.Errors) == 0 && resp.Label == "" && resp.Path == nil &&
		resp.HasNext == nil && len(resp.Extensions) == 0 && !htmlEscaped(resp.Data) {
		data := []byte(resp.Data)
		if len(data) == 0 {
			data = []byte("null")
		}
		_, _ = io.WriteString(w, `{"data":`)
		_, _ = w.Write(data)
		_, _ = io.WriteString(w, "}")
		return
	}
	b, err := json.Marshal(resp)
	if err != nil {
		// Only a scalar marshaler writing invalid JSON gets here; say so
		// in GraphQL's terms rather than send a broken document.
		b, _ = json.Marshal(&graphql.Response{Errors: gqlerror.List{{
			Message:    "internal error: the response could not be encoded",
			Extensions: map[string]any{"code": string(fail.Internal)},
		}}})
	}
	_, _ = w.Write(b)
}

// htmlEscaped says whether json.Marshal would write data differently from
// the executor: it escapes <, > and & and the line and paragraph separators
// U+2028 and U+2029 in every string, which gqlgen's marshalers write as
// they are. Such responses take the slow path so that every response stays
// byte for byte gqlgen's. A few vectorised scans of the response cost far
// less than json.Marshal's second pass over it.
func htmlEscaped(data []byte) bool {
	return bytes.IndexByte(data, '<') >= 0 || bytes.IndexByte(data, '>') >= 0 ||
		bytes.IndexByte(data, '&') >= 0 || bytes.Contains(data, lineSep) || bytes.Contains(data, paraSep)
}

var lineSep, paraSep = []byte("\u2028"), []byte("\u2029")
