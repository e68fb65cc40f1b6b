package cycle

import (
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/incentive"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// CycleScheduler is the action of a program's Temporal Schedule, which
// fires grace days after each period ends: it works out which period is due
// from the time it runs and starts that period's IncentiveCycle as an
// abandoned child (the cycle outlives the scheduler), under the cycle's own
// workflow ID. A cycle finance already started by hand is left alone.
func CycleScheduler(ctx workflow.Context, in incentive.SchedulerInput) (string, error) {
	period, err := domain.PeriodDueAt(in.Period, workflow.Now(ctx), in.GraceDays)
	if err != nil {
		return "", temporal.NewNonRetryableApplicationError(err.Error(), workflows.ErrTypeInvalidArgument, nil)
	}
	start, end := period.Start.Format(time.DateOnly), period.End.Format(time.DateOnly)
	cycleID := incentive.CycleID(in.ProgramID, start)
	child := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            incentive.CycleWorkflowID(cycleID),
		TaskQueue:             workflows.TaskQueue,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	})
	f := workflow.ExecuteChildWorkflow(child, IncentiveCycle, incentive.CycleInput{ProgramID: in.ProgramID, PeriodStart: start, PeriodEnd: end,
		StartedBy: domain.Actor{ID: "schedule", Name: "incentive schedule", Role: domain.RoleSystem}})
	if err := f.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		if temporal.IsWorkflowExecutionAlreadyStartedError(err) {
			workflow.GetLogger(ctx).Info("cycle already started", "cycle", cycleID)
			return cycleID, nil
		}
		return "", err
	}
	return cycleID, nil
}
