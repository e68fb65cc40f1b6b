package api

import (
	"encoding/json"
	"net/http"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/workflows/lead"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// leadManageRoutes are the channel managers' steps on a lead offered to
// partners or in the vendor's queue.
func (s *Server) leadManageRoutes() []Route {
	return []Route{
		{http.MethodPost, "/v1/leads/:id/reoffer", web.DeciderRoles, s.leadManage(lead.UpdateReoffer)},
		{http.MethodPost, "/v1/leads/:id/assign", web.DeciderRoles, s.leadManage(lead.UpdateAssign)},
		{http.MethodPost, "/v1/leads/:id/close", web.DeciderRoles, s.leadManage(lead.UpdateClose)},
		{http.MethodPost, "/v1/leads/:id/convert", web.DeciderRoles, s.leadManage(lead.UpdateConvert)},
	}
}

// leadManageBody is the body of a manager's step: reoffer takes an
// optional reason; assign a partner_id; close a close_reason (and a reason
// when it is "other"); convert a kind (and for vendor_sourced a
// partner_id), optionally the registration's expected close date and
// amount.
type leadManageBody struct {
	Reason            string      `json:"reason" validate:"max=2000,multiline"`
	PartnerID         string      `json:"partner_id" validate:"omitempty,uuid"`
	CloseReason       string      `json:"close_reason" validate:"omitempty,oneof=duplicate junk no_interest other"`
	Kind              domain.Kind `json:"kind" validate:"omitempty,oneof=vendor_sourced referral"`
	ExpectedCloseDate string      `json:"expected_close_date" validate:"omitempty,datetime=2006-01-02"`
	Amount            int64       `json:"amount" validate:"required_with=Currency,omitempty,gt=0,lte=1000000000000000"`
	Currency          string      `json:"currency" validate:"required_with=Amount,omitempty,currency"`
}

// required names the fields step update cannot do without.
func (b leadManageBody) required(update string) []web.FieldError {
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

// leadManage sends a channel manager's step to the lead's workflow: the
// running one for an offered lead, a resumed run for a queued one (its
// workflow has ended). 200 with the lead; a refused step answers
// problem+json (409 for a lead in another status, 422 for bad input).
func (s *Server) leadManage(update string) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := uuid.Parse(c.Param("id"))
		var l dbq.Lead
		if err == nil {
			l, err = s.q.LeadGet(c, dbq.LeadGetParams{ID: id})
		}
		if err != nil {
			if db.IsNotFound(err) || id == uuid.Nil {
				web.Fail(c, http.StatusNotFound, web.ProblemNotFound, "no such lead")
				return
			}
			web.Unavailable(c, s.log, err)
			return
		}
		var body leadManageBody
		if !s.decodeJSON(c, &body, update == lead.UpdateReoffer) {
			return
		}
		var errs []web.FieldError
		if err := s.validate.Struct(&body); err != nil {
			errs = web.FieldErrors(err)
		}
		if errs = web.MergeFieldErrors(errs, body.required(update)); len(errs) > 0 {
			web.ValidationProblem(c, errs)
			return
		}
		if body.PartnerID != "" && !s.partnerExists(c, body.PartnerID) {
			return
		}
		in := lead.Input{LeadID: id.String()}
		if l.Status == lead.StatusQueued {
			if in, err = s.resumeInput(c, l); err != nil {
				web.Unavailable(c, s.log, err)
				return
			}
		}
		m := lead.Manage{Actor: web.PrincipalOf(c).Actor(), Reason: body.Reason, PartnerID: body.PartnerID,
			CloseReason: body.CloseReason, Kind: body.Kind, ExpectedCloseDate: body.ExpectedCloseDate,
			Amount: body.Amount, Currency: body.Currency}
		if _, err := s.leads.Manage(c, in, update, m); err != nil {
			s.refused(c, err, target{noun: "lead"})
			return
		}
		s.respondLead(c, http.StatusOK, id)
	}
}

// partnerExists answers 422 on partner_id when it names no partner.
func (s *Server) partnerExists(c *gin.Context, id string) bool {
	_, err := s.q.PartnerGet(c, uuid.MustParse(id))
	switch {
	case err == nil:
		return true
	case db.IsNotFound(err):
		web.ValidationProblem(c, []web.FieldError{{Field: "partner_id", Message: "names no partner"}})
	default:
		web.Unavailable(c, s.log, err)
	}
	return false
}

// resumeInput is what a new run of queued lead l's workflow starts from:
// the lead as recorded, its attribution, and its state (last event, round,
// the partners offered it, conflicts found).
func (s *Server) resumeInput(c *gin.Context, l dbq.Lead) (lead.Input, error) {
	tried, err := s.q.LeadTried(c, l.ID)
	if err != nil {
		return lead.Input{}, err
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
