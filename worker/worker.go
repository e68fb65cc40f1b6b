// Package worker builds the Temporal worker that runs dealflow's workflows
// and activities: every context's, each registered by a small function of
// its own (deal.go, incentive.go, quote.go).
package worker

import (
	"github.com/dealflow/dealflow/activities"
	cosellacts "github.com/dealflow/dealflow/activities/cosell"
	dealacts "github.com/dealflow/dealflow/activities/deal"
	incentiveacts "github.com/dealflow/dealflow/activities/incentive"
	leadacts "github.com/dealflow/dealflow/activities/lead"
	notifyacts "github.com/dealflow/dealflow/activities/notify"
	quoteacts "github.com/dealflow/dealflow/activities/quote"
	webhookacts "github.com/dealflow/dealflow/activities/webhook"
	"github.com/dealflow/dealflow/workflows"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	sdkworker "go.temporal.io/sdk/worker"
)

// Activities are every context's activities, each with its own
// dependencies.
type Activities struct {
	Deal      *dealacts.Activities
	Incentive *incentiveacts.Activities
	Quote     *quoteacts.Activities
	CoSell    *cosellacts.Activities
	// Lead needs the deal context's client (nil: the lead workflow is
	// registered without its activities).
	Lead *leadacts.Activities
	// Notify delivers the notifications outbox (nil: the delivery
	// workflow is registered without its activities).
	Notify *notifyacts.Activities
	// Webhook delivers the outbox to webhook subscriptions (nil: the
	// delivery workflow is registered without its activities).
	Webhook *webhookacts.Activities
}

// New returns a worker on workflows.TaskQueue with every workflow and
// activity registered, with Options.
func New(c client.Client, acts Activities, opts sdkworker.Options) sdkworker.Worker {
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

// Register registers every context's workflows and activities on a
// registry, such as a worker or a test environment. Activities are
// registered under their method names (the names histories carry), so no
// two contexts' activities may share one.
func Register(r sdkworker.Registry, acts Activities) {
	registerDeal(r, acts.Deal)
	registerIncentive(r, acts.Incentive)
	registerQuote(r, acts.Quote)
	registerCoSell(r, acts.CoSell)
	registerLead(r, acts.Lead)
	registerNotify(r, acts.Notify)
	registerWebhook(r, acts.Webhook)
}

// RegisterWorkflows registers every context's workflows, under the type
// names their histories carry, on any registry: a worker, or the workflow
// replayer that replays those histories.
func RegisterWorkflows(r sdkworker.WorkflowRegistry) {
	registerDealWorkflows(r)
	registerIncentiveWorkflows(r)
	registerQuoteWorkflows(r)
	registerCoSellWorkflows(r)
	registerLeadWorkflows(r)
	registerNotifyWorkflows(r)
	registerWebhookWorkflows(r)
}
