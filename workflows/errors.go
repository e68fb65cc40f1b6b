package workflows

import (
	"errors"

	"go.temporal.io/sdk/temporal"
)

// Kinds of error: the type of the temporal.ApplicationError a workflow
// refuses a step with, or an activity fails with when no retry can help.
// Each is declared here once; workflows, activities, typed clients and the
// API's one error mapping switch on them.
const (
	// ErrTypeInvalidTransition: the state does not allow the step (a deal's
	// status, a cycle not in review, accruing a cycle not frozen).
	ErrTypeInvalidTransition = "InvalidTransition"
	// ErrTypeForbidden: the actor's role or organization may not take it.
	ErrTypeForbidden = "Forbidden"
	// ErrTypeFourEyes: the same person cannot approve twice, or approve
	// what they adjusted.
	ErrTypeFourEyes = "FourEyes"
	// ErrTypeLimitReached: a policy limit, such as the number of extensions.
	ErrTypeLimitReached = "LimitReached"
	// ErrTypeInvalidArgument: the step's data is unusable (a cycle's
	// period, a program's rules that no longer parse, an amount out of
	// range); it may name the field (FieldRefusal).
	ErrTypeInvalidArgument = "InvalidArgument"
	// ErrTypeNotFound: what the step names does not exist, such as a
	// statement line not in the cycle or an unknown program.
	ErrTypeNotFound = "NotFound"
	// ErrTypeAlreadyExists: what the step creates exists already (a
	// program's cycle for the period).
	ErrTypeAlreadyExists = "AlreadyExists"
	// ErrTypeFinished: the workflow a step is sent to has ended and takes
	// no further steps (a typed client's refusal).
	ErrTypeFinished = "Finished"
	// ErrTypeKeyReused: an idempotency key that started a workflow is
	// sent again with another request (a typed client's refusal).
	ErrTypeKeyReused = "IdempotencyKeyReused"
	// ErrTypeInvalidData: PostgreSQL refused an activity's data for good (a
	// NUL in a text, a value out of range, a check, not-null, foreign-key
	// or unique constraint that is not a race), or its input cannot be
	// read. A workflow turns it into an ErrTypeInvalidArgument refusal
	// (Unstorable).
	ErrTypeInvalidData = "InvalidData"
)

// FieldRefusal names the field of a step's argument that an
// ErrTypeInvalidArgument refusal is about (the error's details), so the API
// can answer with per-field errors.
type FieldRefusal struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Refuse refuses a step: a non-retryable application error of kind typ.
func Refuse(typ, msg string) error {
	return temporal.NewApplicationErrorWithOptions(msg, typ, temporal.ApplicationErrorOptions{NonRetryable: true})
}

// RefuseField refuses a step's argument for what is wrong with one field,
// named in the error's details for per-field answers.
func RefuseField(field, msg string) error {
	return temporal.NewApplicationErrorWithOptions(field+": "+msg, ErrTypeInvalidArgument,
		temporal.ApplicationErrorOptions{NonRetryable: true, Details: []any{FieldRefusal{Field: field, Message: msg}}})
}

// Unstorable turns an activity's ErrTypeInvalidData — PostgreSQL refused
// the step's data for good, and retrying would never end — into a refusal
// of the step as invalid (422 to its caller). The step changed nothing:
// the state moves only once its event is stored. Other errors pass as
// they are.
func Unstorable(err error) error {
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.Type() == ErrTypeInvalidData {
		return Refuse(ErrTypeInvalidArgument, "this step's data cannot be stored; nothing changed")
	}
	return err
}

// FirstErr returns the first refusal, unwrapped, so its type reaches the caller.
func FirstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
