// Package incentive is the incentive context's contract and typed client:
// the IncentiveCycle workflow's ID, update and query names, the input and
// state types the API and the console exchange with it, and the Temporal
// Schedule that starts a program's cycles (client.go). The workflows
// themselves are in workflows/incentive/cycle; nothing here knows their
// activities.
package incentive

import (
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
)

// Registered names of the incentive workflows (cycle.IncentiveCycle and
// cycle.CycleScheduler), which running histories and schedules carry.
const (
	WorkflowType          = "IncentiveCycle"
	SchedulerWorkflowType = "CycleScheduler"
)

// Incentive cycles: one IncentiveCycle workflow per program and period,
// started by the program's Temporal Schedule (through CycleScheduler) or by
// finance through the API.

// CycleWorkflowID is the workflow ID of the incentive cycle cycleID.
func CycleWorkflowID(cycleID string) string { return "cycle/" + cycleID }

// cycleNamespace makes cycle ids from a program and a period start.
var cycleNamespace = uuid.MustParse("5b0d1f0e-2c58-4f57-9a53-6b1f3c1f7a10")

// CycleID is the id of a program's cycle for the period starting on
// periodStart (YYYY-MM-DD): the same whoever starts it, so a schedule and a
// person cannot open two cycles for one period.
func CycleID(programID, periodStart string) string {
	return uuid.NewSHA1(cycleNamespace, []byte(programID+"/"+periodStart)).String()
}

// CycleScheduleID is the ID of the Temporal Schedule that starts a
// program's cycles.
func CycleScheduleID(programCode string) string { return "incentive-cycles/" + programCode }

// Update and query names of the IncentiveCycle workflow: finance's review.
const (
	// UpdateCycleAdjust sets a line's amount (LineAdjustment).
	UpdateCycleAdjust = "adjust-line"
	// UpdateCycleHold holds a partner's payout (PartnerHold).
	UpdateCycleHold = "hold-partner"
	// UpdateCycleRelease releases a held partner (PartnerHold).
	UpdateCycleRelease = "release-partner"
	// UpdateCycleApprove approves the cycle for payout (CycleApproval).
	UpdateCycleApprove = "approve"
	// QueryCycleState returns the workflow's CycleState.
	QueryCycleState = "cycle-state"
)

// CycleInput starts an incentive cycle.
type CycleInput struct {
	ProgramID   string       `json:"program_id"`
	PeriodStart string       `json:"period_start"` // YYYY-MM-DD
	PeriodEnd   string       `json:"period_end"`   // YYYY-MM-DD, excluded
	StartedBy   domain.Actor `json:"started_by"`
	// ReviewWithin is how long finance has to approve before the cycle
	// is flagged overdue (0: 7 days).
	ReviewWithin time.Duration `json:"review_within,omitempty"`
	// PayBatch is how many partners one payout activity pays (0: 500).
	PayBatch int `json:"pay_batch,omitempty"`
}

// SchedulerInput is what a program's Schedule passes to CycleScheduler.
type SchedulerInput struct {
	ProgramID string `json:"program_id"`
	Period    string `json:"period"` // month or quarter
	GraceDays int    `json:"grace_days"`
}

// LineAdjustment sets a statement line's amount, with a reason.
type LineAdjustment struct {
	Actor  domain.Actor `json:"actor"`
	LineID string       `json:"line_id"`
	Amount int64        `json:"amount"`
	Reason string       `json:"reason"`
}

// PartnerHold holds or releases a partner's payout, with a reason.
type PartnerHold struct {
	Actor     domain.Actor `json:"actor"`
	PartnerID string       `json:"partner_id"`
	Reason    string       `json:"reason"`
}

// CycleApproval approves a cycle for payout.
type CycleApproval struct {
	Actor  domain.Actor `json:"actor"`
	Reason string       `json:"reason"`
}

// Cycle stages, in order.
const (
	CycleStageFreezing = "freezing"
	CycleStageReview   = "in_review"
	CycleStagePaying   = "paying"
	CycleStagePaid     = "paid"
)

// CycleState is the IncentiveCycle workflow's state, returned by its
// updates and query.
type CycleState struct {
	CycleID     string `json:"cycle_id"`
	ProgramID   string `json:"program_id"`
	PeriodStart string `json:"period_start"`
	// PeriodEndExclusive is the day after the period's last (YYYY-MM-DD),
	// named so beside views whose period_end is the last day included.
	PeriodEndExclusive string `json:"period_end_exclusive"`
	Version            int    `json:"program_version"`
	Stage              string `json:"stage"`
	Inputs             int    `json:"inputs"`
	// Excluded reports frozen deals that pay nothing (another currency).
	Excluded []ExcludedInputs `json:"excluded,omitempty"`
	Lines    int              `json:"lines"`
	Partners int              `json:"partners"`
	Total    int64            `json:"total"`
	// Adjusters are the users who adjusted lines, and AdjusterPeople the
	// people behind them: none of them may approve.
	Adjusters      []string `json:"adjusters,omitempty"`
	AdjusterPeople []string `json:"adjuster_people,omitempty"`
	// Held lists held partners, sorted.
	Held []string `json:"held,omitempty"`
	// Payout is what the cycle pays out (each partner's net after
	// adjustments, when positive, summed); at or above SecondApprovalAt
	// RequiredApprovals is 2 (different finance people), else 1. Cycles
	// started before approvals by person leave them 0: one approval.
	Payout            int64 `json:"payout,omitempty"`
	SecondApprovalAt  int64 `json:"second_approval_at,omitempty"`
	RequiredApprovals int   `json:"required_approvals,omitempty"`
	// Approvals are the approvals given since the last adjustment (an
	// adjustment voids those given before it).
	Approvals []Approval `json:"approvals,omitempty"`
	// ApprovedBy is whoever gave the last approval required.
	ApprovedBy *domain.Actor `json:"approved_by,omitempty"`
	Overdue    bool          `json:"overdue"`
	Paid       int           `json:"paid_partners"`
	Published  int           `json:"published"`
	PayoutFile string        `json:"payout_file,omitempty"`
	Seq        int           `json:"seq"`
}

// Approval is one finance person's approval of a cycle.
type Approval struct {
	Actor domain.Actor `json:"actor"`
	At    time.Time    `json:"at"`
}

// ExcludedInputs reports deals a cycle froze but does not pay, by reason.
type ExcludedInputs struct {
	Reason string `json:"reason"`
	Deals  int    `json:"deals"`
	Amount int64  `json:"amount"`
}
