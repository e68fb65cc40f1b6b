// Package quote is the quote context's contract and typed client (CPQ:
// configure, price, quote): the QuoteLifecycle workflow's ID, update and
// query names, and the input and state types the API exchanges with it.
// The workflow itself is in workflows/quote/lifecycle; nothing here knows
// its activities.
package quote

import (
	"time"

	"github.com/dealflow/dealflow/domain"
)

// WorkflowType is the registered name of the quote workflow
// (lifecycle.QuoteLifecycle), which running histories carry.
const WorkflowType = "QuoteLifecycle"

// WorkflowID is the workflow ID of quote quoteID: one workflow per quote.
func WorkflowID(quoteID string) string { return "quote/" + quoteID }

// Update and query names of the QuoteLifecycle workflow. Every human step
// is an Update with a validator.
const (
	// UpdateCreated waits until the new quote is priced and stored, then
	// returns its state. The typed client sends it with the start.
	UpdateCreated = "created"
	// UpdateSubmit submits a draft for approval (Decision).
	UpdateSubmit = "submit"
	// UpdateApprove records an approval (Decision).
	UpdateApprove = "approve"
	// UpdateReject rejects a quote awaiting approval (Decision, reason required).
	UpdateReject = "reject"
	// UpdateRevise prices new lines as a new version (Revision).
	UpdateRevise = "revise"
	// UpdateWithdraw withdraws the quote (Decision).
	UpdateWithdraw = "withdraw"
	// UpdateAccept records the customer's acceptance and closes the deal
	// as won (Acceptance).
	UpdateAccept = "accept"
	// QueryState returns the workflow's State.
	QueryState = "state"
)

// Quote statuses. A revision makes the quote a draft again, as its next
// version; the version it replaces is superseded (an event says so) and can
// no longer be accepted.
const (
	StatusDraft           = "draft"
	StatusSubmitted       = "submitted"
	StatusPendingApproval = "pending_approval"
	StatusApproved        = "approved"
	StatusAccepted        = "accepted"
	StatusRejected        = "rejected"
	StatusWithdrawn       = "withdrawn"
	StatusExpired         = "expired"
)

// Final reports whether a quote in status s takes no further step.
func Final(s string) bool {
	return s == StatusAccepted || s == StatusRejected || s == StatusWithdrawn || s == StatusExpired
}

// Input starts a QuoteLifecycle workflow.
type Input struct {
	QuoteID        string               `json:"quote_id"`
	DealID         string               `json:"deal_id"`
	DealWorkflowID string               `json:"deal_workflow_id"`
	PartnerID      string               `json:"partner_id"`
	Currency       string               `json:"currency"`
	Creator        domain.Actor         `json:"creator"`
	Lines          []domain.LineRequest `json:"lines"`
}

// Decision is a step with a free-text reason: submit, approve, reject,
// withdraw.
type Decision struct {
	Actor  domain.Actor `json:"actor"`
	Reason string       `json:"reason"`
}

// Revision replaces the quote's lines: a new version, priced anew.
type Revision struct {
	Actor  domain.Actor         `json:"actor"`
	Lines  []domain.LineRequest `json:"lines"`
	Reason string               `json:"reason"`
}

// Acceptance is the customer's acceptance of an approved quote.
type Acceptance struct {
	Actor    domain.Actor `json:"actor"`
	PONumber string       `json:"po_number"`
	// AcceptedOn is the day the customer accepted (YYYY-MM-DD); the deal's
	// close date.
	AcceptedOn string `json:"accepted_on"`
}

// Approval is one person's approval of a quote version.
type Approval struct {
	Actor domain.Actor `json:"actor"`
	At    time.Time    `json:"at"`
}

// State is the workflow's whole state, returned by updates and the query.
type State struct {
	QuoteID   string `json:"quote_id"`
	DealID    string `json:"deal_id"`
	PartnerID string `json:"partner_id"`
	Status    string `json:"status"`
	// Version is the quote's current version; earlier ones are superseded.
	Version  int    `json:"version"`
	Currency string `json:"currency"`
	// Priced is the current version's pricing: every line's waterfall.
	Priced domain.PricedQuote `json:"priced"`
	// RequiredApprovals is how many approvals the version needs (the
	// approval matrix: 0, 1 channel manager, or a manager then finance).
	RequiredApprovals int          `json:"required_approvals"`
	Approvals         []Approval   `json:"approvals,omitempty"`
	Submitter         domain.Actor `json:"submitter"`
	Creator           domain.Actor `json:"creator"`
	SubmittedAt       time.Time    `json:"submitted_at"`
	ApprovalReminded  bool         `json:"approval_reminded"`
	Escalated         bool         `json:"escalated"`
	PricedAt          time.Time    `json:"priced_at"`
	ValidUntil        time.Time    `json:"valid_until"`
	ExpiryReminded    bool         `json:"expiry_reminded"`
	PONumber          string       `json:"po_number,omitempty"`
	AcceptedOn        string       `json:"accepted_on,omitempty"`
	// Validity, Reminder and ApprovalSLA come from the policy version the
	// quote was priced with.
	Validity    time.Duration `json:"validity"`
	Reminder    time.Duration `json:"reminder"`
	ApprovalSLA time.Duration `json:"approval_sla"`
	Seq         int           `json:"seq"`
}
