// Package lead is the lead distribution context's contract and typed
// client: the LeadDistribution workflow's ID, update and query names, and
// the input and state types the API exchanges with it (client.go sends
// them). The workflow itself is in workflows/lead/distribution.
package lead

import (
	"time"

	"github.com/dealflow/dealflow/domain"
)

// WorkflowType is the registered name of the lead workflow
// (distribution.LeadDistribution), which running histories carry.
const WorkflowType = "LeadDistribution"

// WorkflowID is the workflow ID of lead leadID: one workflow per lead.
func WorkflowID(leadID string) string { return "lead/" + leadID }

// Update and query names of the LeadDistribution workflow.
const (
	// UpdateRouted waits until the new lead is recorded and its first
	// offer made (or it went to the vendor's queue), then returns its
	// state. The API sends it with the start.
	UpdateRouted = "routed"
	// UpdateAccept is an offered partner taking the lead (Step); the first
	// to accept wins, every later acceptance is refused.
	UpdateAccept = "accept"
	// UpdateDecline is an offered partner turning it down (Step, reason required).
	UpdateDecline = "decline"
	// UpdateContacted is the holding partner recording its first contact
	// with the customer (Step), which stops the first-contact deadline.
	UpdateContacted = "contacted"
	// QueryState returns the workflow's State.
	QueryState = "state"
)

// Lead statuses.
const (
	StatusNew      = "new"      // recorded, not yet offered
	StatusOffered  = "offered"  // offered to one or more partners
	StatusAccepted = "accepted" // a partner holds it; first contact pending
	StatusWorking  = "working"  // the partner made first contact: the workflow's job is done
	StatusQueued   = "queued"   // back in the vendor's queue: nobody (more) to offer it to
)

// Lead sources.
const (
	SourceVendor          = "vendor"
	SourceImport          = "import"
	SourceForm            = "form"
	SourcePartnerReferral = "partner_referral"
)

// Lead is what is known of a lead: the company, the contact, what it is
// interested in and its estimated value, validated by the API.
type Lead struct {
	Company           domain.Customer `json:"company"`
	RegistrableDomain string          `json:"registrable_domain"`
	Region            string          `json:"region,omitempty"`
	Contact           domain.Contact  `json:"contact"`
	ProductLines      []string        `json:"product_lines"`
	Tags              []string        `json:"tags,omitempty"`
	// Amount is the estimated value in minor units of Currency.
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
	Notes    string `json:"notes,omitempty"`
}

// Facts are what routing looks at.
func (l Lead) Facts() domain.LeadFacts {
	return domain.LeadFacts{Country: l.Company.Country, Region: l.Region, ProductLines: l.ProductLines, Tags: l.Tags}
}

// Input starts a LeadDistribution workflow.
type Input struct {
	LeadID    string       `json:"lead_id"`
	ProgramID string       `json:"program_id"`
	Source    string       `json:"source"`
	Creator   domain.Actor `json:"creator"`
	Lead      Lead         `json:"lead"`
	// Attribution is how a referred lead arrived (form, partner referral).
	Attribution *Attribution `json:"attribution,omitempty"`
}

// Referred reports whether the lead is a referral (a partner's, or through
// a partner's link): the vendor works it, after conflict screening; it is
// not routed to partners.
func (in Input) Referred() bool { return in.Source == SourceForm || in.Source == SourcePartnerReferral }

// Attribution is the referral a lead is attributed to (domain.Attribute
// chose it under the program's policy), and the consent its submitter gave.
type Attribution struct {
	Code           string    `json:"code,omitempty"`
	PartnerID      string    `json:"partner_id,omitempty"`
	TouchedAt      time.Time `json:"touched_at"`
	ConsentVersion string    `json:"consent_version,omitempty"`
	ConsentAt      time.Time `json:"consent_at"`
}

// Step is a partner's step on a lead: accept, decline (with a reason) or
// record first contact (with an optional note).
type Step struct {
	Actor  domain.Actor `json:"actor"`
	Reason string       `json:"reason,omitempty"`
}

// State is the workflow's whole state, returned by updates and the query.
type State struct {
	LeadID    string            `json:"lead_id"`
	ProgramID string            `json:"program_id"`
	Status    string            `json:"status"`
	Seq       int32             `json:"seq"`
	Policy    domain.LeadPolicy `json:"policy"`
	// Round counts offers made (each round offers to one partner, or to
	// BroadcastTo partners).
	Round int `json:"round"`
	// Offered are the partners whose offer of this round is open.
	Offered []string `json:"offered,omitempty"`
	// Tried are the partners offered the lead in earlier rounds (or who
	// declined): never offered it again.
	Tried        []string  `json:"tried,omitempty"`
	Rule         string    `json:"rule,omitempty"`
	AcceptDueAt  time.Time `json:"accept_due_at"`
	ReminderSent bool      `json:"reminder_sent"`
	// PartnerID holds the lead once accepted; DealID is its registration.
	PartnerID    string    `json:"partner_id,omitempty"`
	DealID       string    `json:"deal_id,omitempty"`
	DealStatus   string    `json:"deal_status,omitempty"`
	ContactDueAt time.Time `json:"contact_due_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	// Conflicts are what screening found for a referred lead.
	Conflicts []domain.Conflict `json:"conflicts,omitempty"`
}
