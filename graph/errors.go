package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"entgo.io/ent/privacy"

	"sunlight/ent"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/vocab/money"
)

// presentError is the one place errors become GraphQL errors: each gets an
// extensions.code and a message the caller can act on; internal errors are
// logged and replaced by a generic message, so no SQL or stack reaches a
// client.
func presentError(ctx context.Context, err error) *gqlerror.Error {
	gqlErr := graphql.DefaultErrorPresenter(ctx, err)
	var already *gqlerror.Error
	if errors.As(err, &already) && already.Extensions["code"] != nil {
		return gqlErr
	}
	code, msg := classify(err)
	if code == "" {
		slog.ErrorContext(ctx, "internal error", "path", gqlErr.Path.String(), "err", err)
		code, msg = "INTERNAL_SERVER_ERROR", "internal error; it has been logged"
	}
	gqlErr.Message = msg
	if gqlErr.Extensions == nil {
		gqlErr.Extensions = map[string]any{}
	}
	gqlErr.Extensions["code"] = string(code)
	return gqlErr
}

func classify(err error) (fail.Code, string) {
	if e, ok := fail.As(err); ok {
		return e.Code, e.Message
	}
	switch {
	case errors.Is(err, privacy.Deny):
		return fail.Forbidden, denial(err)
	case errors.Is(err, money.ErrSyntax), errors.Is(err, calendar.ErrSyntax):
		return fail.BadInput, unwrapMessage(err)
	case ent.IsValidationError(err):
		var ve *ent.ValidationError
		errors.As(err, &ve)
		return fail.BadInput, fmt.Sprintf("invalid value for %s: %s", ve.Name, validationReason(ve))
	case ent.IsNotFound(err):
		return fail.NotFound, "no such record (it does not exist or you may not see it)"
	case ent.IsConstraintError(err):
		return constraint(err)
	}
	// gqlgen wraps every resolver error in a gqlerror: only one that wraps
	// nothing is gqlgen's own word on the input; the others are judged by
	// what they wrap, so a database failure stays an internal error.
	var gerr *gqlerror.Error
	if errors.As(err, &gerr) {
		if gerr.Err == nil {
			return fail.BadInput, gerr.Message
		}
		return classify(gerr.Err)
	}
	return "", ""
}

func unwrapMessage(err error) string {
	msg := err.Error()
	// gqlgen prefixes input errors with the argument path; keep the reason.
	if i := strings.LastIndex(msg, ": invalid"); i >= 0 {
		return msg[i+2:]
	}
	return msg
}

func validationReason(ve *ent.ValidationError) string {
	msg := ve.Unwrap().Error()
	switch {
	case strings.Contains(msg, "less than the required length"), strings.Contains(msg, "empty"):
		return "must not be empty"
	case strings.Contains(msg, "greater than the required length"):
		return "is too long"
	case strings.Contains(msg, "out of range"):
		return "is out of the allowed range"
	case strings.Contains(msg, "does not match"):
		return "has the wrong format"
	}
	return msg
}

// constraint tells a duplicate from a reference to nothing, in words.
func constraint(err error) (fail.Code, string) {
	msg := strings.ToLower(err.Error())
	switch {
	case strings.Contains(msg, "unique"), strings.Contains(msg, "duplicate key"):
		return fail.Conflict, "a record with the same unique key already exists (e.g. the same voucher number, contract code or name in this community)"
	case strings.Contains(msg, "foreign key"):
		return fail.BadInput, "a referenced record does not exist (check the IDs you passed)"
	}
	return fail.BadInput, "the change breaks a rule of the database"
}

// denial is the reason a privacy rule gave (privacy.Denyf wraps Deny with
// it), without the wrapping of the layers in between.
func denial(err error) string {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if errors.Unwrap(e) == privacy.Deny {
			return strings.TrimSuffix(e.Error(), ": "+privacy.Deny.Error())
		}
	}
	return "you may not do this"
}
