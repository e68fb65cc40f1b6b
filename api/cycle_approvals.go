package api

import (
	"context"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/incentive"
	"github.com/gin-gonic/gin"
)

// CycleApprovalsView is finance's four eyes on a cycle: the approvals
// given (since the last adjustment, which voids earlier ones) and how many
// different finance people must approve — two when the payout is at or
// above the program's second_approval_at, else one.
type CycleApprovalsView struct {
	// Required is 0 when unknown: the cycle's workflow did not answer, or
	// the cycle started before approvals were counted by person (one).
	Required         int              `json:"required"`
	Given            []CycleEventView `json:"given"`
	Payout           int64            `json:"payout"`
	SecondApprovalAt int64            `json:"second_approval_at"`
}

// cycleState asks a cycle's workflow for its state; nil when it does not
// answer in time (the stored view stands on its own).
func (s *Server) cycleState(c *gin.Context, workflowID string) *incentive.CycleState {
	ctx, cancel := context.WithTimeout(c, 2*time.Second)
	defer cancel()
	st, err := s.cycles.Query(ctx, workflowID)
	if err != nil {
		return nil
	}
	return &st
}

// cycleApprovals reads the approvals given from the review history (those
// after the last approvals_cleared event) and what is required from the
// workflow's state; once approved, the approvals given were what it took.
func cycleApprovals(v CycleView) *CycleApprovalsView {
	a := &CycleApprovalsView{Given: []CycleEventView{}}
	for _, e := range v.Events {
		switch e.Type {
		case domain.CycleEventApprovalsCleared:
			a.Given = a.Given[:0]
		case domain.CycleEventApprovalRecorded, domain.CycleEventApproved:
			a.Given = append(a.Given, e)
		}
	}
	if st := v.Workflow; st != nil {
		a.Required, a.Payout, a.SecondApprovalAt = st.RequiredApprovals, st.Payout, st.SecondApprovalAt
	}
	if a.Required == 0 && v.ApprovedAt != nil {
		a.Required = len(a.Given)
	}
	return a
}
