package notify

import (
	"context"

	"github.com/dealflow/dealflow/workflows"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

// Client starts the delivery and digest workflows.
type Client struct {
	temporal client.Client
}

// NewClient returns a Client on c.
func NewClient(c client.Client) *Client { return &Client{temporal: c} }

// EnsureEmail makes sure the e-mail delivery workflow runs: it starts it
// with in, or finds it running (USE_EXISTING), so every worker may call it
// at start-up; one that ended (failed, terminated) is started afresh.
func (k *Client) EnsureEmail(ctx context.Context, in Input) error {
	_, err := k.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: EmailWorkflowID, TaskQueue: workflows.TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, WorkflowType, in)
	return err
}

// EnsureDigest makes sure the daily digest workflow runs, as EnsureEmail
// does the delivery workflow. A running one keeps the hour and zone it was
// started with until its next day (it continues as new with its input);
// terminate it to apply new settings at once.
func (k *Client) EnsureDigest(ctx context.Context, in DigestInput) error {
	if _, err := in.Location(); err != nil {
		return err
	}
	_, err := k.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: DigestWorkflowID, TaskQueue: workflows.TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, DigestWorkflowType, in)
	return err
}

// DigestNow asks the digest workflow to send the current day's digests at
// once (each person's still once a day).
func (k *Client) DigestNow(ctx context.Context) error {
	return k.temporal.SignalWorkflow(ctx, DigestWorkflowID, "", SignalDigestNow, nil)
}
