package worker

import (
	notifyacts "github.com/dealflow/dealflow/activities/notify"
	"github.com/dealflow/dealflow/workflows/notify/delivery"
	"github.com/dealflow/dealflow/workflows/notify/digest"
	sdkworker "go.temporal.io/sdk/worker"
)

// registerNotify registers the notification delivery context: its
// workflows (delivery, daily digest) and, when given, its activities.
func registerNotify(r sdkworker.Registry, acts *notifyacts.Activities) {
	registerNotifyWorkflows(r)
	if acts != nil {
		r.RegisterActivity(acts)
	}
}

func registerNotifyWorkflows(r sdkworker.WorkflowRegistry) {
	r.RegisterWorkflow(delivery.NotificationDelivery)
	r.RegisterWorkflow(digest.NotificationDigest)
}
