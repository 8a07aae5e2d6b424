package fail

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// RetryAfterSeconds is what an UNAVAILABLE answer tells the caller to wait.
const RetryAfterSeconds = 5

// Write is the one writer of refusals at the HTTP level (a request refused
// before or instead of GraphQL execution): the status of e's code and a body
// in the shape of a GraphQL response, so clients read every refusal the same
// way whatever refused it. UNAVAILABLE sets Retry-After unless it is set.
func Write(w http.ResponseWriter, e *Error) {
	ext := map[string]any{"code": e.Code}
	for k, v := range e.Extensions {
		ext[k] = v
	}
	b, _ := json.Marshal(map[string]any{
		"errors": []any{map[string]any{"message": e.Message, "extensions": ext}},
		"data":   nil,
	})
	if e.Code == Unavailable && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", strconv.Itoa(RetryAfterSeconds))
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(Status(e.Code))
	_, _ = w.Write(b)
}
