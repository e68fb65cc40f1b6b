package domain

import "fmt"

// Status is the state of a deal registration. The workflow owns it; the
// deals table holds a projection of it for reads.
type Status string

// The statuses a deal registration moves through.
const (
	StatusSubmitted       Status = "submitted"
	StatusScreening       Status = "screening"
	StatusConflictReview  Status = "conflict_review"
	StatusPendingApproval Status = "pending_approval"
	StatusInfoRequested   Status = "info_requested"
	StatusApproved        Status = "approved"
	StatusRejected        Status = "rejected"
	StatusWithdrawn       Status = "withdrawn"
	StatusClosedWon       Status = "closed_won"
	StatusClosedLost      Status = "closed_lost"
	StatusExpired         Status = "expired"
)

// AllStatuses lists every status in lifecycle order, for validation and docs.
var AllStatuses = []Status{
	StatusSubmitted, StatusScreening, StatusConflictReview, StatusPendingApproval,
	StatusInfoRequested, StatusApproved, StatusRejected, StatusWithdrawn,
	StatusClosedWon, StatusClosedLost, StatusExpired,
}

// transitions is the lifecycle's state machine: for each status, the statuses
// it may move to. Anything absent is refused (the API answers 409).
// screening → approved is an automatic approval by a program rule, and
// screening → rejected an automatic rejection; people decide from
// pending_approval.
var transitions = map[Status][]Status{
	StatusSubmitted:       {StatusScreening, StatusPendingApproval, StatusRejected, StatusWithdrawn},
	StatusScreening:       {StatusConflictReview, StatusPendingApproval, StatusApproved, StatusRejected, StatusWithdrawn},
	StatusConflictReview:  {StatusPendingApproval, StatusRejected, StatusWithdrawn},
	StatusPendingApproval: {StatusInfoRequested, StatusApproved, StatusRejected, StatusWithdrawn},
	StatusInfoRequested:   {StatusPendingApproval, StatusRejected, StatusWithdrawn},
	StatusApproved:        {StatusClosedWon, StatusClosedLost, StatusExpired, StatusWithdrawn},
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, k := range AllStatuses {
		if k == s {
			return true
		}
	}
	return false
}

// Final reports whether s is a known status that no transition leaves.
func (s Status) Final() bool { return s.Valid() && len(transitions[s]) == 0 }

// CanMoveTo reports whether the lifecycle allows moving from s to next.
func (s Status) CanMoveTo(next Status) bool {
	for _, t := range transitions[s] {
		if t == next {
			return true
		}
	}
	return false
}

// TransitionError says that a deal cannot move from one status to another.
// The API maps it to 409 Conflict.
type TransitionError struct {
	From, To Status
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("a deal in status %q cannot move to %q", e.From, e.To)
}

// CheckTransition returns a *TransitionError when from cannot move to to.
func CheckTransition(from, to Status) error {
	if !from.CanMoveTo(to) {
		return &TransitionError{From: from, To: to}
	}
	return nil
}

// AwaitsManager reports whether a deal in s waits on a channel manager's
// review, so that the review SLA clock runs.
func (s Status) AwaitsManager() bool {
	return s == StatusPendingApproval || s == StatusConflictReview
}
