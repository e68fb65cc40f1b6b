package incentive_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dealflow/dealflow/activities/incentive"
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
func activityEnv() (*testsuite.TestActivityEnvironment, *incentive.Activities) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.SetWorkerOptions(worker.Options(sdkworker.Options{}))
	a := incentive.New(testDB.Pool)
	env.RegisterActivity(a)
	return env, a
}

// refusedForGood reports whether err is the non-retryable InvalidData
// error a workflow turns into a refused step.
func refusedForGood(err error) bool {
	var app *temporal.ApplicationError
	return errors.As(err, &app) && app.NonRetryable() && app.Type() == workflows.ErrTypeInvalidData
}

// A review event whose reason PostgreSQL refuses (a NUL: SQLSTATE 22021)
// fails once, non-retryable, with the InvalidData type the cycle workflow
// turns into a refused step, and writes nothing; the same event with a
// clean reason is then recorded (finding 1 of issue 12: RecordCycleEvent
// retried for ever, holding the cycle's lock).
func TestRecordCycleEventRefusesNULForGood(t *testing.T) {
	env, a := activityEnv()
	w := newWorld(t, testDB.Pool, 1)
	prog := w.program(domain.IncentiveRebate, `{"mode":"retroactive","tiers":[{"above":0,"rate_bp":500}]}`, "2031-01-01")
	cycle := w.open(a, prog, "2031-01-01", "2031-02-01")
	e := incentive.CycleEvent{CycleID: cycle, Seq: 1, Type: domain.CycleEventReviewOverdue, Actor: fin1,
		Reason: "x\x00", OccurredAt: time.Date(2031, 2, 9, 2, 0, 0, 0, time.UTC)}
	_, err := env.ExecuteActivity(a.RecordCycleEvent, e)
	if !refusedForGood(err) {
		t.Fatalf("NUL reason: %v, want a non-retryable %s error", err, workflows.ErrTypeInvalidData)
	}
	events, err := dbq.New(testDB.Pool).CycleEvents(context.Background(), uuid.MustParse(cycle))
	if err != nil || len(events) != 0 {
		t.Fatalf("events after the refusal: %v %v", events, err)
	}
	e.Reason = "not approved within 168h0m0s"
	if _, err := env.ExecuteActivity(a.RecordCycleEvent, e); err != nil {
		t.Fatalf("clean reason: %v", err)
	}
}
