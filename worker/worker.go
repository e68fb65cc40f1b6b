// Package worker builds the Temporal worker that runs dealflow's workflows
// and activities.
package worker

import (
	"github.com/dealflow/dealflow/activities"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/deal/registration"
	"github.com/dealflow/dealflow/workflows/incentive/cycle"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	sdkworker "go.temporal.io/sdk/worker"
)

// New returns a worker on workflows.TaskQueue with every workflow and
// activity registered, with Options.
func New(c client.Client, acts *activities.Activities, opts sdkworker.Options) sdkworker.Worker {
	w := sdkworker.New(c, workflows.TaskQueue, Options(opts))
	Register(w, acts)
	return w
}

// Options returns opts with what every worker running dealflow's
// activities needs: the interceptor that makes an error PostgreSQL will
// never take non-retryable (activities.ClassifyErrors), so that a step
// fails cleanly instead of retrying for ever.
func Options(opts sdkworker.Options) sdkworker.Options {
	opts.Interceptors = append([]interceptor.WorkerInterceptor{&activities.ClassifyErrors{}}, opts.Interceptors...)
	return opts
}

// Register registers dealflow's workflows and activities on a registry,
// such as a worker or a test environment.
func Register(r sdkworker.Registry, acts *activities.Activities) {
	RegisterWorkflows(r)
	r.RegisterActivity(acts)
}

// RegisterWorkflows registers every context's workflows, under the type
// names their histories carry, on any registry: a worker, or the workflow
// replayer that replays those histories.
func RegisterWorkflows(r sdkworker.WorkflowRegistry) {
	r.RegisterWorkflow(registration.DealRegistration)
	r.RegisterWorkflow(cycle.IncentiveCycle)
	r.RegisterWorkflow(cycle.CycleScheduler)
}
