package activities_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/dealflow/dealflow/activities"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/worker"
	"github.com/dealflow/dealflow/workflows"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	sdkworker "go.temporal.io/sdk/worker"
)

// activityEnv runs activities as a dealflow worker does (worker.Options),
// through the SDK, on this package's database.
func activityEnv() (*testsuite.TestActivityEnvironment, *activities.Activities) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.SetWorkerOptions(worker.Options(sdkworker.Options{}))
	a := activities.New(testDB.Pool)
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
	e := activities.CycleEvent{CycleID: cycle, Seq: 1, Type: activities.CycleEventReviewOverdue, Actor: fin1,
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
	next := activities.Event{DealID: s.DealID, Seq: 2, Type: "withdrawn", From: domain.StatusSubmitted, To: domain.StatusWithdrawn,
		Actor: submitter, Reason: "gone\x00", OccurredAt: s.Event.OccurredAt.Add(time.Minute),
		Snapshot: snapshot(s.Registration, domain.StatusWithdrawn)}
	if _, err := env.ExecuteLocalActivity(a.RecordEvent, next); !refusedForGood(err) {
		t.Fatalf("NUL in a reason: %v", err)
	}
	if _, err := env.ExecuteActivity(a.RecordEvent, next); !refusedForGood(err) {
		t.Fatalf("NUL in a reason, as a regular activity: %v", err)
	}
}

// Classify makes non-retryable what no retry fixes, and only that.
func TestClassify(t *testing.T) {
	pg := func(code string) error {
		return fmt.Errorf("insert: %w", &pgconn.PgError{Code: code, Message: "refused"})
	}
	for _, c := range []struct {
		err     error
		attempt int32
		forGood bool
	}{
		{pg("22021"), 1, true},  // character not in repertoire (NUL)
		{pg("22P05"), 1, true},  // untranslatable character (\u0000 in jsonb)
		{pg("22003"), 1, true},  // numeric value out of range
		{pg("23502"), 1, true},  // not null
		{pg("23514"), 1, true},  // check
		{pg("23503"), 1, true},  // foreign key
		{pg("54000"), 1, true},  // program limit (index row too large)
		{pg("23505"), 1, false}, // unique: maybe a race the next attempt resolves
		{pg("23505"), 2, false},
		{pg("23505"), 3, true}, // seen again and again: not a race
		{pg("23P01"), 3, true},
		{pg("40001"), 9, false}, // serialization failure: a race
		{pg("40P01"), 9, false}, // deadlock
		{pg("08006"), 9, false}, // connection failure
		{pg("57P01"), 9, false}, // admin shutdown
		{errors.New("connection refused"), 9, false},
		{context.DeadlineExceeded, 9, false},
	} {
		got := activities.Classify(c.err, c.attempt)
		if refusedForGood(got) != c.forGood {
			t.Errorf("Classify(%v, attempt %d) = %v, want for good %v", c.err, c.attempt, got, c.forGood)
		}
		if !c.forGood && got != c.err {
			t.Errorf("Classify(%v) changed a retryable error into %v", c.err, got)
		}
	}
	nf := activities.NotFoundError("no line")
	if activities.Classify(nf, 1) != nf {
		t.Error("an error already classified is kept")
	}
	if activities.Classify(nil, 1) != nil {
		t.Error("nil is nil")
	}
}
