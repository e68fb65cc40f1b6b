package deal_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dealflow/dealflow/activities/deal"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/worker"
	"github.com/dealflow/dealflow/workflows"
	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	sdkworker "go.temporal.io/sdk/worker"
)

// activityEnv runs activities as a dealflow worker does (worker.Options),
// through the SDK, on this package's database.
func activityEnv() (*testsuite.TestActivityEnvironment, *deal.Activities) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.SetWorkerOptions(worker.Options(sdkworker.Options{}))
	a := deal.New(testDB.Pool)
	env.RegisterActivity(a)
	return env, a
}

// refusedForGood reports whether err is the non-retryable InvalidData
// error a workflow turns into a refused step.
func refusedForGood(err error) bool {
	var app *temporal.ApplicationError
	return errors.As(err, &app) && app.NonRetryable() && app.Type() == workflows.ErrTypeInvalidData
}

// A deal's submission and its later events are refused the same way: the
// deal's row and events are not written.
func TestRecordDealRefusesNULForGood(t *testing.T) {
	env, a := activityEnv()
	partnerID, submitter := fixture(t)
	s := submission(partnerID, submitter, time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC))
	s.Registration.Notes = "a\x00b"
	s.Event.Snapshot = snapshot(s.Registration, domain.StatusSubmitted)
	if _, err := env.ExecuteLocalActivity(a.RecordSubmission, s); !refusedForGood(err) {
		t.Fatalf("NUL in notes: %v, want a non-retryable %s error", err, workflows.ErrTypeInvalidData)
	}
	if _, err := dbq.New(testDB.Pool).DealGet(context.Background(), dbq.DealGetParams{ID: uuid.MustParse(s.DealID)}); err == nil {
		t.Fatal("the refused deal was written")
	}
	s.Registration.Notes = "a b"
	s.Event.Snapshot = snapshot(s.Registration, domain.StatusSubmitted)
	if _, err := env.ExecuteLocalActivity(a.RecordSubmission, s); err != nil {
		t.Fatal(err)
	}
	next := deal.Event{DealID: s.DealID, Seq: 2, Type: "withdrawn", From: domain.StatusSubmitted, To: domain.StatusWithdrawn,
		Actor: submitter, Reason: "gone\x00", OccurredAt: s.Event.OccurredAt.Add(time.Minute),
		Snapshot: snapshot(s.Registration, domain.StatusWithdrawn)}
	if _, err := env.ExecuteLocalActivity(a.RecordEvent, next); !refusedForGood(err) {
		t.Fatalf("NUL in a reason: %v", err)
	}
	if _, err := env.ExecuteActivity(a.RecordEvent, next); !refusedForGood(err) {
		t.Fatalf("NUL in a reason, as a regular activity: %v", err)
	}
}
