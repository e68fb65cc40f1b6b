package cosell

import (
	"encoding/json"
	"time"

	"github.com/dealflow/dealflow/domain"
)

// OpportunityWorkflowType is the registered name of the shared-opportunity
// workflow (opportunity.SharedOpportunity): the vendor → partner direction
// of co-selling.
const OpportunityWorkflowType = "SharedOpportunity"

// OpportunityWorkflowID is the workflow ID of shared opportunity id.
func OpportunityWorkflowID(id string) string { return "cosell-opp/" + id }

// Update and query names of the SharedOpportunity workflow. Every human
// step is an Update with a validator; the workflow runs them one at a time,
// so of several partners accepting at once exactly one wins.
const (
	// UpdateShared waits until the opportunity and its invitations are
	// recorded, then returns its state. The API sends it with the start.
	UpdateShared = "shared"
	// UpdateInvitationAccept: an invited partner takes the opportunity
	// (first_to_accept mode; InvitationStep).
	UpdateInvitationAccept = "accept"
	// UpdateInvitationDecline: an invited partner turns it down, with a
	// reason (InvitationStep).
	UpdateInvitationDecline = "decline"
	// UpdateInvitationInterest: an invited partner would take it
	// (seller_chooses mode; InvitationStep).
	UpdateInvitationInterest = "interest"
	// UpdateChoose: the seller picks one interested partner (Choice).
	UpdateChoose = "choose"
	// UpdateWithdraw: the seller takes the opportunity back (Decision).
	UpdateWithdraw = "withdraw"
	// QueryOpportunity returns the workflow's OpportunityState.
	QueryOpportunity = "state"
)

// OpportunityStatus is where a shared opportunity stands.
type OpportunityStatus string

// The statuses of a shared opportunity: open (invitations out), awarded
// (a partner won it), returned (every invitation expired or was declined:
// back to the seller), withdrawn (by the seller).
const (
	OpportunityOpen      OpportunityStatus = "open"
	OpportunityAwarded   OpportunityStatus = "awarded"
	OpportunityReturned  OpportunityStatus = "returned"
	OpportunityWithdrawn OpportunityStatus = "withdrawn"
)

// Final reports whether the opportunity takes no more steps.
func (s OpportunityStatus) Final() bool { return s != OpportunityOpen }

// InvitationStatus is where one partner's invitation stands.
type InvitationStatus string

// The statuses of an invitation. accepted is the winner (its DealID is the
// vendor_sourced registration); lost: another partner won.
const (
	InvitationOpen       InvitationStatus = "open"
	InvitationInterested InvitationStatus = "interested"
	InvitationAccepted   InvitationStatus = "accepted"
	InvitationDeclined   InvitationStatus = "declined"
	InvitationExpired    InvitationStatus = "expired"
	InvitationLost       InvitationStatus = "lost"
	InvitationWithdrawn  InvitationStatus = "withdrawn"
)

// Pending reports whether the invitation still awaits an outcome.
func (s InvitationStatus) Pending() bool { return s == InvitationOpen || s == InvitationInterested }

// Opportunity is what the seller shares: the vendor's opportunity,
// validated by the API.
type Opportunity struct {
	CustomerName      string   `json:"customer_name"`
	RegistrableDomain string   `json:"registrable_domain"`
	Country           string   `json:"country"`
	ProductLines      []string `json:"product_lines"`
	// Amount is in minor units of Currency.
	Amount       int64    `json:"amount"`
	Currency     string   `json:"currency"`
	Capabilities []string `json:"capabilities,omitempty"`
	// ExpectedCloseDate is YYYY-MM-DD.
	ExpectedCloseDate string `json:"expected_close_date"`
	Notes             string `json:"notes,omitempty"`
}

// OpportunityInput starts a SharedOpportunity workflow.
type OpportunityInput struct {
	OpportunityID string           `json:"opportunity_id"`
	Seller        Caller           `json:"seller"`
	Mode          domain.ShareMode `json:"mode"`
	Opportunity   Opportunity      `json:"opportunity"`
	// Partners are the invited partners (the API chose them by Filters).
	Partners []string        `json:"partners"`
	Filters  json.RawMessage `json:"filters,omitempty"`
	// ExpiresAt is when the invitations expire.
	ExpiresAt time.Time `json:"expires_at"`
}

// InvitationStep is an invited partner's step: accept, decline (reason
// required) or express interest.
type InvitationStep struct {
	Actor  domain.Actor `json:"actor"`
	Reason string       `json:"reason,omitempty"`
}

// Choice is the seller picking the interested partner PartnerID.
type Choice struct {
	Caller
	PartnerID string `json:"partner_id"`
	Reason    string `json:"reason,omitempty"`
}

// Invitation is one partner's invitation as the workflow holds it.
type Invitation struct {
	PartnerID    string           `json:"partner_id"`
	Status       InvitationStatus `json:"status"`
	Reason       string           `json:"reason,omitempty"`
	ExpiresAt    time.Time        `json:"expires_at"`
	InterestedAt time.Time        `json:"interested_at"`
	DecidedAt    time.Time        `json:"decided_at"`
	DealID       string           `json:"deal_id,omitempty"`
	// By is the partner's user who expressed interest or accepted: the
	// submitter of the registration the invitation becomes.
	By *domain.Actor `json:"by,omitempty"`
}

// OpportunityState is the workflow's whole state: returned by updates and
// the query, and projected into PostgreSQL.
type OpportunityState struct {
	OpportunityID string            `json:"opportunity_id"`
	Mode          domain.ShareMode  `json:"mode"`
	Status        OpportunityStatus `json:"status"`
	SellerEmail   string            `json:"seller_email"`
	Seq           int32             `json:"seq"`
	InvitedAt     time.Time         `json:"invited_at"`
	UpdatedAt     time.Time         `json:"updated_at"`
	Invitations   []Invitation      `json:"invitations"`
	// WinnerPartnerID won the opportunity; DealID is its registration and
	// DealStatus that registration's status after screening.
	WinnerPartnerID string `json:"winner_partner_id,omitempty"`
	DealID          string `json:"deal_id,omitempty"`
	DealStatus      string `json:"deal_status,omitempty"`
}

// Invitation returns partnerID's invitation, and whether it has one.
func (s OpportunityState) Invitation(partnerID string) (Invitation, bool) {
	for _, i := range s.Invitations {
		if i.PartnerID == partnerID {
			return i, true
		}
	}
	return Invitation{}, false
}
