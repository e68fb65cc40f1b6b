package domain

// Types of an incentive cycle's review events: the decisions finance
// takes, and what dealflow notes. The cycle workflow decides them, its
// activities record them (an approval also moves the cycle's status), and
// the API and console read them back (the approvals a cycle was given).
const (
	CycleEventAdjusted      = "adjusted"
	CycleEventHeld          = "held"
	CycleEventReleased      = "released"
	CycleEventApproved      = "approved"
	CycleEventReviewOverdue = "review_overdue"
	// CycleEventApprovalRecorded is an approval that is not yet the last
	// one the cycle needs (two finance people at or above the threshold).
	CycleEventApprovalRecorded = "approval_recorded"
	// CycleEventApprovalsCleared says an adjustment voided the approvals
	// given before it.
	CycleEventApprovalsCleared = "approvals_cleared"
)
