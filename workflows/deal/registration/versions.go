package registration

import (
	"github.com/dealflow/dealflow/workflows/deal"
	"go.temporal.io/sdk/workflow"
)

// Changes to what the deal workflow decides after the full lifecycle
// (lifecycleVersion), each guarded by workflow.GetVersion under its own
// change id, asked only where the change makes a difference: recorded
// histories replay as they ran, and a running deal takes a change the first
// time it reaches that point after the change is deployed.
const (
	// versionEditsClearApprovals: a material edit when answering an
	// information request clears earlier approvals, with an event saying why.
	versionEditsClearApprovals = "edits-clear-approvals"
	// versionCorrectionReview: a partner's upward correction of its won
	// amount waits for a channel manager's or finance's decision.
	versionCorrectionReview = "correction-review"
	// versionCloseAfterSubmission: a close date cannot precede the
	// registration's submission.
	versionCloseAfterSubmission = "close-after-submission"
	// versionTellCoSell: when the deal ends (won, lost, expired,
	// withdrawn, rejected) its workflow signals the co-sell engagement on
	// the deal, if one runs (cosell.WorkflowID), so the engagement records
	// the outcome.
	versionTellCoSell = "tell-cosell"
)

// stepVersions lists, per step, the changes its validation depends on. The
// step's handler asks GetVersion for each before it validates again, so a
// replayed step is judged by the rules it was accepted under.
var stepVersions = map[string][]string{
	deal.UpdateCloseWon:  {versionCloseAfterSubmission},
	deal.UpdateCloseLost: {versionCloseAfterSubmission},
}

// has asks workflow.GetVersion whether change id applies to this run
// (recording the answer in history the first time) and remembers the
// answer for validators.
func (w *dealWorkflow) has(ctx workflow.Context, id string) bool {
	v := workflow.GetVersion(ctx, id, workflow.DefaultVersion, 1)
	w.versions[id] = v
	return v >= 1
}

// expects says whether change id applies, for a validator. Validators run
// only for new updates, never on replay, and must not write history, so it
// answers as GetVersion did earlier in this run or, when it was not asked
// yet, as it will when the step's handler asks: the newest version.
func (w *dealWorkflow) expects(id string) bool {
	v, ok := w.versions[id]
	return !ok || v >= 1
}
