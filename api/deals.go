package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/steps"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/read"
	"github.com/dealflow/dealflow/workflows/deal"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// createDeal registers a deal: it starts the deal's workflow and, in the
// same call (Update-with-Start), waits until the workflow has persisted and
// screened it, then answers 201 with the deal as stored. With an
// Idempotency-Key, the same key and body return the same deal, and the
// same key with another body is refused (422).
func (s *Server) createDeal(c *gin.Context) {
	key := strings.TrimSpace(c.GetHeader("Idempotency-Key"))
	if len(key) > 200 || !web.PrintableASCII(key) && key != "" {
		web.ValidationProblem(c, []web.FieldError{{Field: "Idempotency-Key", Message: "must be 1 to 200 printable ASCII characters"}})
		return
	}
	var req steps.CreateDealRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	req.Normalize()
	var errs []web.FieldError
	if err := s.validate.Struct(&req); err != nil {
		errs = web.FieldErrors(err)
	}
	reg, more := req.Registration(s.today())
	if errs = web.MergeFieldErrors(errs, more); len(errs) > 0 {
		web.ValidationProblem(c, errs)
		return
	}
	p := web.PrincipalOf(c)
	if ok := s.checkKind(c, p, reg.Kind); !ok {
		return
	}
	in := deal.Input{PartnerID: p.PartnerID.UUID.String(), Submitter: p.Actor(), Registration: reg}
	var dealID uuid.UUID
	if key != "" {
		in.IdempotencyKey, in.RequestHash = key, req.Hash()
		dealID = deal.IdempotentID(in.PartnerID, key)
		if existing, err := s.read.Deal(c, dealID, p.Scope()); err == nil {
			if existing.RequestHash.String != in.RequestHash {
				idempotencyMismatch(c)
				return
			}
			// A deal still being taken in (its first answer was lost, say to a
			// crash, or its run failed) is joined or taken in again below, and
			// answered once screened like the first.
			if st := domain.Status(existing.Status); st != domain.StatusSubmitted && st != domain.StatusScreening {
				s.replayed(c, existing, in.RequestHash)
				return
			}
		} else if !db.IsNotFound(err) {
			web.Unavailable(c, s.log, err)
			return
		}
	} else {
		var err error
		if dealID, err = uuid.NewV7(); err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
	}
	in.DealID = dealID.String()
	_, err := s.deals.Submit(c, in)
	switch {
	case errors.Is(err, deal.ErrCompleted):
		// The workflow of this key has finished: answer from its record.
		existing, gerr := s.read.Deal(c, dealID, p.Scope())
		if gerr != nil {
			web.Unavailable(c, s.log, gerr)
			return
		}
		s.replayed(c, existing, in.RequestHash)
		return
	case err != nil:
		s.refused(c, err, target{noun: "deal"})
		return
	}
	s.respondDeal(c, http.StatusCreated, dealID, p.Scope())
}

// replayed answers a repeated Idempotency-Key from the deal it created.
func (s *Server) replayed(c *gin.Context, d dbq.Deal, hash string) {
	if d.RequestHash.String != hash {
		idempotencyMismatch(c)
		return
	}
	c.Header("Idempotent-Replayed", "true")
	s.respondDeal(c, http.StatusCreated, d.ID, uuid.NullUUID{UUID: d.PartnerID, Valid: true})
}

func idempotencyMismatch(c *gin.Context) {
	web.WriteProblem(c, web.Problem{Type: web.ProblemIdempotency, Status: http.StatusUnprocessableEntity,
		Title:  "Idempotency-Key reused with another request",
		Detail: "this Idempotency-Key was used for a different registration; use a new key for a new deal"})
}

// checkKind refuses a kind of registration the partner's program does not
// allow its partner type (the workflow checks again at screening).
func (s *Server) checkKind(c *gin.Context, p web.Principal, kind domain.Kind) bool {
	fe, err := s.read.KindRefused(c, p, kind)
	switch {
	case err != nil:
		web.Unavailable(c, s.log, err)
		return false
	case fe != nil:
		web.ValidationProblem(c, []web.FieldError{*fe})
		return false
	}
	return true
}

// getDeal returns a deal with its timeline; partners see only their own
// organization's deals (another's answers 404, as if it did not exist).
func (s *Server) getDeal(c *gin.Context) {
	id, ok := pathID(c, "deal")
	if !ok {
		return
	}
	s.respondDeal(c, http.StatusOK, id, web.PrincipalOf(c).Scope())
}

// getTimeline returns a deal's events, oldest first.
func (s *Server) getTimeline(c *gin.Context) {
	id, ok := pathID(c, "deal")
	if !ok {
		return
	}
	scope := web.PrincipalOf(c).Scope()
	if _, err := s.read.Deal(c, id, scope); !s.found(c, err, "deal") {
		return
	}
	events, err := s.read.Events(c, id, scope)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"deal_id": id.String(), "events": read.EventsOf(events)})
}

// step returns the handler of one human step: decode and validate the body,
// find the deal within the caller's scope, and send the step through the
// deal client (an Update, whose validator refuses what the deal's state
// does not allow); a refusal is answered by the one mapping (refused).
func (s *Server) step(st steps.DealStep) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := pathID(c, "deal")
		if !ok {
			return
		}
		body := st.NewBody()
		if !s.decodeJSON(c, body, st.Optional) {
			return
		}
		if n, ok := body.(steps.Normalizer); ok {
			n.Normalize()
		}
		if err := s.validate.Struct(body); err != nil {
			web.ValidationProblem(c, web.FieldErrors(err))
			return
		}
		p := web.PrincipalOf(c)
		arg, errs := body.Arg(p.Actor(), s.today())
		if len(errs) > 0 {
			web.ValidationProblem(c, errs)
			return
		}
		d, err := s.read.Deal(c, id, p.Scope())
		if !s.found(c, err, "deal") {
			return
		}
		if _, err := s.deals.Step(c, d.WorkflowID, st.Update, arg); err != nil {
			s.refused(c, err, target{noun: "deal", status: func() string { return s.currentStatus(c, d) }})
			return
		}
		s.respondDeal(c, http.StatusOK, id, p.Scope())
	}
}

// currentStatus re-reads the deal's status for a 409 answer.
func (s *Server) currentStatus(c *gin.Context, d dbq.Deal) string {
	now, err := s.read.Deal(c, d.ID, uuid.NullUUID{})
	if err != nil {
		return d.Status
	}
	return now.Status
}

// respondDeal answers with the deal and its timeline, read within scope.
func (s *Server) respondDeal(c *gin.Context, status int, id uuid.UUID, scope uuid.NullUUID) {
	_, view, err := s.read.DealWithTimeline(c, id, scope)
	if !s.found(c, err, "deal") {
		return
	}
	if status == http.StatusCreated {
		c.Header("Location", "/v1/deals/"+id.String())
	}
	c.JSON(status, view)
}
