package worker

import (
	incentiveacts "github.com/dealflow/dealflow/activities/incentive"
	"github.com/dealflow/dealflow/workflows/incentive/cycle"
	sdkworker "go.temporal.io/sdk/worker"
)

// registerIncentive registers the incentive context: its workflows (a
// cycle, and the scheduler a program's schedule runs) and its activities.
func registerIncentive(r sdkworker.Registry, acts *incentiveacts.Activities) {
	registerIncentiveWorkflows(r)
	r.RegisterActivity(acts)
}

func registerIncentiveWorkflows(r sdkworker.WorkflowRegistry) {
	r.RegisterWorkflow(cycle.IncentiveCycle)
	r.RegisterWorkflow(cycle.CycleScheduler)
}
