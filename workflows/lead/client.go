package lead

import (
	"context"
	"errors"
	"time"

	"github.com/dealflow/dealflow/workflows"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
)

// Client is how the API acts on leads: it starts a lead's workflow and
// sends partners' steps, each answered synchronously or refused with a
// *workflows.Refusal. Reads go to the PostgreSQL projection.
type Client struct {
	workflows.Conn
}

// NewClient returns a Client on c; each call waits at most timeout (0: as
// long as its context allows).
func NewClient(c client.Client, timeout time.Duration) *Client {
	return &Client{workflows.Conn{Temporal: c, Timeout: timeout}}
}

// Create starts the lead's workflow and, in the same call
// (Update-with-Start), waits until the lead is recorded and first routed.
// A lead id already started is joined (USE_EXISTING), so retrying an
// import starts nothing twice.
func (k *Client) Create(ctx context.Context, in Input) (State, error) {
	ctx, cancel := k.Bound(ctx)
	defer cancel()
	start := k.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID: WorkflowID(in.LeadID), TaskQueue: workflows.TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
	}, WorkflowType, in)
	h, err := k.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions:          client.UpdateWorkflowOptions{UpdateName: UpdateRouted, WaitForStage: client.WorkflowUpdateStageCompleted},
	})
	var st State
	if err == nil {
		err = h.Get(ctx, &st)
	}
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return State{}, ErrCompleted
	}
	return st, err
}

// ErrCompleted is Create's answer when the lead's workflow has run to its
// end already (an import sent again long after): its record answers.
var ErrCompleted = errors.New("the lead's workflow has completed; its record answers")

// Step sends a partner's step (UpdateAccept, UpdateDecline,
// UpdateContacted) to the lead's workflow and waits until it is recorded.
func (k *Client) Step(ctx context.Context, leadID, update string, s Step) (State, error) {
	ctx, cancel := k.Bound(ctx)
	defer cancel()
	var st State
	err := workflows.Update(ctx, k.Temporal, WorkflowID(leadID), update, s, &st, "the lead takes no further steps")
	return st, err
}

// Manage sends a channel manager's step (UpdateReoffer, UpdateAssign,
// UpdateClose, UpdateConvert) and waits until it is recorded. A lead whose
// workflow has ended (queued) takes it in a new run of the same workflow
// id, started from in.Resume in the same call (Update-with-Start); one
// still running (in.Resume nil, or the run not yet ended) takes it as it is.
func (k *Client) Manage(ctx context.Context, in Input, update string, m Manage) (State, error) {
	ctx, cancel := k.Bound(ctx)
	defer cancel()
	var st State
	if in.Resume == nil {
		err := workflows.Update(ctx, k.Temporal, WorkflowID(in.LeadID), update, m, &st, "the lead takes no further steps")
		return st, err
	}
	start := k.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID: WorkflowID(in.LeadID), TaskQueue: workflows.TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, WorkflowType, in)
	h, err := k.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions:          client.UpdateWorkflowOptions{UpdateName: update, Args: []any{m}, WaitForStage: client.WorkflowUpdateStageCompleted},
	})
	if err == nil {
		err = h.Get(ctx, &st)
	}
	return st, workflows.AsTypedRefusal(err, "the lead takes no further steps")
}
