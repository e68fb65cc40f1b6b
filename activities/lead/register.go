package lead

import (
	"context"
	"errors"
	"fmt"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/deal"
	"github.com/dealflow/dealflow/workflows/lead"
	"go.temporal.io/sdk/temporal"
)

// RegisterInput turns an accepted lead into a vendor-sourced registration
// of the accepting partner.
type RegisterInput struct {
	LeadID            string       `json:"lead_id"`
	Round             int          `json:"round"`
	PartnerID         string       `json:"partner_id"`
	Actor             domain.Actor `json:"actor"`
	Lead              lead.Lead    `json:"lead"`
	ExpectedCloseDate string       `json:"expected_close_date"`
	// Kind is the registration's kind: vendor_sourced (the default: an
	// accepted lead) or referral (a referred lead a manager converts,
	// credited to its referring partner).
	Kind domain.Kind `json:"kind,omitempty"`
	// Key makes the registration idempotent (default: lead and round).
	Key string `json:"key,omitempty"`
	// ReferralCode is the referral link the lead came through, noted on a
	// converted referral.
	ReferralCode string `json:"referral_code,omitempty"`
}

// RegisterResult is the registration: its deal id and status after
// screening (approved, or conflict_review when the conflict engine found
// another claim on the customer).
type RegisterResult struct {
	DealID string `json:"deal_id"`
	Status string `json:"status"`
}

// LeadRegister submits the registration through the deal context's client,
// keyed by the lead and round: retried, it joins the same deal workflow
// rather than start another.
func (a *Activities) LeadRegister(ctx context.Context, in RegisterInput) (RegisterResult, error) {
	key := in.Key
	if key == "" {
		key = fmt.Sprintf("lead:%s:%d", in.LeadID, in.Round)
	}
	kind, notes := in.Kind, "lead "+in.LeadID+" passed by the vendor"
	switch {
	case kind == "":
		kind = domain.KindVendorSourced
	case kind == domain.KindReferral:
		notes = "lead " + in.LeadID + " referred by this partner"
		if in.ReferralCode != "" {
			notes += " (referral link " + in.ReferralCode + ")"
		}
		notes += ", converted by the vendor"
	case in.Key != "":
		notes = "lead " + in.LeadID + " converted by the vendor from its queue"
	}
	dealID := deal.IdempotentID(in.PartnerID, key).String()
	l := in.Lead
	st, err := a.Deals.Submit(ctx, deal.Input{
		DealID: dealID, PartnerID: in.PartnerID, Submitter: in.Actor, IdempotencyKey: key, RequestHash: key,
		Registration: domain.Registration{
			Kind: kind, Customer: l.Company, RegistrableDomain: l.RegistrableDomain,
			Contact: l.Contact, ProductLines: l.ProductLines, Amount: l.Amount, Currency: l.Currency,
			ExpectedCloseDate: in.ExpectedCloseDate, Notes: notes,
		},
	})
	if errors.Is(err, deal.ErrCompleted) {
		return RegisterResult{DealID: dealID, Status: "completed"}, nil
	}
	if r, ok := workflows.AsRefusal(err); ok {
		return RegisterResult{}, temporal.NewNonRetryableApplicationError(r.Message, r.Kind, err)
	}
	if err != nil {
		return RegisterResult{}, err
	}
	return RegisterResult{DealID: dealID, Status: string(st.Status)}, nil
}

// ReleaseInput withdraws the registration of a lead pulled back.
type ReleaseInput struct {
	DealID string `json:"deal_id"`
	Reason string `json:"reason"`
}

// LeadRelease withdraws the registration as dealflow itself. A deal that has
// moved on (won, lost, ended) is left as it is: retrying changes nothing.
func (a *Activities) LeadRelease(ctx context.Context, in ReleaseInput) error {
	_, err := a.Deals.Step(ctx, deal.WorkflowID(in.DealID), deal.UpdateWithdraw, deal.Decision{Actor: domain.SystemActor, Reason: in.Reason})
	if r, ok := workflows.AsRefusal(err); ok && (r.Kind == workflows.ErrTypeFinished || r.Kind == workflows.ErrTypeInvalidTransition) {
		return nil
	}
	return err
}
