package worker

import (
	cosellacts "github.com/dealflow/dealflow/activities/cosell"
	"github.com/dealflow/dealflow/workflows/cosell/engagement"
	"github.com/dealflow/dealflow/workflows/cosell/opportunity"
	sdkworker "go.temporal.io/sdk/worker"
)

// registerCoSell registers the co-selling context: the engagement and
// shared-opportunity workflows and their activities.
func registerCoSell(r sdkworker.Registry, acts *cosellacts.Activities) {
	registerCoSellWorkflows(r)
	if acts != nil {
		r.RegisterActivity(acts)
	}
}

func registerCoSellWorkflows(r sdkworker.WorkflowRegistry) {
	r.RegisterWorkflow(engagement.CoSellEngagement)
	r.RegisterWorkflow(opportunity.SharedOpportunity)
}
