// Package fail is the vocabulary of errors a caller can act on: every
// extensions.code of the API with the HTTP status it is answered with when
// it refuses a whole request, and the one writer of such refusals (Write).
// Domain code returns a *fail.Error with a code and a message in the
// caller's terms; graph/errors.go presents them in GraphQL responses.
package fail

import (
	"errors"
	"fmt"
)

// Code classifies an error for the caller. The values are the GraphQL
// extensions.code strings of the design.
type Code string

// The codes of the API. Status gives the HTTP status of each.
const (
	// The caller's input or request.
	BadInput        Code = "BAD_USER_INPUT"
	NotFound        Code = "NOT_FOUND"
	Conflict        Code = "CONFLICT"
	Forbidden       Code = "FORBIDDEN"
	Unauthenticated Code = "UNAUTHENTICATED"

	// The endpoint's limits (graph/limits.go, internal/web/server).
	TooDeep               Code = "QUERY_TOO_DEEP"
	TooManyAliases        Code = "TOO_MANY_ALIASES"
	QueryTooLarge         Code = "QUERY_TOO_LARGE"
	Complexity            Code = "COMPLEXITY_LIMIT_EXCEEDED"
	IntrospectionDisabled Code = "INTROSPECTION_DISABLED"
	PersistedNotAllowed   Code = "PERSISTED_QUERY_NOT_ALLOWED"
	RequestTooLarge       Code = "REQUEST_TOO_LARGE"
	RateLimited           Code = "RATE_LIMITED"
	OriginNotAllowed      Code = "CORS_ORIGIN_NOT_ALLOWED"
	// MethodNotAllowed: a mutation sent with GET (POST only).
	MethodNotAllowed Code = "METHOD_NOT_ALLOWED"
	// Timeout: the request ran past its deadline while the database
	// answered; the caller should ask for less.
	Timeout Code = "TIMEOUT"

	// The server's side.
	// Unavailable: the database cannot be reached or does not answer; not
	// the caller's fault and not a bug: retry later.
	Unavailable Code = "UNAVAILABLE"
	Internal    Code = "INTERNAL_SERVER_ERROR"
)

// statuses is every code with its HTTP status: the status of a response
// refused as a whole with that code. Errors inside an executed GraphQL
// operation come with 200, as GraphQL over HTTP has it.
var statuses = map[Code]int{
	BadInput:              400,
	NotFound:              404,
	Conflict:              409,
	Forbidden:             403,
	Unauthenticated:       401,
	TooDeep:               400,
	TooManyAliases:        400,
	QueryTooLarge:         400,
	Complexity:            400,
	IntrospectionDisabled: 400,
	PersistedNotAllowed:   400,
	RequestTooLarge:       413,
	RateLimited:           429,
	OriginNotAllowed:      403,
	MethodNotAllowed:      405,
	Timeout:               504,
	Unavailable:           503,
	Internal:              500,
}

// Codes lists every code of the API.
func Codes() []Code {
	out := make([]Code, 0, len(statuses))
	for c := range statuses {
		out = append(out, c)
	}
	return out
}

// Status is the HTTP status of code; 500 for a code the API does not have.
func Status(code Code) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return 500
}

// Error is an error the caller caused and can correct, or a refusal the
// caller can act on (wait, ask for less).
type Error struct {
	Code    Code
	Message string
	// Extensions are more fields of extensions beside code (a limit, a
	// number of seconds to wait).
	Extensions map[string]any
	Err        error // the cause, for logs; never shown to the caller
}

func (e *Error) Error() string { return e.Message }

func (e *Error) Unwrap() error { return e.Err }

// New returns an error of code with a message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// With adds an extension field.
func (e *Error) With(key string, value any) *Error {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions[key] = value
	return e
}

// Invalidf reports input that breaks a rule.
func Invalidf(format string, args ...any) *Error { return New(BadInput, format, args...) }

// Conflictf reports a request that clashes with the state of the data.
func Conflictf(format string, args ...any) *Error { return New(Conflict, format, args...) }

// NotFoundf reports a record that does not exist (or that the caller may not see).
func NotFoundf(format string, args ...any) *Error { return New(NotFound, format, args...) }

// Forbiddenf reports an action the caller may not take.
func Forbiddenf(format string, args ...any) *Error { return New(Forbidden, format, args...) }

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// CodeOf returns the code of err, or "" if it is not a caller's error.
func CodeOf(err error) Code {
	if e, ok := As(err); ok {
		return e.Code
	}
	return ""
}
