// Package deal is the deal registration context's contract and typed
// client: the DealRegistration workflow's ID, update and query names,
// search attributes, and the input and state types the API and the console
// exchange with it (client.go sends them). The workflow itself is in
// workflows/deal/registration; nothing here knows its activities.
package deal

import (
	"time"

	"github.com/dealflow/dealflow/domain"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// WorkflowType is the registered name of the deal registration workflow
// (registration.DealRegistration), which running histories carry.
const WorkflowType = "DealRegistration"

// WorkflowID is the workflow ID of the deal registration dealID, so that
// one deal has exactly one workflow.
func WorkflowID(dealID string) string { return "deal/" + dealID }

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
	// QueryState returns the workflow's State.
	QueryState = "state"
)

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

// Input starts a DealRegistration workflow.
type Input struct {
	DealID       string              `json:"deal_id"`
	PartnerID    string              `json:"partner_id"`
	Submitter    domain.Actor        `json:"submitter"`
	Registration domain.Registration `json:"registration"`
	// IdempotencyKey and RequestHash come from the submitter's
	// Idempotency-Key header and the request body.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	RequestHash    string `json:"request_hash,omitempty"`
	// Resume carries the state into a run continued as new.
	Resume *State `json:"resume,omitempty"`
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
	// QuoteID links the win to the accepted quote it came from (set only
	// by the quote context when a quote is accepted).
	QuoteID string `json:"quote_id,omitempty"`
	// QuoteVersion is the accepted version of that quote.
	QuoteVersion int `json:"quote_version,omitempty"`
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

// Approval is one channel manager's approval of the deal.
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

// State is the workflow's whole state: returned by updates and the state
// query, and carried across continue-as-new.
type State struct {
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
