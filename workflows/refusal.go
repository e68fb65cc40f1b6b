package workflows

import (
	"context"
	"errors"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// Refusal is how typed clients report a step, start or submission refused:
// its kind (ErrTypeInvalidTransition, ErrTypeFourEyes, ErrTypeFinished,
// ...), the workflow's message and, when the refusal is about one field of
// the step's argument, that field. The API maps each kind to one HTTP
// answer for every context; the console shows the message.
type Refusal struct {
	Kind    string
	Message string
	// Field is the field an ErrTypeInvalidArgument refusal is about (nil:
	// none named).
	Field *FieldRefusal
}

// Error is the refusal's message.
func (r *Refusal) Error() string { return r.Message }

// AsRefusal returns the refusal err carries, if it carries one.
func AsRefusal(err error) (*Refusal, bool) {
	var r *Refusal
	ok := errors.As(err, &r)
	return r, ok
}

// RefusedField returns the field a refused step named, if it named one.
func RefusedField(err error) (FieldRefusal, bool) {
	var appErr *temporal.ApplicationError
	var f FieldRefusal
	if !errors.As(err, &appErr) || !appErr.HasDetails() || appErr.Details(&f) != nil || f.Field == "" {
		return FieldRefusal{}, false
	}
	return f, true
}

// refusal turns what a workflow answered a step into a *Refusal: any
// application error it raised (its type is the kind), and a workflow that
// has ended (ErrTypeFinished, with the message finished). Anything else —
// Temporal unreachable, a timeout — is returned as it is.
func refusal(err error, finished string) error {
	var appErr *temporal.ApplicationError
	var notFound *serviceerror.NotFound
	switch {
	case err == nil:
		return nil
	case errors.As(err, &appErr):
		r := &Refusal{Kind: appErr.Type(), Message: appErr.Message()}
		if f, ok := RefusedField(appErr); ok {
			r.Field = &f
		}
		return r
	case errors.As(err, &notFound):
		return &Refusal{Kind: ErrTypeFinished, Message: finished}
	}
	return err
}

// Query asks workflow workflowID's query named query and decodes its
// answer into out.
func Query(ctx context.Context, c client.Client, workflowID, query string, out any) error {
	v, err := c.QueryWorkflow(ctx, workflowID, "", query)
	if err != nil {
		return err
	}
	return v.Get(out)
}

// Update sends a step — the Update named update, with arg — to workflow
// workflowID, waits until the workflow has applied it and decodes the
// state it answers with into out (nil: not read). A refused step comes
// back as a *Refusal (finished is the message when the workflow has
// ended); typed clients send every step through it.
func Update(ctx context.Context, c client.Client, workflowID, update string, arg, out any, finished string) error {
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: workflowID, UpdateName: update,
		WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{arg}})
	if err == nil {
		err = h.Get(ctx, out)
	}
	return refusal(err, finished)
}

// AsTypedRefusal is refusal for typed clients outside this package that
// call Temporal themselves (Update-with-Start): it turns what a workflow
// answered into a *Refusal, or returns err as it is.
func AsTypedRefusal(err error, finished string) error { return refusal(err, finished) }
