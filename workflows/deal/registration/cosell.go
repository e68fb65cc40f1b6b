package registration

import (
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/cosell"
	"go.temporal.io/sdk/workflow"
)

// tellCoSell signals the co-sell engagement on this deal (its workflow ID
// is derived from the deal's, cosell.WorkflowID) that the deal ended with
// status to. Most deals have no engagement, or one that has ended: the
// signal then fails, which changes nothing. The signal is waited for (its
// outcome ignored) so that a run ending with this step sends it before it
// completes.
func (w *dealWorkflow) tellCoSell(ctx workflow.Context, to domain.Status) {
	_ = workflow.SignalExternalWorkflow(ctx, cosell.WorkflowID(w.st.DealID), "", cosell.SignalDealEnded, cosell.DealEnded{
		DealID: w.st.DealID, Status: to, Outcome: domain.CoSellOutcomeOf(to), At: workflow.Now(ctx),
	}).Get(ctx, nil)
}
