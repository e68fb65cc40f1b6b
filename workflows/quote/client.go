package quote

import (
	"context"
	"time"

	"github.com/dealflow/dealflow/workflows"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

// Client is how the API acts on quotes: it starts a quote's workflow and
// waits until it is priced and stored (Update-with-Start), sends its steps
// and waits for their outcome (a refusal comes back as one typed
// *workflows.Refusal), and asks a running quote for its state.
type Client struct {
	workflows.Conn
}

// NewClient returns a Client on c; each call waits at most timeout (0: as
// long as its context allows).
func NewClient(c client.Client, timeout time.Duration) *Client {
	return &Client{workflows.Conn{Temporal: c, Timeout: timeout}}
}

// Create starts quote in.QuoteID's workflow and waits until its first
// version is priced and stored; it returns the quote's state. Lines the
// catalog refuses come back as a *workflows.Refusal naming the line.
func (k *Client) Create(ctx context.Context, in Input) (State, error) {
	ctx, cancel := k.Bound(ctx)
	defer cancel()
	start := k.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID: WorkflowID(in.QuoteID), TaskQueue: workflows.TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, WorkflowType, in)
	h, err := k.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions:          client.UpdateWorkflowOptions{UpdateName: UpdateCreated, WaitForStage: client.WorkflowUpdateStageCompleted},
	})
	var st State
	if err == nil {
		err = h.Get(ctx, &st)
	}
	return st, workflows.AsTypedRefusal(err, "the quote takes no further steps")
}

// Step sends one step — the Update named update with its argument — to
// the quote's workflow and waits until it is recorded; it returns the
// quote's state.
func (k *Client) Step(ctx context.Context, quoteID, update string, arg any) (State, error) {
	ctx, cancel := k.Bound(ctx)
	defer cancel()
	var st State
	err := workflows.Update(ctx, k.Temporal, WorkflowID(quoteID), update, arg, &st, "the quote takes no further steps")
	return st, err
}

// Query returns the state of the quote's running workflow.
func (k *Client) Query(ctx context.Context, quoteID string) (State, error) {
	ctx, cancel := k.Bound(ctx)
	defer cancel()
	var st State
	err := workflows.Query(ctx, k.Temporal, WorkflowID(quoteID), QueryState, &st)
	return st, err
}
