package fail_test

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"sunlight/internal/vocab/fail"
)

// TestEveryCodeHasItsStatus: the table of the API's codes, each with the
// status fail.Write answers it with, and nothing else in package fail.
func TestEveryCodeHasItsStatus(t *testing.T) {
	want := map[fail.Code]int{
		"BAD_USER_INPUT":              400,
		"NOT_FOUND":                   404,
		"CONFLICT":                    409,
		"FORBIDDEN":                   403,
		"UNAUTHENTICATED":             401,
		"QUERY_TOO_DEEP":              400,
		"TOO_MANY_ALIASES":            400,
		"QUERY_TOO_LARGE":             400,
		"COMPLEXITY_LIMIT_EXCEEDED":   400,
		"INTROSPECTION_DISABLED":      400,
		"PERSISTED_QUERY_NOT_ALLOWED": 400,
		"REQUEST_TOO_LARGE":           413,
		"RATE_LIMITED":                429,
		"CORS_ORIGIN_NOT_ALLOWED":     403,
		"METHOD_NOT_ALLOWED":          405,
		"TIMEOUT":                     504,
		"UNAVAILABLE":                 503,
		"INTERNAL_SERVER_ERROR":       500,
	}
	if got := fail.Codes(); len(got) != len(want) {
		t.Fatalf("package fail has %d codes, the table %d: %v", len(got), len(want), got)
	}
	for _, code := range fail.Codes() {
		t.Run(string(code), func(t *testing.T) {
			status, ok := want[code]
			if !ok {
				t.Fatalf("code %s is not in the table", code)
			}
			if got := fail.Status(code); got != status {
				t.Fatalf("Status = %d, want %d", got, status)
			}
			rec := httptest.NewRecorder()
			fail.Write(rec, fail.New(code, "because").With("limit", 3))
			var body struct {
				Data   any
				Errors []struct {
					Message    string
					Extensions map[string]any
				}
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if rec.Code != status || len(body.Errors) != 1 || body.Errors[0].Extensions["code"] != string(code) ||
				body.Errors[0].Message != "because" || body.Errors[0].Extensions["limit"] != float64(3) {
				t.Fatalf("Write: HTTP %d %s", rec.Code, rec.Body)
			}
			if (rec.Header().Get("Retry-After") != "") != (code == fail.Unavailable) {
				t.Fatalf("Retry-After %q for %s", rec.Header().Get("Retry-After"), code)
			}
		})
	}
	if got := fail.Status("NO_SUCH_CODE"); got != 500 {
		t.Fatalf("an unknown code answers %d, want 500", got)
	}
}
