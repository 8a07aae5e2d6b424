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
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

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
	// JSON is UTF-8, and Go's decoder would quietly turn an invalid byte
	// into U+FFFD, in a variable or inside a string literal of the document
	// alike: the body is checked as the decoder reads it, and refused.
	dec := json.NewDecoder(&utf8Reader{r: r.Body})
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

// invalidUTF8 says where b is not UTF-8, or nil when it is.
func invalidUTF8(b []byte) error {
	if utf8.Valid(b) {
		return nil
	}
	for i := 0; i < len(b); {
		r, w := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && w == 1 {
			return notUTF8(b[i], int64(i))
		}
		i += w
	}
	return nil
}

func notUTF8(b byte, offset int64) error {
	return fmt.Errorf("it is not valid UTF-8 (byte 0x%02X at offset %d); send the request in UTF-8", b, offset)
}

// utf8Reader passes a body through as it checks it is UTF-8, so the body
// is still read once, by the decoder, and never held whole a second time.
type utf8Reader struct {
	r     io.Reader
	off   int64             // of the first byte of the next read
	carry [utf8.UTFMax]byte // the start of a character cut by the last read
	n     int
}

func (u *utf8Reader) Read(p []byte) (int, error) {
	n, err := u.r.Read(p)
	b := p[:n]
	if u.n == 0 && utf8.Valid(b) {
		u.off += int64(n)
		return n, u.end(err)
	}
	i := 0
	if u.n > 0 {
		// Finish the character the last read began.
		var tmp [2 * utf8.UTFMax]byte
		k := copy(tmp[:], u.carry[:u.n])
		k += copy(tmp[k:], b[:min(len(b), utf8.UTFMax)])
		if !utf8.FullRune(tmp[:k]) {
			u.n = copy(u.carry[:], tmp[:k])
			u.off += int64(n)
			return n, u.end(err)
		}
		r, w := utf8.DecodeRune(tmp[:k])
		if r == utf8.RuneError && w == 1 {
			return 0, notUTF8(tmp[0], u.off-int64(u.n))
		}
		i, u.n = w-u.n, 0
	}
	for i < len(b) {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		if !utf8.FullRune(b[i:]) {
			u.n = copy(u.carry[:], b[i:])
			break
		}
		r, w := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && w == 1 {
			return 0, notUTF8(b[i], u.off+int64(i))
		}
		i += w
	}
	u.off += int64(n)
	return n, u.end(err)
}

// end refuses a body that ends inside a character.
func (u *utf8Reader) end(err error) error {
	if err == io.EOF && u.n > 0 {
		return notUTF8(u.carry[0], u.off-int64(u.n))
	}
	return err
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
