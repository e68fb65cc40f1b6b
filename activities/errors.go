package activities

import (
	"context"
	"errors"
	"fmt"

	"github.com/dealflow/dealflow/workflows"
	"github.com/jackc/pgx/v5/pgconn"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
)

// Activity failures that no retry can fix are non-retryable
// temporal.ApplicationErrors of one of the kinds declared once in package
// workflows (workflows.ErrTypeNotFound, workflows.ErrTypeInvalidData, ...),
// whatever the retry policy says; workflows switch on the kind (a step is
// refused, a run fails cleanly) instead of retrying for ever.

// NotFoundError returns a non-retryable workflows.ErrTypeNotFound error.
func NotFoundError(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), workflows.ErrTypeNotFound, nil)
}

// InvalidDataError returns a non-retryable workflows.ErrTypeInvalidData error.
func InvalidDataError(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), workflows.ErrTypeInvalidData, nil)
}

// raceAttempts is the attempt from which a unique or exclusion violation
// counts as a fact rather than a race: two writers of the same idempotent
// step can collide once, and the next attempt finds the other's row and
// changes nothing; a violation seen again on a later attempt will be seen
// on every one.
const raceAttempts = 3

// Classify returns err as a non-retryable workflows.ErrTypeInvalidData
// error when PostgreSQL refused the data in a way a retry cannot fix: a data exception
// (SQLSTATE class 22: a NUL or invalid UTF-8 in a text, a value out of
// range, an invalid date), a not-null (23502), check (23514) or
// foreign-key (23503) violation, a program limit such as a key too long to
// index (class 54), or a unique (23505) or exclusion (23P01) violation from
// the attempt-th attempt on (raceAttempts). Anything else — a connection
// lost, a serialization failure or deadlock, a timeout, an error already
// classified — is returned as it is, for the retry policy to retry.
func Classify(err error, attempt int32) error {
	var pgErr *pgconn.PgError
	var appErr *temporal.ApplicationError
	if err == nil || errors.As(err, &appErr) || !errors.As(err, &pgErr) {
		return err
	}
	switch code := pgErr.Code; {
	case len(code) == 5 && (code[:2] == "22" || code[:2] == "54"),
		code == "23502", code == "23514", code == "23503",
		(code == "23505" || code == "23P01") && attempt >= raceAttempts:
	default:
		return err
	}
	msg := fmt.Sprintf("PostgreSQL refused the data for good (SQLSTATE %s): %s", pgErr.Code, pgErr.Message)
	if pgErr.ConstraintName != "" {
		msg += " (constraint " + pgErr.ConstraintName + ")"
	}
	return temporal.NewNonRetryableApplicationError(msg, workflows.ErrTypeInvalidData, err)
}

// ClassifyErrors is the worker interceptor that passes every activity's
// error, local or not, through Classify, so that no activity — those of
// today and any added later — retries for ever a write PostgreSQL will
// never take. worker.Options installs it.
type ClassifyErrors struct {
	interceptor.WorkerInterceptorBase
}

// InterceptActivity wraps one activity's execution.
func (*ClassifyErrors) InterceptActivity(_ context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	i := &classifyingActivity{}
	i.Next = next
	return i
}

type classifyingActivity struct {
	interceptor.ActivityInboundInterceptorBase
}

func (i *classifyingActivity) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	res, err := i.Next.ExecuteActivity(ctx, in)
	if err != nil {
		err = Classify(err, activity.GetInfo(ctx).Attempt)
	}
	return res, err
}
