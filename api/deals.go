package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// createDeal registers a deal: it starts the deal's workflow and, in the
// same call (Update-with-Start), waits until the workflow has persisted and
// screened it, then answers 201 with the deal as stored.
func (s *Server) createDeal(c *gin.Context) {
	var req createDealRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	req.normalize()
	var errs []FieldError
	if err := s.validate.Struct(&req); err != nil {
		errs = fieldErrors(err)
	}
	reg, more := req.registration(time.Now().UTC().Truncate(24 * time.Hour))
	if errs = mergeFieldErrors(errs, more); len(errs) > 0 {
		validationProblem(c, errs)
		return
	}
	p := principal(c)
	dealID, err := uuid.NewV7()
	if err != nil {
		s.unavailable(c, err)
		return
	}
	in := workflows.DealInput{
		DealID: dealID.String(), PartnerID: p.PartnerID.UUID.String(), Submitter: p.Actor(), Registration: reg,
	}
	ctx, cancel := context.WithTimeout(c, s.cfg.RequestTimeout)
	defer cancel()
	start := s.temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       workflows.DealWorkflowID(in.DealID),
		TaskQueue:                workflows.TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.SearchDealStatus.ValueSet(string(domain.StatusSubmitted)),
			workflows.SearchDealPartnerID.ValueSet(in.PartnerID),
			workflows.SearchDealAmount.ValueSet(reg.Amount),
			workflows.SearchDealCurrency.ValueSet(reg.Currency),
		),
	}, workflows.DealRegistration, in)
	handle, err := s.temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateName: workflows.UpdateSubmitted, WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	if err == nil {
		err = handle.Get(ctx, nil)
	}
	if err != nil {
		s.unavailable(c, err)
		return
	}
	s.respondDeal(c, http.StatusCreated, dealID, p.Scope())
}

// getDeal returns a deal with its timeline; partners see only their own
// organization's deals (another's answers 404, as if it did not exist).
func (s *Server) getDeal(c *gin.Context) {
	id, ok := dealIDParam(c)
	if !ok {
		return
	}
	s.respondDeal(c, http.StatusOK, id, principal(c).Scope())
}

func (s *Server) approveDeal(c *gin.Context) { s.decide(c, workflows.UpdateApprove, false) }

func (s *Server) rejectDeal(c *gin.Context) { s.decide(c, workflows.UpdateReject, true) }

// decide sends a manager's decision to the deal's workflow as an Update; the
// workflow's validator refuses what the deal's status does not allow (409).
func (s *Server) decide(c *gin.Context, update string, reasonRequired bool) {
	id, ok := dealIDParam(c)
	if !ok {
		return
	}
	var req decisionRequest
	if !s.decodeJSON(c, &req, !reasonRequired) {
		return
	}
	if err := s.validate.Struct(&req); err != nil {
		validationProblem(c, fieldErrors(err))
		return
	}
	if reasonRequired && req.Reason == "" {
		validationProblem(c, []FieldError{{Field: "reason", Message: "is required"}})
		return
	}
	p := principal(c)
	deal, err := s.q.DealGet(c, dbq.DealGetParams{ID: id, ScopePartnerID: p.Scope()})
	if db.IsNotFound(err) {
		problem(c, http.StatusNotFound, ProblemNotFound, "no such deal")
		return
	}
	if err != nil {
		s.unavailable(c, err)
		return
	}
	ctx, cancel := context.WithTimeout(c, s.cfg.RequestTimeout)
	defer cancel()
	handle, err := s.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: deal.WorkflowID, UpdateName: update, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{workflows.Decision{Actor: p.Actor(), Reason: req.Reason}},
	})
	if err == nil {
		err = handle.Get(ctx, nil)
	}
	if err != nil {
		s.updateFailed(c, err, deal)
		return
	}
	s.respondDeal(c, http.StatusOK, id, p.Scope())
}

// updateFailed maps a refused or failed workflow update to an answer.
func (s *Server) updateFailed(c *gin.Context, err error, deal dbq.Deal) {
	var appErr *temporal.ApplicationError
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &appErr) && appErr.Type() == workflows.ErrTypeInvalidTransition:
		writeProblem(c, Problem{Type: ProblemConflict, Status: http.StatusConflict, Title: "Transition not allowed",
			Detail: appErr.Message(), CurrentStatus: s.currentStatus(c, deal)})
	case errors.As(err, &appErr) && appErr.Type() == workflows.ErrTypeForbidden:
		problem(c, http.StatusForbidden, ProblemForbidden, appErr.Message())
	case errors.As(err, &notFound):
		// The workflow has ended: the deal is in a final status.
		writeProblem(c, Problem{Type: ProblemConflict, Status: http.StatusConflict, Title: "Transition not allowed",
			Detail: "the deal is " + deal.Status + " and takes no further decisions", CurrentStatus: deal.Status})
	default:
		s.unavailable(c, err)
	}
}

// currentStatus re-reads the deal's status for a 409 answer.
func (s *Server) currentStatus(c *gin.Context, deal dbq.Deal) string {
	d, err := s.q.DealGet(c, dbq.DealGetParams{ID: deal.ID})
	if err != nil {
		return deal.Status
	}
	return d.Status
}

// respondDeal answers with the deal and its timeline, read within scope.
func (s *Server) respondDeal(c *gin.Context, status int, id uuid.UUID, scope uuid.NullUUID) {
	deal, err := s.q.DealGet(c, dbq.DealGetParams{ID: id, ScopePartnerID: scope})
	if db.IsNotFound(err) {
		problem(c, http.StatusNotFound, ProblemNotFound, "no such deal")
		return
	}
	if err != nil {
		s.unavailable(c, err)
		return
	}
	events, err := s.q.DealEventList(c, dbq.DealEventListParams{DealID: id, ScopePartnerID: scope})
	if err != nil {
		s.unavailable(c, err)
		return
	}
	if status == http.StatusCreated {
		c.Header("Location", "/v1/deals/"+id.String())
	}
	c.JSON(status, dealView(deal, events))
}

// dealIDParam parses the :id path parameter; a malformed id cannot name a
// deal, so it answers 404 like any unknown one.
func dealIDParam(c *gin.Context) (uuid.UUID, bool) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		problem(c, http.StatusNotFound, ProblemNotFound, "no such deal")
		return uuid.UUID{}, false
	}
	return id, true
}
