// Package cosell is the co-selling context's contract and typed client:
// the CoSellEngagement workflow's ID, update, signal and query names, and
// the input, step and state types the API exchanges with it (client.go
// sends them). The workflow itself is in workflows/cosell/engagement.
package cosell

import (
	"time"

	"github.com/dealflow/dealflow/domain"
)

// WorkflowType is the registered name of the engagement workflow
// (engagement.CoSellEngagement), which running histories carry.
const WorkflowType = "CoSellEngagement"

// WorkflowID is the workflow ID of the co-sell engagement on deal dealID:
// one open engagement per deal, so that the deal's workflow can tell it
// the deal ended without looking anything up.
func WorkflowID(dealID string) string { return "cosell/" + dealID }

// Update, signal and query names of the CoSellEngagement workflow. Every
// human step is an Update with a validator.
const (
	// UpdateStarted waits until the request is recorded and routed, then
	// returns its state. The API sends it with the start.
	UpdateStarted = "started"
	// UpdateAccept: the assigned seller takes the request on (Decision).
	UpdateAccept = "accept"
	// UpdateDecline: the assigned seller declines it, with a reason (Decision).
	UpdateDecline = "decline"
	// UpdateReassign: a channel manager routes it to another seller (Reassignment).
	UpdateReassign = "reassign"
	// UpdateAddMilestone adds a milestone to the joint plan (MilestoneInput).
	UpdateAddMilestone = "add-milestone"
	// UpdateCompleteMilestone marks one done (MilestoneDone).
	UpdateCompleteMilestone = "complete-milestone"
	// UpdateAddNote adds a note both sides see (NoteInput).
	UpdateAddNote = "add-note"
	// UpdateSetStage moves the engagement's stage (StageInput).
	UpdateSetStage = "set-stage"
	// UpdateSetNextSteps replaces the agreed next steps (NextStepsInput).
	UpdateSetNextSteps = "set-next-steps"
	// SignalDealEnded tells the engagement its deal ended (DealEnded); the
	// deal's workflow sends it when the deal reaches a final status.
	SignalDealEnded = "deal-ended"
	// QueryState returns the workflow's State.
	QueryState = "state"
)

// Status is where an engagement stands.
type Status string

// The statuses of an engagement: requested (awaiting its seller's
// answer), accepted (worked jointly), declined and ended (final).
const (
	StatusRequested Status = "requested"
	StatusAccepted  Status = "accepted"
	StatusDeclined  Status = "declined"
	StatusEnded     Status = "ended"
)

// Final reports whether the engagement takes no more steps.
func (s Status) Final() bool { return s == StatusDeclined || s == StatusEnded }

// How a request found its seller.
const (
	ViaAccountOwner = "account_owner"
	ViaTerritory    = "territory"
	ViaQueue        = "queue"
	ViaReassigned   = "reassigned"
)

// Assignment is whom a request is routed to: a seller's e-mail, or ""
// for the channel managers' queue, and how they were found.
type Assignment struct {
	Email string `json:"email"`
	Via   string `json:"via"`
}

// Request is what the partner asks for.
type Request struct {
	Type domain.CoSellType `json:"type"`
	// NeedBy is the day (YYYY-MM-DD) the partner needs the help by.
	NeedBy  string `json:"need_by"`
	Message string `json:"message"`
}

// Input starts a CoSellEngagement workflow.
type Input struct {
	EngagementID string              `json:"engagement_id"`
	DealID       string              `json:"deal_id"`
	PartnerID    string              `json:"partner_id"`
	Requester    domain.Actor        `json:"requester"`
	Request      Request             `json:"request"`
	Policy       domain.CoSellPolicy `json:"policy"`
	// Resume carries the state into a run continued as new.
	Resume *State `json:"resume,omitempty"`
}

// Caller is who takes a step: the actor recorded, and the e-mail of the
// person behind it (what a seller's assignment names).
type Caller struct {
	Actor domain.Actor `json:"actor"`
	Email string       `json:"email,omitempty"`
}

// Decision accepts or declines a request; a decline needs a reason.
type Decision struct {
	Caller
	Reason string `json:"reason"`
}

// Reassignment routes a request to another seller.
type Reassignment struct {
	Caller
	SellerEmail string `json:"seller_email"`
	Reason      string `json:"reason"`
}

// MilestoneInput adds a milestone to the joint plan.
type MilestoneInput struct {
	Caller
	Title string               `json:"title"`
	Side  domain.MilestoneSide `json:"side"`
	Owner string               `json:"owner"`
	// Due is the day (YYYY-MM-DD) it is due.
	Due string `json:"due"`
}

// MilestoneDone marks milestone ID done.
type MilestoneDone struct {
	Caller
	ID string `json:"id"`
}

// NoteInput adds a note to the engagement.
type NoteInput struct {
	Caller
	Body string `json:"body"`
}

// StageInput moves the engagement's stage.
type StageInput struct {
	Caller
	Stage  domain.CoSellStage `json:"stage"`
	Reason string             `json:"reason"`
}

// NextStepsInput replaces the engagement's next steps.
type NextStepsInput struct {
	Caller
	NextSteps string `json:"next_steps"`
}

// DealEnded is what the deal's workflow signals when the deal ends.
type DealEnded struct {
	DealID  string               `json:"deal_id"`
	Status  domain.Status        `json:"status"`
	Outcome domain.CoSellOutcome `json:"outcome"`
	At      time.Time            `json:"at"`
}

// Milestone is one step of the joint plan.
type Milestone struct {
	ID       string               `json:"id"`
	Title    string               `json:"title"`
	Side     domain.MilestoneSide `json:"side"`
	Owner    string               `json:"owner"`
	Due      string               `json:"due"`
	Done     bool                 `json:"done"`
	Reminded bool                 `json:"reminded"`
	Overdue  bool                 `json:"overdue"`
}

// Note is a note on the engagement, which both sides see.
type Note struct {
	Seq    int32        `json:"seq"`
	Author domain.Actor `json:"author"`
	Body   string       `json:"body"`
	At     time.Time    `json:"at"`
}

// State is the workflow's whole state: returned by updates and the state
// query, carried across continue-as-new, and projected into PostgreSQL.
type State struct {
	EngagementID string              `json:"engagement_id"`
	DealID       string              `json:"deal_id"`
	PartnerID    string              `json:"partner_id"`
	Status       Status              `json:"status"`
	Seq          int32               `json:"seq"`
	UpdatedAt    time.Time           `json:"updated_at"`
	Request      Request             `json:"request"`
	Policy       domain.CoSellPolicy `json:"policy"`
	Assignee     Assignment          `json:"assignee"`
	// RoutedAt starts the response SLA; RespondBy ends it.
	RoutedAt      time.Time            `json:"routed_at"`
	RespondBy     time.Time            `json:"respond_by"`
	Reminded      bool                 `json:"reminded"`
	Escalated     bool                 `json:"escalated"`
	DeclineReason string               `json:"decline_reason,omitempty"`
	Stage         domain.CoSellStage   `json:"stage,omitempty"`
	Milestones    []Milestone          `json:"milestones"`
	Notes         []Note               `json:"notes"`
	NextSteps     string               `json:"next_steps,omitempty"`
	Outcome       domain.CoSellOutcome `json:"outcome,omitempty"`
}
