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
	// UpdateReoffer is a channel manager routing an offered or queued lead
	// again by the rules (Manage): open offers are withdrawn and the offer
	// budget starts over.
	UpdateReoffer = "reoffer"
	// UpdateAssign is a channel manager offering an offered or queued lead
	// to a partner it names (Manage.PartnerID), with the usual deadline.
	UpdateAssign = "assign"
	// UpdateClose is a channel manager closing an offered or queued lead
	// (Manage.CloseReason required): the workflow ends.
	UpdateClose = "close"
	// UpdateConvert is a channel manager turning a queued lead into a
	// registration (Manage.Kind, Manage.PartnerID): the workflow ends.
	UpdateConvert = "convert"
	// QueryState returns the workflow's State.
	QueryState = "state"
)

// ManagerStepsVersion is the workflow.GetVersion change id of the
// managers' steps (re-offer, assign, close, convert); runs begun before
// it take only the partners' steps.
const ManagerStepsVersion = "manager-steps"

// ResumeCheckVersion is the workflow.GetVersion change id of a resumed
// run checking that the lead's last recorded event is the one it started
// from (else it refuses the step: another came first).
const ResumeCheckVersion = "resume-check"

// Lead statuses.
const (
	StatusNew       = "new"       // recorded, not yet offered
	StatusOffered   = "offered"   // offered to one or more partners
	StatusAccepted  = "accepted"  // a partner holds it; first contact pending
	StatusWorking   = "working"   // the partner made first contact: the workflow's job is done
	StatusQueued    = "queued"    // back in the vendor's queue: nobody (more) to offer it to
	StatusClosed    = "closed"    // closed by a channel manager (duplicate, junk, no interest, other)
	StatusConverted = "converted" // turned into a registration from the vendor's queue
)

// Active reports whether a lead in status s is still being distributed:
// not queued, worked, closed or converted.
func Active(s string) bool {
	return s != StatusQueued && s != StatusWorking && s != StatusClosed && s != StatusConverted
}

// Reasons a channel manager closes a lead for.
const (
	CloseDuplicate  = "duplicate"
	CloseJunk       = "junk"
	CloseNoInterest = "no_interest"
	CloseOther      = "other" // a free-text reason is then required
)

// CloseReasons lists the reasons a lead is closed for.
func CloseReasons() []string { return []string{CloseDuplicate, CloseJunk, CloseNoInterest, CloseOther} }

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
	// Resume, set when a channel manager acts on a lead whose workflow
	// has ended (a queued lead), carries its recorded state into a new
	// run of the same workflow id; the lead is not recorded again.
	Resume *Resume `json:"resume,omitempty"`
}

// Resume is what a new run of a queued lead's workflow starts from: the
// projection's last event sequence, round, the partners offered it
// before and what screening found.
type Resume struct {
	Status    string            `json:"status"`
	Seq       int32             `json:"seq"`
	Round     int               `json:"round"`
	Tried     []string          `json:"tried,omitempty"`
	Conflicts []domain.Conflict `json:"conflicts,omitempty"`
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

// Manage is a channel manager's step on a lead: re-offer, assign (to
// PartnerID), close (CloseReason, and Reason when it is "other") or
// convert (Kind vendor_sourced for PartnerID, or referral credited to the
// lead's referring partner).
type Manage struct {
	Actor       domain.Actor `json:"actor"`
	Reason      string       `json:"reason,omitempty"`
	PartnerID   string       `json:"partner_id,omitempty"`
	CloseReason string       `json:"close_reason,omitempty"`
	Kind        domain.Kind  `json:"kind,omitempty"`
	// ExpectedCloseDate (YYYY-MM-DD) of a conversion's registration;
	// empty: 90 days on.
	ExpectedCloseDate string `json:"expected_close_date,omitempty"`
	// Amount (minor units) and Currency of a conversion's registration,
	// when the lead's estimate is not it (a form lead has none).
	Amount   int64  `json:"amount,omitempty"`
	Currency string `json:"currency,omitempty"`
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
	// OffersFrom is the round a manager's re-offer or assignment started
	// the offer budget (max_offers) over from.
	OffersFrom int `json:"offers_from,omitempty"`
	// AssignTo is the partner a manager named: the next offer goes to it
	// alone, whatever the rules.
	AssignTo string `json:"assign_to,omitempty"`
	// CloseReason is why a manager closed the lead.
	CloseReason string `json:"close_reason,omitempty"`
}
