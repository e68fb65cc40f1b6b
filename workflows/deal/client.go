package deal

import (
	"context"
	"errors"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/google/uuid"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// Client is how the API and the console act on deal registrations: it
// owns Update-with-Start, update-and-wait and the mapping of what the
// workflow answers to one typed refusal (*workflows.Refusal). Reads go to
// the PostgreSQL projection, not through it.
type Client struct {
	workflows.Conn
}

// NewClient returns a Client on c; each call waits at most timeout (0: as
// long as its context allows).
func NewClient(c client.Client, timeout time.Duration) *Client {
	return &Client{workflows.Conn{Temporal: c, Timeout: timeout}}
}

// idempotencyNamespace derives a deal's id from its partner and
// Idempotency-Key, so a retried submission names the same deal and workflow.
var idempotencyNamespace = uuid.MustParse("6b0c3f0e-4d1c-5b7a-9a57-1f3f3c0e2d11")

// IdempotentID is the id of the deal partnerID registers under its
// idempotency key: the same for every retry of the submission.
func IdempotentID(partnerID, key string) uuid.UUID {
	return uuid.NewSHA1(idempotencyNamespace, []byte(partnerID+"\x00"+key))
}

// ErrCompleted is Submit's answer when the deal's workflow has run to its
// end already: a submission repeated long after its deal was taken in. The
// caller answers from the deal's record.
var ErrCompleted = errors.New("the deal's workflow has completed; its record answers")

// Submit registers in (whose DealID is set): it starts the deal's workflow
// and, in the same call (Update-with-Start), waits until the workflow has
// persisted and screened the registration, and returns its state. With an
// idempotency key a running workflow of the same id is joined, not started
// twice; a run of that id that failed (or was terminated, cancelled or
// timed out) does not poison the key: a fresh run takes the deal in (its
// recording is idempotent, so whatever the failed run wrote is found in
// place). A run that completed answers ErrCompleted; a workflow the key
// started for another request (another RequestHash) refuses with
// workflows.ErrTypeKeyReused.
func (k *Client) Submit(ctx context.Context, in Input) (State, error) {
	ctx, cancel := k.Bound(ctx)
	defer cancel()
	conflict, reuse := enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL, enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE
	if in.IdempotencyKey != "" {
		conflict, reuse = enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING, enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY
	}
	start := k.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       WorkflowID(in.DealID),
		TaskQueue:                workflows.TaskQueue,
		WorkflowIDConflictPolicy: conflict,
		WorkflowIDReusePolicy:    reuse,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			SearchDealStatus.ValueSet(string(domain.StatusSubmitted)),
			SearchDealPartnerID.ValueSet(in.PartnerID),
			SearchDealAmount.ValueSet(in.Registration.Amount),
			SearchDealCurrency.ValueSet(in.Registration.Currency),
		),
	}, WorkflowType, in)
	handle, err := k.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions:          client.UpdateWorkflowOptions{UpdateName: UpdateSubmitted, WaitForStage: client.WorkflowUpdateStageCompleted},
	})
	var state State
	if err == nil {
		err = handle.Get(ctx, &state)
	}
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case errors.As(err, &started):
		return State{}, ErrCompleted
	case err != nil && k.refusedAtIntake(ctx, in.DealID):
		return State{}, &workflows.Refusal{Kind: workflows.ErrTypeInvalidArgument, Message: UnstorableRegistration}
	case err != nil:
		return State{}, err
	case state.RequestHash != in.RequestHash:
		return state, &workflows.Refusal{Kind: workflows.ErrTypeKeyReused,
			Message: "this idempotency key registered a deal with another request"}
	}
	return state, nil
}

// UnstorableRegistration says why a registration PostgreSQL refused for
// good is not taken, without the database's words.
const UnstorableRegistration = "this registration's data cannot be stored; correct it and send it again"

// refusedAtIntake says whether the deal's run failed at intake because
// PostgreSQL refused its data for good (workflows.ErrTypeInvalidData): a
// registration the client must correct, not a backing service to wait
// for. The Update reports only that the run ended first, so the run's own
// outcome is read. A failed run does not poison the key (Submit).
func (k *Client) refusedAtIntake(ctx context.Context, dealID string) bool {
	id := WorkflowID(dealID)
	d, err := k.Temporal.DescribeWorkflowExecution(ctx, id, "")
	if err != nil || d.GetWorkflowExecutionInfo().GetStatus() != enums.WORKFLOW_EXECUTION_STATUS_FAILED {
		return false
	}
	var app *temporal.ApplicationError
	err = k.Temporal.GetWorkflow(ctx, id, d.GetWorkflowExecutionInfo().GetExecution().GetRunId()).Get(ctx, nil)
	return errors.As(err, &app) && app.Type() == workflows.ErrTypeInvalidData
}

// Step sends one human step — the Update named update (UpdateApprove,
// UpdateCloseWon, ...) with its argument — to the deal's workflow
// (workflowID, as recorded with the deal) and waits until the step is
// recorded; it returns the deal's state. A step the workflow refuses comes
// back as a *workflows.Refusal, as does a deal whose workflow has ended
// (workflows.ErrTypeFinished).
func (k *Client) Step(ctx context.Context, workflowID, update string, arg any) (State, error) {
	ctx, cancel := k.Bound(ctx)
	defer cancel()
	var st State
	err := workflows.Update(ctx, k.Temporal, workflowID, update, arg, &st, "the deal takes no further steps")
	return st, err
}

// Query returns the state of the deal's running workflow.
func (k *Client) Query(ctx context.Context, workflowID string) (State, error) {
	ctx, cancel := k.Bound(ctx)
	defer cancel()
	var st State
	err := workflows.Query(ctx, k.Temporal, workflowID, QueryState, &st)
	return st, err
}
