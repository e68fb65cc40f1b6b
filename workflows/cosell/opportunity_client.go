package cosell

import (
	"context"
	"errors"

	"github.com/dealflow/dealflow/workflows"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
)

// Share starts the SharedOpportunity workflow of in (Update-with-Start)
// and waits until the opportunity and its invitations are recorded; it
// returns the opportunity's state.
func (k *Client) Share(ctx context.Context, in OpportunityInput) (OpportunityState, error) {
	ctx, cancel := k.Bound(ctx)
	defer cancel()
	start := k.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       OpportunityWorkflowID(in.OpportunityID),
		TaskQueue:                workflows.TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
	}, OpportunityWorkflowType, in)
	handle, err := k.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions:          client.UpdateWorkflowOptions{UpdateName: UpdateShared, WaitForStage: client.WorkflowUpdateStageCompleted},
	})
	var st OpportunityState
	if err == nil {
		err = handle.Get(ctx, &st)
	}
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return OpportunityState{}, &workflows.Refusal{Kind: workflows.ErrTypeAlreadyExists, Message: "this opportunity is shared already"}
	}
	return st, err
}

// OpportunityStep sends one step — an invited partner's (UpdateInvitationAccept,
// ...) or the seller's (UpdateChoose, UpdateWithdraw) — to shared
// opportunity id and waits until it is recorded; it returns the state.
func (k *Client) OpportunityStep(ctx context.Context, id, update string, arg any) (OpportunityState, error) {
	ctx, cancel := k.Bound(ctx)
	defer cancel()
	var st OpportunityState
	err := workflows.Update(ctx, k.Temporal, OpportunityWorkflowID(id), update, arg, &st, "the opportunity takes no further steps")
	return st, err
}
