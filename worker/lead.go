package worker

import (
	leadacts "github.com/dealflow/dealflow/activities/lead"
	"github.com/dealflow/dealflow/workflows/lead/distribution"
	sdkworker "go.temporal.io/sdk/worker"
)

// registerLead registers the lead distribution context: its workflow and,
// when given, its activities (they need the deal context's client).
func registerLead(r sdkworker.Registry, acts *leadacts.Activities) {
	registerLeadWorkflows(r)
	if acts != nil {
		r.RegisterActivity(acts)
	}
}

func registerLeadWorkflows(r sdkworker.WorkflowRegistry) {
	r.RegisterWorkflow(distribution.LeadDistribution)
}
