package worker

import (
	dealacts "github.com/dealflow/dealflow/activities/deal"
	"github.com/dealflow/dealflow/workflows/deal/registration"
	sdkworker "go.temporal.io/sdk/worker"
)

// registerDeal registers the deal registration context: its workflow and
// its activities.
func registerDeal(r sdkworker.Registry, acts *dealacts.Activities) {
	registerDealWorkflows(r)
	r.RegisterActivity(acts)
}

func registerDealWorkflows(r sdkworker.WorkflowRegistry) {
	r.RegisterWorkflow(registration.DealRegistration)
}
