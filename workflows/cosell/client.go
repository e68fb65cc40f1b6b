package cosell

import (
	"context"
	"errors"
	"time"

	"github.com/dealflow/dealflow/workflows"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
)

// Client is how the API acts on co-sell engagements: it starts an
// engagement (Update-with-Start: the answer is the routed request) and
// sends steps, mapping what the workflow answers to one typed refusal
// (*workflows.Refusal). Reads go to the PostgreSQL projection.
type Client struct {
	workflows.Conn
}

// NewClient returns a Client on c; each call waits at most timeout (0: as
// long as its context allows).
func NewClient(c client.Client, timeout time.Duration) *Client {
	return &Client{workflows.Conn{Temporal: c, Timeout: timeout}}
}

// Request starts the engagement in on its deal and waits until the request
// is recorded and routed; it returns the engagement's state. While another
// engagement on the same deal is open, it refuses with
// workflows.ErrTypeAlreadyExists; a declined or ended one leaves room for
// a new request.
func (k *Client) Request(ctx context.Context, in Input) (State, error) {
	ctx, cancel := k.Bound(ctx)
	defer cancel()
	start := k.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       WorkflowID(in.DealID),
		TaskQueue:                workflows.TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, WorkflowType, in)
	handle, err := k.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions:          client.UpdateWorkflowOptions{UpdateName: UpdateStarted, WaitForStage: client.WorkflowUpdateStageCompleted},
	})
	var st State
	if err == nil {
		err = handle.Get(ctx, &st)
	}
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return State{}, &workflows.Refusal{Kind: workflows.ErrTypeAlreadyExists,
			Message: "a co-sell request on this deal is open already"}
	}
	return st, err
}

// Step sends one human step — the Update named update (UpdateAccept,
// UpdateAddMilestone, ...) with its argument — to the engagement on deal
// dealID and waits until it is recorded; it returns the engagement's state.
func (k *Client) Step(ctx context.Context, dealID, update string, arg any) (State, error) {
	ctx, cancel := k.Bound(ctx)
	defer cancel()
	var st State
	err := workflows.Update(ctx, k.Temporal, WorkflowID(dealID), update, arg, &st, "the engagement takes no further steps")
	return st, err
}

// DealEnded tells the engagement on a deal (if one runs) that the deal
// ended; for operators and tests (the deal's workflow signals it itself).
func (k *Client) DealEnded(ctx context.Context, e DealEnded) error {
	ctx, cancel := k.Bound(ctx)
	defer cancel()
	return k.Temporal.SignalWorkflow(ctx, WorkflowID(e.DealID), "", SignalDealEnded, e)
}
