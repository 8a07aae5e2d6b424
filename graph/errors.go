package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"entgo.io/ent/privacy"

	"sunlight/ent"
	"sunlight/internal/storage/dberr"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/vocab/money"
	"sunlight/internal/vocab/text"
)

// presentError is the one place errors become GraphQL errors: each gets an
// extensions.code of package fail and a message the caller can act on;
// internal errors are logged and replaced by a generic message, so no SQL or
// stack reaches a client. server.go installs it as presentLimitError.
func presentError(ctx context.Context, err error) *gqlerror.Error {
	gqlErr := graphql.DefaultErrorPresenter(ctx, err)
	var already *gqlerror.Error
	if errors.As(err, &already) && already.Extensions["code"] != nil {
		return gqlErr
	}
	code, msg, ext := classify(err)
	if code == "" && isArgumentError(ctx, gqlErr) {
		// An argument gqlgen could not unmarshal (a malformed cursor, say):
		// the caller's input, reported at the field that takes it.
		code, msg = fail.BadInput, fmt.Sprintf("invalid value for argument %s: %s", gqlErr.Path[len(gqlErr.Path)-1], unwrapMessage(gqlErr.Err))
	}
	switch code {
	case "":
		slog.ErrorContext(ctx, "internal error", "path", gqlErr.Path.String(), "err", err)
		code, msg = fail.Internal, "internal error; it has been logged"
	case fail.Unavailable:
		slog.WarnContext(ctx, "database unavailable", "path", gqlErr.Path.String(), "err", err)
	}
	gqlErr.Message = msg
	if gqlErr.Extensions == nil {
		gqlErr.Extensions = map[string]any{}
	}
	for k, v := range ext {
		gqlErr.Extensions[k] = v
	}
	gqlErr.Extensions["code"] = string(code)
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		if isArgumentPath(fc, gqlErr.Path) {
			gqlErr.Path = fc.Path()
		}
		// Every error of a field says where the field is in the document.
		if len(gqlErr.Locations) == 0 && len(gqlErr.Path) > 0 && fc.Field.Field != nil && fc.Field.Position != nil {
			gqlErr.Locations = []gqlerror.Location{{Line: fc.Field.Position.Line, Column: fc.Field.Position.Column}}
		}
	}
	return gqlErr
}

// presentLimitError is the name server.go installs the presenter by.
var presentLimitError = presentError

// isArgumentError tells an error gqlgen raised unmarshalling an argument of
// the field of ctx: its path is the field's path and the argument's name.
func isArgumentError(ctx context.Context, e *gqlerror.Error) bool {
	fc := graphql.GetFieldContext(ctx)
	return fc != nil && e.Err != nil && isArgumentPath(fc, e.Path)
}

func isArgumentPath(fc *graphql.FieldContext, p ast.Path) bool {
	field := fc.Path()
	if len(p) != len(field)+1 || fc.Field.Field == nil || fc.Field.Definition == nil {
		return false
	}
	for i := range field {
		if p[i] != field[i] {
			return false
		}
	}
	name, ok := p[len(p)-1].(ast.PathName)
	return ok && fc.Field.Definition.Arguments.ForName(string(name)) != nil
}

func classify(err error) (fail.Code, string, map[string]any) {
	if e, ok := fail.As(err); ok {
		return e.Code, e.Message, e.Extensions
	}
	switch {
	case errors.Is(err, privacy.Deny):
		return fail.Forbidden, denial(err), nil
	case errors.Is(err, money.ErrSyntax), errors.Is(err, calendar.ErrSyntax):
		return fail.BadInput, unwrapMessage(err), nil
	case ent.IsValidationError(err):
		var ve *ent.ValidationError
		errors.As(err, &ve)
		return fail.BadInput, fmt.Sprintf("invalid value for %s: %s", ve.Name, validationReason(ve)), nil
	case ent.IsNotFound(err):
		return fail.NotFound, "no such record (it does not exist or you may not see it)", nil
	}
	switch dberr.Classify(err) {
	case dberr.Unique:
		return fail.Conflict, "a record with the same unique key already exists (e.g. the same voucher number, contract code or name in this community)", nil
	case dberr.Reference:
		return fail.BadInput, "a referenced record does not exist (check the IDs you passed)", nil
	case dberr.Text:
		return fail.BadInput, "the text holds a character the database cannot store (U+0000, NUL); send text without control characters", nil
	case dberr.Rule:
		return fail.BadInput, "the change breaks a rule of the database", nil
	case dberr.Down, dberr.Busy:
		return fail.Unavailable, fmt.Sprintf("the database is not answering; retry in %d s", fail.RetryAfterSeconds),
			map[string]any{"retryAfterSeconds": fail.RetryAfterSeconds}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		// Whether the query was too large or the database stalled is the
		// HTTP edge's call (it asks the database); here, only the fact.
		return fail.Timeout, "the request ran out of time and was stopped", nil
	}
	// gqlgen wraps every resolver error in a gqlerror: only one that wraps
	// nothing is gqlgen's own word on the input; the others are judged by
	// what they wrap, so a database failure stays an internal error.
	var gerr *gqlerror.Error
	if errors.As(err, &gerr) {
		if gerr.Err == nil {
			return fail.BadInput, gerr.Message, nil
		}
		return classify(gerr.Err)
	}
	return "", "", nil
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
	var refused *text.Refusal
	if errors.As(ve, &refused) {
		return refused.Reason
	}
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
