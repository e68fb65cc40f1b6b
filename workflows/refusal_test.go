package workflows

import (
	"errors"
	"testing"

	"go.temporal.io/api/serviceerror"
)

// What a workflow answers a step becomes one typed refusal: its kind, its
// message and the field it names; a workflow that has ended is
// ErrTypeFinished; anything else passes as it is.
func TestRefusalOfWhatTheWorkflowAnswered(t *testing.T) {
	r, ok := AsRefusal(refusal(RefuseField("close_date", "must be a date"), "ended"))
	if !ok || r.Kind != ErrTypeInvalidArgument || r.Message != "close_date: must be a date" || r.Field == nil || r.Field.Field != "close_date" {
		t.Fatalf("field refusal: %+v", r)
	}
	r, ok = AsRefusal(refusal(Refuse(ErrTypeFourEyes, "someone else"), "ended"))
	if !ok || r.Kind != ErrTypeFourEyes || r.Field != nil {
		t.Fatalf("four eyes: %+v", r)
	}
	r, ok = AsRefusal(refusal(serviceerror.NewNotFound("workflow execution already completed"), "the deal takes no further steps"))
	if !ok || r.Kind != ErrTypeFinished || r.Message != "the deal takes no further steps" {
		t.Fatalf("ended: %+v", r)
	}
	down := errors.New("connection refused")
	if err := refusal(down, "ended"); err != down {
		t.Fatalf("a failure became %v", err)
	}
}
