// Package workflows holds dealflow's Temporal workflows and, in this file,
// their contract: task queue, workflow IDs, update and query names, search
// attributes, and the input and result types the API exchanges with them.
// The API imports this package for those names; nothing else spells them.
package workflows

import (
	"time"

	"github.com/dealflow/dealflow/domain"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// TaskQueue is the task queue that deal workflows and activities run on.
const TaskQueue = "dealflow-deals"

// DealWorkflowID is the workflow ID of the deal registration dealID, so that
// one deal has exactly one workflow.
func DealWorkflowID(dealID string) string { return "deal/" + dealID }

// Update and query names of the DealRegistration workflow.
const (
	// UpdateSubmitted waits until the new registration is persisted and
	// screened, then returns its state. The API sends it with the start.
	UpdateSubmitted = "submitted"
	// UpdateApprove records a channel manager's approval.
	UpdateApprove = "approve"
	// UpdateReject records a channel manager's rejection.
	UpdateReject = "reject"
	// QueryState returns the workflow's DealState.
	QueryState = "state"
)

// ErrTypeInvalidTransition is the ApplicationError type of an update refused
// because the deal's status does not allow it (the API answers 409).
const ErrTypeInvalidTransition = "InvalidTransition"

// ErrTypeForbidden is the ApplicationError type of an update refused because
// the actor's role may not take that step (the API answers 403).
const ErrTypeForbidden = "Forbidden"

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
}

// Decision is a person's approval or rejection.
type Decision struct {
	Actor  domain.Actor `json:"actor"`
	Reason string       `json:"reason"`
}

// DealState is the workflow's view of a deal, returned by updates and the
// state query.
type DealState struct {
	DealID    string        `json:"deal_id"`
	PartnerID string        `json:"partner_id"`
	Status    domain.Status `json:"status"`
	// Seq is the sequence number of the last recorded event.
	Seq       int32     `json:"seq"`
	UpdatedAt time.Time `json:"updated_at"`
}
