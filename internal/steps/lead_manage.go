package steps

import (
	"encoding/json"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/workflows/lead"
	"github.com/google/uuid"
)

// LeadManageRequest is the body of a channel manager's step on a lead
// (POST /v1/leads/{id}/reoffer|assign|close|convert) and the console's
// forms for them: reoffer takes an optional reason; assign a partner_id;
// close a close_reason (and a reason when it is "other"); convert a kind
// (and for vendor_sourced a partner_id), optionally the registration's
// expected close date and amount (when sent, above zero).
type LeadManageRequest struct {
	Reason            string      `json:"reason" validate:"max=2000,multiline"`
	PartnerID         string      `json:"partner_id" validate:"omitempty,uuid"`
	CloseReason       string      `json:"close_reason" validate:"omitempty,oneof=duplicate junk no_interest other"`
	Kind              domain.Kind `json:"kind" validate:"omitempty,oneof=vendor_sourced referral"`
	ExpectedCloseDate string      `json:"expected_close_date" validate:"omitempty,datetime=2006-01-02"`
	Amount            *int64      `json:"amount" validate:"required_with=Currency,omitempty,gt=0,lte=1000000000000000"`
	Currency          string      `json:"currency" validate:"required_with=Amount,omitempty,currency"`
}

// Required names the fields step update cannot do without.
func (b LeadManageRequest) Required(update string) []web.FieldError {
	var errs []web.FieldError
	need := func(field, v string) {
		if v == "" {
			errs = append(errs, web.FieldError{Field: field, Message: "is required"})
		}
	}
	switch update {
	case lead.UpdateAssign:
		need("partner_id", b.PartnerID)
	case lead.UpdateClose:
		need("close_reason", b.CloseReason)
		if b.CloseReason == lead.CloseOther {
			need("reason", b.Reason)
		}
	case lead.UpdateConvert:
		need("kind", string(b.Kind))
		if b.Kind == domain.KindVendorSourced {
			need("partner_id", b.PartnerID)
		}
	}
	return errs
}

// Manage is the workflow's step for the request, taken by actor.
func (b LeadManageRequest) Manage(actor domain.Actor) lead.Manage {
	m := lead.Manage{Actor: actor, Reason: b.Reason, PartnerID: b.PartnerID,
		CloseReason: b.CloseReason, Kind: b.Kind, ExpectedCloseDate: b.ExpectedCloseDate, Currency: b.Currency}
	if b.Amount != nil {
		m.Amount = *b.Amount
	}
	return m
}

// LeadManageInput is what the lead's workflow takes a manager's step on:
// the running one for an offered lead (its id alone), a new run for a
// queued one (its workflow has ended), started from the lead as recorded,
// its attribution and its state (last event, round, tried — the partners
// offered it, first offer first — and the conflicts found).
func LeadManageInput(l dbq.Lead, tried []uuid.UUID) (lead.Input, error) {
	if l.Status != lead.StatusQueued {
		return lead.Input{LeadID: l.ID.String()}, nil
	}
	r := &lead.Resume{Status: l.Status, Seq: l.LastEventSeq, Round: int(l.Round)}
	for _, p := range tried {
		r.Tried = append(r.Tried, p.String())
	}
	if len(l.Conflicts) > 0 {
		if err := json.Unmarshal(l.Conflicts, &r.Conflicts); err != nil {
			return lead.Input{}, err
		}
	}
	in := lead.Input{LeadID: l.ID.String(), ProgramID: l.ProgramID.String(), Source: l.Source,
		Creator: domain.Actor{ID: l.CreatedBy},
		Lead: lead.Lead{Company: domain.Customer{Name: l.CompanyName, Domain: l.CompanyDomain, Country: l.Country},
			RegistrableDomain: l.RegistrableDomain, Region: l.Region,
			Contact:      domain.Contact{Name: l.ContactName, Email: l.ContactEmail},
			ProductLines: l.ProductLines, Tags: l.Tags, Amount: l.Amount, Currency: l.Currency, Notes: l.Notes},
		Resume: r}
	if l.AttributedPartnerID.Valid || l.ReferralCode.Valid {
		in.Attribution = &lead.Attribution{Code: l.ReferralCode.String, TouchedAt: l.TouchedAt.Time,
			ConsentVersion: l.ConsentVersion.String, ConsentAt: l.ConsentAt.Time}
		if l.AttributedPartnerID.Valid {
			in.Attribution.PartnerID = l.AttributedPartnerID.UUID.String()
		}
	}
	return in, nil
}
