// Package worker builds the Temporal worker that runs dealflow's workflows
// and activities.
package worker

import (
	"github.com/dealflow/dealflow/activities"
	"github.com/dealflow/dealflow/workflows"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
)

// New returns a worker on workflows.TaskQueue with every workflow and
// activity registered.
func New(c client.Client, acts *activities.Activities, opts sdkworker.Options) sdkworker.Worker {
	w := sdkworker.New(c, workflows.TaskQueue, opts)
	Register(w, acts)
	return w
}

// Register registers dealflow's workflows and activities on any registry,
// such as a worker or a workflow replayer.
func Register(r sdkworker.Registry, acts *activities.Activities) {
	r.RegisterWorkflow(workflows.DealRegistration)
	r.RegisterWorkflow(workflows.IncentiveCycle)
	r.RegisterWorkflow(workflows.CycleScheduler)
	r.RegisterActivity(acts)
}
