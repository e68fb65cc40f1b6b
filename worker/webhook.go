package worker

import (
	webhookacts "github.com/dealflow/dealflow/activities/webhook"
	"github.com/dealflow/dealflow/workflows/webhook/delivery"
	sdkworker "go.temporal.io/sdk/worker"
)

// registerWebhook registers the webhook delivery context: its workflow
// and, when given, its activities.
func registerWebhook(r sdkworker.Registry, acts *webhookacts.Activities) {
	registerWebhookWorkflows(r)
	if acts != nil {
		r.RegisterActivity(acts)
	}
}

func registerWebhookWorkflows(r sdkworker.WorkflowRegistry) {
	r.RegisterWorkflow(delivery.WebhookDelivery)
}
