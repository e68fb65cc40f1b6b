// Package worker builds the Temporal worker that runs dealflow's workflows
// and activities.
package worker

import (
	"github.com/dealflow/dealflow/activities"
	"github.com/dealflow/dealflow/workflows"
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

// Register registers dealflow's workflows and activities on any registry,
// such as a worker or a workflow replayer.
func Register(r sdkworker.Registry, acts *activities.Activities) {
	r.RegisterWorkflow(workflows.DealRegistration)
	r.RegisterWorkflow(workflows.IncentiveCycle)
	r.RegisterWorkflow(workflows.CycleScheduler)
	r.RegisterActivity(acts)
}
