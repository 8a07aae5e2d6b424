// Package fail is the vocabulary of errors a caller can act on. Domain code
// returns a *fail.Error with a code and a message in the caller's terms; the
// GraphQL layer maps codes to extensions.code in one place (graph/errors.go).
package fail

import (
	"errors"
	"fmt"
)

// Code classifies an error for the caller. The values are the GraphQL
// extensions.code strings of the design.
type Code string

// The codes of the API.
const (
	BadInput        Code = "BAD_USER_INPUT"
	NotFound        Code = "NOT_FOUND"
	Conflict        Code = "CONFLICT"
	Forbidden       Code = "FORBIDDEN"
	Unauthenticated Code = "UNAUTHENTICATED"
)

// Error is an error the caller caused and can correct.
type Error struct {
	Code    Code
	Message string
	Err     error // the cause, for logs; never shown to the caller
}

func (e *Error) Error() string { return e.Message }

func (e *Error) Unwrap() error { return e.Err }

func newf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalidf reports input that breaks a rule.
func Invalidf(format string, args ...any) *Error { return newf(BadInput, format, args...) }

// Conflictf reports a request that clashes with the state of the data.
func Conflictf(format string, args ...any) *Error { return newf(Conflict, format, args...) }

// NotFoundf reports a record that does not exist (or that the caller may not see).
func NotFoundf(format string, args ...any) *Error { return newf(NotFound, format, args...) }

// Forbiddenf reports an action the caller may not take.
func Forbiddenf(format string, args ...any) *Error { return newf(Forbidden, format, args...) }

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
