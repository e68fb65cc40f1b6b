package worker

import (
	quoteacts "github.com/dealflow/dealflow/activities/quote"
	"github.com/dealflow/dealflow/workflows/quote/lifecycle"
	sdkworker "go.temporal.io/sdk/worker"
)

// registerQuote registers the quote context: its workflow and its
// activities (none when acts is nil, as in tests of other contexts).
func registerQuote(r sdkworker.Registry, acts *quoteacts.Activities) {
	registerQuoteWorkflows(r)
	if acts != nil {
		r.RegisterActivity(acts)
	}
}

func registerQuoteWorkflows(r sdkworker.WorkflowRegistry) {
	r.RegisterWorkflow(lifecycle.QuoteLifecycle)
}
