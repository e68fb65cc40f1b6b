package activities_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/dealflow/dealflow/activities"
	"github.com/dealflow/dealflow/workflows"
	"github.com/jackc/pgx/v5/pgconn"
	"go.temporal.io/sdk/temporal"
)

// refusedForGood reports whether err is the non-retryable InvalidData
// error a workflow turns into a refused step.
func refusedForGood(err error) bool {
	var app *temporal.ApplicationError
	return errors.As(err, &app) && app.NonRetryable() && app.Type() == workflows.ErrTypeInvalidData
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
