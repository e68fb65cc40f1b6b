package webhook

import (
	"context"
	"errors"

	"github.com/dealflow/dealflow/workflows"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
)

// Client starts subscriptions' delivery workflows and asks them to replay.
type Client struct {
	temporal client.Client
}

// NewClient returns a Client on c.
func NewClient(c client.Client) *Client { return &Client{temporal: c} }

func startOptions(subscriptionID string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID: WorkflowID(subscriptionID), TaskQueue: workflows.TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}
}

// Ensure makes sure the subscription's delivery workflow runs: started,
// or found running (USE_EXISTING), so the API (on creation or
// re-enabling) and every worker at start-up may call it; a fresh one
// resumes from the delivery log, which holds what was delivered.
func (k *Client) Ensure(ctx context.Context, subscriptionID string) error {
	_, err := k.temporal.ExecuteWorkflow(ctx, startOptions(subscriptionID), WorkflowType, Input{SubscriptionID: subscriptionID})
	return err
}

// Replay asks the subscription's workflow to deliver again every event
// from fromID on (starting it if it does not run).
func (k *Client) Replay(ctx context.Context, subscriptionID string, fromID int64) error {
	_, err := k.temporal.SignalWithStartWorkflow(ctx, WorkflowID(subscriptionID), SignalReplay, fromID,
		startOptions(subscriptionID), WorkflowType, Input{SubscriptionID: subscriptionID})
	return err
}

// Stop ends the subscription's workflow (it was deleted); one that does
// not run is no error.
func (k *Client) Stop(ctx context.Context, subscriptionID string) error {
	err := k.temporal.CancelWorkflow(ctx, WorkflowID(subscriptionID), "")
	if err != nil && isNotFound(err) {
		return nil
	}
	return err
}

func isNotFound(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}
