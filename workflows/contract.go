// Package workflows holds dealflow's Temporal workflows and, in this file,
// their contract: task queue, workflow IDs, update and query names, search
// attributes, and the input and result types the API exchanges with them.
// The API imports this package for those names; nothing else spells them.
package workflows

import (
	"errors"
	"time"

	"github.com/dealflow/dealflow/activities"
	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// TaskQueue is the task queue that deal workflows and activities run on.
const TaskQueue = "dealflow-deals"

// DealWorkflowID is the workflow ID of the deal registration dealID, so that
// one deal has exactly one workflow.
func DealWorkflowID(dealID string) string { return "deal/" + dealID }

// Update and query names of the DealRegistration workflow. Every human step
// is an Update with a validator: a step the deal's state does not allow is
// refused before it reaches history, and the caller learns the outcome at once.
const (
	// UpdateSubmitted waits until the new registration is persisted and
	// screened, then returns its state. The API sends it with the start.
	UpdateSubmitted = "submitted"
	// UpdateApprove records a channel manager's approval (Decision).
	UpdateApprove = "approve"
	// UpdateReject records a channel manager's rejection (Decision).
	UpdateReject = "reject"
	// UpdateRequestInfo asks the partner a question (InfoRequest).
	UpdateRequestInfo = "request-info"
	// UpdateAnswerInfo answers it, maybe editing fields (InfoAnswer).
	UpdateAnswerInfo = "answer-info"
	// UpdateWithdraw withdraws the registration (Decision, by the partner).
	UpdateWithdraw = "withdraw"
	// UpdateRequestExtension asks for longer protection (Decision, by the partner).
	UpdateRequestExtension = "request-extension"
	// UpdateDecideExtension grants or denies it (ExtensionDecision).
	UpdateDecideExtension = "decide-extension"
	// UpdateCloseWon reports the deal won with its final figures (CloseWon).
	UpdateCloseWon = "close-won"
	// UpdateCloseLost reports the deal lost (CloseLost).
	UpdateCloseLost = "close-lost"
	// UpdateResolveConflict settles a conflict review (ConflictResolution).
	UpdateResolveConflict = "resolve-conflict"
	// UpdateCorrectOutcome corrects or reverses a closed-won outcome
	// (OutcomeCorrection) as a new event; nothing is edited.
	UpdateCorrectOutcome = "correct-outcome"
	// UpdateDecideCorrection approves or denies a partner's upward
	// correction that awaits review (CorrectionDecision).
	UpdateDecideCorrection = "decide-correction"
	// QueryState returns the workflow's DealState.
	QueryState = "state"
)

// Error types of refused updates (temporal.ApplicationError.Type()); the API
// maps them to HTTP answers.
const (
	// ErrTypeInvalidTransition: the deal's status does not allow the step (409).
	ErrTypeInvalidTransition = "InvalidTransition"
	// ErrTypeForbidden: the actor's role or organization may not take it (403).
	ErrTypeForbidden = "Forbidden"
	// ErrTypeFourEyes: the same person cannot approve twice (409).
	ErrTypeFourEyes = "FourEyes"
	// ErrTypeLimitReached: a policy limit, such as the number of extensions (409).
	ErrTypeLimitReached = "LimitReached"
	// ErrTypeInvalidArgument: the step's data is unusable (422).
	ErrTypeInvalidArgument = "InvalidArgument"
	// ErrTypeNotFound: what the step names does not exist, such as a
	// statement line not in the cycle (404).
	ErrTypeNotFound = "NotFound"
)

// FieldRefusal names the field of a step's argument that an
// ErrTypeInvalidArgument refusal is about (the error's details), so the API
// can answer with per-field errors.
type FieldRefusal struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// RefusedField returns the field a refused step named, if it named one.
func RefusedField(err error) (FieldRefusal, bool) {
	var appErr *temporal.ApplicationError
	var f FieldRefusal
	if !errors.As(err, &appErr) || !appErr.HasDetails() || appErr.Details(&f) != nil || f.Field == "" {
		return FieldRefusal{}, false
	}
	return f, true
}

// Search attributes the deal workflow keeps current, so operators can run
// `temporal workflow list --query 'DealStatus="pending_approval"'`.
var (
	SearchDealStatus    = temporal.NewSearchAttributeKeyKeyword("DealStatus")
	SearchDealPartnerID = temporal.NewSearchAttributeKeyKeyword("DealPartnerId")
	SearchDealAmount    = temporal.NewSearchAttributeKeyInt64("DealAmount")
	SearchDealCurrency  = temporal.NewSearchAttributeKeyKeyword("DealCurrency")
	SearchDealExpiresAt = temporal.NewSearchAttributeKeyTime("DealExpiresAt")
)

// SearchAttributes lists the custom search attributes dealflow needs on its
// namespace, with their types; `dealflow migrate` registers missing ones.
var SearchAttributes = map[string]enums.IndexedValueType{
	SearchDealStatus.GetName():    enums.INDEXED_VALUE_TYPE_KEYWORD,
	SearchDealPartnerID.GetName(): enums.INDEXED_VALUE_TYPE_KEYWORD,
	SearchDealAmount.GetName():    enums.INDEXED_VALUE_TYPE_INT,
	SearchDealCurrency.GetName():  enums.INDEXED_VALUE_TYPE_KEYWORD,
	SearchDealExpiresAt.GetName(): enums.INDEXED_VALUE_TYPE_DATETIME,
}

// DealInput starts a DealRegistration workflow.
type DealInput struct {
	DealID       string              `json:"deal_id"`
	PartnerID    string              `json:"partner_id"`
	Submitter    domain.Actor        `json:"submitter"`
	Registration domain.Registration `json:"registration"`
	// IdempotencyKey and RequestHash come from the submitter's
	// Idempotency-Key header and the request body.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	RequestHash    string `json:"request_hash,omitempty"`
	// Resume carries the state into a run continued as new.
	Resume *DealState `json:"resume,omitempty"`
}

// Decision is a step with a free-text reason: approve, reject, withdraw,
// request an extension.
type Decision struct {
	Actor  domain.Actor `json:"actor"`
	Reason string       `json:"reason"`
}

// InfoRequest is a manager's question to the partner.
type InfoRequest struct {
	Actor    domain.Actor `json:"actor"`
	Question string       `json:"question"`
}

// InfoAnswer is the partner's answer, with the fields it edits (nil: kept).
type InfoAnswer struct {
	Actor   domain.Actor         `json:"actor"`
	Answer  string               `json:"answer"`
	Changes *RegistrationChanges `json:"changes,omitempty"`
}

// RegistrationChanges are the fields a partner may edit when answering; the
// customer cannot change (that would be another registration).
type RegistrationChanges struct {
	Contact           *domain.Contact `json:"contact,omitempty"`
	ProductLines      []string        `json:"product_lines,omitempty"`
	Amount            *int64          `json:"amount,omitempty"`
	Currency          *string         `json:"currency,omitempty"`
	ExpectedCloseDate *string         `json:"expected_close_date,omitempty"`
	Notes             *string         `json:"notes,omitempty"`
}

// ExtensionDecision grants or denies a requested extension.
type ExtensionDecision struct {
	Actor  domain.Actor `json:"actor"`
	Grant  bool         `json:"grant"`
	Reason string       `json:"reason"`
}

// CloseWon reports the deal won with the figures incentives will pay on.
type CloseWon struct {
	Actor        domain.Actor `json:"actor"`
	Amount       int64        `json:"amount"`
	Currency     string       `json:"currency"`
	ProductLines []string     `json:"product_lines"`
	// Units sold (optional), for per-unit SPIFFs.
	Units     int64  `json:"units,omitempty"`
	CloseDate string `json:"close_date"`
}

// CloseLost reports the deal lost.
type CloseLost struct {
	Actor     domain.Actor `json:"actor"`
	Reason    string       `json:"reason"`
	CloseDate string       `json:"close_date"`
}

// Conflict review outcomes.
const (
	// ConflictAward: this registration wins the customer; on to approval,
	// and the other registrations involved are told.
	ConflictAward = "award"
	// ConflictNotConflict: the match was wrong (another company); on to approval.
	ConflictNotConflict = "not_conflict"
	// ConflictDuplicate: a duplicate of another registration; rejected.
	ConflictDuplicate = "duplicate"
	// ConflictDirectSales: the customer is handed to direct sales; rejected.
	ConflictDirectSales = "direct_sales"
	// ConflictProceed and ConflictReject are the first release's outcomes,
	// kept as synonyms of not_conflict and duplicate.
	ConflictProceed = "proceed"
	ConflictReject  = "reject"
)

// ConflictResolution settles a conflict review.
type ConflictResolution struct {
	Actor   domain.Actor `json:"actor"`
	Outcome string       `json:"outcome"`
	Reason  string       `json:"reason"`
}

// OutcomeCorrection replaces a closed-won amount; 0 reverses the win.
type OutcomeCorrection struct {
	Actor  domain.Actor `json:"actor"`
	Amount int64        `json:"amount"`
	Reason string       `json:"reason"`
}

// CorrectionDecision approves or denies the correction that awaits review;
// a denial needs a reason.
type CorrectionDecision struct {
	Actor   domain.Actor `json:"actor"`
	Approve bool         `json:"approve"`
	Reason  string       `json:"reason"`
}

// CorrectionRequest is a partner's upward correction of its won amount,
// waiting for a channel manager's or finance's decision: until then the
// won amount (what incentives pay on) stays as it was.
type CorrectionRequest struct {
	Actor          domain.Actor `json:"actor"`
	Amount         int64        `json:"amount"`
	PreviousAmount int64        `json:"previous_amount"`
	Reason         string       `json:"reason"`
	At             time.Time    `json:"at"`
	// Seq is the event that requested it.
	Seq          int32 `json:"seq"`
	ReminderSent bool  `json:"reminder_sent"`
	Escalated    bool  `json:"escalated"`
}

// Approval is one person's approval: a channel manager's of a deal, a
// finance person's of an incentive cycle.
type Approval struct {
	Actor domain.Actor `json:"actor"`
	At    time.Time    `json:"at"`
}

// ExtensionRequest is a partner's pending request for longer protection.
type ExtensionRequest struct {
	Actor  domain.Actor `json:"actor"`
	Reason string       `json:"reason"`
	At     time.Time    `json:"at"`
}

// DealState is the workflow's whole state: returned by updates and the
// state query, and carried across continue-as-new.
type DealState struct {
	DealID       string              `json:"deal_id"`
	PartnerID    string              `json:"partner_id"`
	Status       domain.Status       `json:"status"`
	Seq          int32               `json:"seq"` // the last recorded event
	UpdatedAt    time.Time           `json:"updated_at"`
	Registration domain.Registration `json:"registration"`
	ProgramID    string              `json:"program_id,omitempty"`
	Policy       domain.Policy       `json:"policy"`
	Conflicts    []domain.Conflict   `json:"conflicts,omitempty"`
	// RequestHash is the submission's body hash, for Idempotency-Key checks.
	RequestHash       string            `json:"request_hash,omitempty"`
	RequiredApprovals int               `json:"required_approvals"`
	Approvals         []Approval        `json:"approvals,omitempty"`
	SLA               domain.SLAClock   `json:"sla"`
	ReminderSent      bool              `json:"reminder_sent"`
	Escalated         bool              `json:"escalated"`
	AutoActed         bool              `json:"auto_acted"`
	InfoQuestion      string            `json:"info_question,omitempty"`
	ExpiresAt         time.Time         `json:"expires_at"`
	ExtensionsUsed    int               `json:"extensions_used"`
	Extension         *ExtensionRequest `json:"extension,omitempty"`
	// ExpiryReminders lists the days-before-expiry reminders already sent
	// for the current ExpiresAt.
	ExpiryReminders []int           `json:"expiry_reminders,omitempty"`
	Outcome         *domain.Outcome `json:"outcome,omitempty"`
	ClosedAt        time.Time       `json:"closed_at"`
	// CorrectionsClosed is set once the correction window after a win ends.
	CorrectionsClosed bool `json:"corrections_closed"`
	// Correction is the partner's upward correction awaiting review (at
	// most one at a time).
	Correction *CorrectionRequest `json:"correction,omitempty"`
	// SubmittedAt is when the registration was submitted: no close date
	// may lie before its day (zero in runs continued before it was kept).
	SubmittedAt time.Time `json:"submitted_at"`
	// Legacy marks a run started before the full lifecycle (version 0).
	Legacy bool `json:"legacy,omitempty"`
}

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
	Excluded []activities.ExcludedInputs `json:"excluded,omitempty"`
	Lines    int                         `json:"lines"`
	Partners int                         `json:"partners"`
	Total    int64                       `json:"total"`
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
