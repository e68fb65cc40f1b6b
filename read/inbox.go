package read

import (
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
)

// InboxItem is one thing awaiting a channel manager.
type InboxItem struct {
	// Action is review, conflict_review, second_approval,
	// extension_decision or correction_review.
	Action string   `json:"action"`
	Deal   DealView `json:"deal"`
}

// InboxItemOf is deal d as an item of the channel managers' inbox: what
// it awaits.
func InboxItemOf(d dbq.Deal) InboxItem {
	action := "review"
	switch {
	case d.CorrectionPendingAmount.Valid:
		action = "correction_review"
	case d.Status == string(domain.StatusConflictReview):
		action = "conflict_review"
	case d.Status == string(domain.StatusApproved) && d.ExtensionRequested:
		action = "extension_decision"
	case d.Approvals > 0:
		action = "second_approval"
	}
	return InboxItem{Action: action, Deal: DealOf(d, nil)}
}
