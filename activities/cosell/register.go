package cosell

import (
	"context"
	"errors"
	"fmt"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/cosell"
	"github.com/dealflow/dealflow/workflows/deal"
)

// Registrar is what a shared opportunity needs of the deal context:
// submitting a registration (Update-with-Start, idempotent by key).
// *deal.Client is one.
type Registrar interface {
	Submit(ctx context.Context, in deal.Input) (deal.State, error)
}

// OpportunityRegisterInput turns the winner's acceptance of a shared
// opportunity into its vendor-sourced registration.
type OpportunityRegisterInput struct {
	OpportunityID string             `json:"opportunity_id"`
	PartnerID     string             `json:"partner_id"`
	Actor         domain.Actor       `json:"actor"`
	SellerEmail   string             `json:"seller_email"`
	Opportunity   cosell.Opportunity `json:"opportunity"`
}

// OpportunityRegistration is the registration: its deal id and status
// after screening (approved, or conflict_review when the conflict engine
// found another claim on the customer).
type OpportunityRegistration struct {
	DealID string `json:"deal_id"`
	Status string `json:"status"`
}

// RegisterSharedOpportunity submits the winner's registration (kind
// vendor_sourced) through the deal context's client, keyed by the
// opportunity: retried, it joins the same deal workflow rather than start
// another. Screening and the conflict engine are the deal context's own.
func (a *Activities) RegisterSharedOpportunity(ctx context.Context, in OpportunityRegisterInput) (OpportunityRegistration, error) {
	key := "cosell-opp:" + in.OpportunityID
	dealID := deal.IdempotentID(in.PartnerID, key).String()
	o := in.Opportunity
	st, err := a.Deals.Submit(ctx, deal.Input{
		DealID: dealID, PartnerID: in.PartnerID, Submitter: in.Actor, IdempotencyKey: key, RequestHash: key,
		Registration: domain.Registration{
			Kind:              domain.KindVendorSourced,
			Customer:          domain.Customer{Name: o.CustomerName, Domain: o.RegistrableDomain, Country: o.Country},
			RegistrableDomain: o.RegistrableDomain, ProductLines: o.ProductLines, Amount: o.Amount, Currency: o.Currency,
			ExpectedCloseDate: o.ExpectedCloseDate,
			Notes:             fmt.Sprintf("shared opportunity %s from seller %s", in.OpportunityID, in.SellerEmail),
		},
	})
	if errors.Is(err, deal.ErrCompleted) {
		return OpportunityRegistration{DealID: dealID, Status: "completed"}, nil
	}
	if err != nil {
		return OpportunityRegistration{}, err
	}
	return OpportunityRegistration{DealID: dealID, Status: string(st.Status)}, nil
}
