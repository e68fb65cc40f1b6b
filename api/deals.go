package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/dealflow/dealflow/activities"
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

// idempotencyNamespace derives a deal's id from its partner and
// Idempotency-Key, so a retried submission names the same deal and workflow.
var idempotencyNamespace = uuid.MustParse("6b0c3f0e-4d1c-5b7a-9a57-1f3f3c0e2d11")

// createDeal registers a deal: it starts the deal's workflow and, in the
// same call (Update-with-Start), waits until the workflow has persisted and
// screened it, then answers 201 with the deal as stored. With an
// Idempotency-Key, the same key and body return the same deal, and the
// same key with another body is refused (422).
func (s *Server) createDeal(c *gin.Context) {
	key := strings.TrimSpace(c.GetHeader("Idempotency-Key"))
	if len(key) > 200 || !printableASCII(key) && key != "" {
		validationProblem(c, []FieldError{{Field: "Idempotency-Key", Message: "must be 1 to 200 printable ASCII characters"}})
		return
	}
	var req createDealRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	req.normalize()
	var errs []FieldError
	if err := s.validate.Struct(&req); err != nil {
		errs = fieldErrors(err)
	}
	reg, more := req.registration(s.today())
	if errs = mergeFieldErrors(errs, more); len(errs) > 0 {
		validationProblem(c, errs)
		return
	}
	p := principal(c)
	if ok := s.checkKind(c, p, reg.Kind); !ok {
		return
	}
	in := workflows.DealInput{PartnerID: p.PartnerID.UUID.String(), Submitter: p.Actor(), Registration: reg}
	var dealID uuid.UUID
	if key != "" {
		in.IdempotencyKey, in.RequestHash = key, req.hash()
		dealID = uuid.NewSHA1(idempotencyNamespace, []byte(in.PartnerID+"\x00"+key))
		if existing, err := s.q.DealGet(c, dbq.DealGetParams{ID: dealID, ScopePartnerID: p.Scope()}); err == nil {
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
			s.unavailable(c, err)
			return
		}
	} else {
		var err error
		if dealID, err = uuid.NewV7(); err != nil {
			s.unavailable(c, err)
			return
		}
	}
	in.DealID = dealID.String()
	state, err := s.startDeal(c, in, key != "")
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case errors.As(err, &started):
		// The workflow of this key has finished: answer from its record.
		existing, gerr := s.q.DealGet(c, dbq.DealGetParams{ID: dealID, ScopePartnerID: p.Scope()})
		if gerr != nil {
			s.unavailable(c, gerr)
			return
		}
		s.replayed(c, existing, in.RequestHash)
		return
	case err != nil && s.refusedAtIntake(c, in.DealID):
		writeProblem(c, Problem{Type: ProblemValidation, Status: http.StatusUnprocessableEntity, Title: "Request fields are invalid",
			Detail: unstorableRegistration})
		return
	case err != nil:
		s.unavailable(c, err)
		return
	case state.RequestHash != in.RequestHash:
		idempotencyMismatch(c)
		return
	}
	s.respondDeal(c, http.StatusCreated, dealID, p.Scope())
}

// hash identifies a registration's content for its idempotency key: the
// normalized request, so spacing and case do not matter.
func (r createDealRequest) hash() string {
	body, _ := json.Marshal(r)
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// startDeal starts the deal's workflow with the update that waits for
// intake. With an idempotency key a running workflow of the same id is
// joined, not started twice; a run of that id that failed (or was
// terminated, cancelled or timed out) does not poison the key: a fresh run
// takes the deal in (its recording is idempotent, so whatever the failed
// run wrote is found in place). A run that completed answers
// WorkflowExecutionAlreadyStarted, and the caller answers from its record.
func (s *Server) startDeal(c *gin.Context, in workflows.DealInput, join bool) (workflows.DealState, error) {
	ctx, cancel := context.WithTimeout(c, s.cfg.RequestTimeout)
	defer cancel()
	conflict, reuse := enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL, enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE
	if join {
		conflict, reuse = enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING, enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY
	}
	start := s.temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       workflows.DealWorkflowID(in.DealID),
		TaskQueue:                workflows.TaskQueue,
		WorkflowIDConflictPolicy: conflict,
		WorkflowIDReusePolicy:    reuse,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.SearchDealStatus.ValueSet(string(domain.StatusSubmitted)),
			workflows.SearchDealPartnerID.ValueSet(in.PartnerID),
			workflows.SearchDealAmount.ValueSet(in.Registration.Amount),
			workflows.SearchDealCurrency.ValueSet(in.Registration.Currency),
		),
	}, workflows.DealRegistration, in)
	handle, err := s.temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateName: workflows.UpdateSubmitted, WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	var state workflows.DealState
	if err == nil {
		err = handle.Get(ctx, &state)
	}
	return state, err
}

// unstorableRegistration says why a registration PostgreSQL refused is
// not taken, without the database's words.
const unstorableRegistration = "this registration's data cannot be stored; correct it and send it again"

// refusedAtIntake says whether the deal's run failed at intake because
// PostgreSQL refused its data for good (activities.ErrTypeInvalidData): a
// registration the client must correct (422), not a backing service to
// wait for (503). Its Update reports only that the run ended first, so
// the run's own outcome is read. A failed run does not poison the key
// (startDeal).
func (s *Server) refusedAtIntake(c context.Context, dealID string) bool {
	ctx, cancel := context.WithTimeout(c, s.cfg.RequestTimeout)
	defer cancel()
	id := workflows.DealWorkflowID(dealID)
	d, err := s.temporal.DescribeWorkflowExecution(ctx, id, "")
	if err != nil || d.GetWorkflowExecutionInfo().GetStatus() != enums.WORKFLOW_EXECUTION_STATUS_FAILED {
		return false
	}
	var app *temporal.ApplicationError
	err = s.temporal.GetWorkflow(ctx, id, d.GetWorkflowExecutionInfo().GetExecution().GetRunId()).Get(ctx, nil)
	return errors.As(err, &app) && app.Type() == activities.ErrTypeInvalidData
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
	writeProblem(c, Problem{Type: ProblemIdempotency, Status: http.StatusUnprocessableEntity,
		Title:  "Idempotency-Key reused with another request",
		Detail: "this Idempotency-Key was used for a different registration; use a new key for a new deal"})
}

// checkKind refuses a kind of registration the partner's program does not
// allow its partner type (the workflow checks again at screening).
func (s *Server) checkKind(c *gin.Context, p Principal, kind domain.Kind) bool {
	fe, err := s.kindRefused(c, p, kind)
	switch {
	case err != nil:
		s.unavailable(c, err)
		return false
	case fe != nil:
		validationProblem(c, []FieldError{*fe})
		return false
	}
	return true
}

// kindRefused says why the partner's program does not let it register a
// deal of this kind (nil when it may), for the API and the console alike.
func (s *Server) kindRefused(c *gin.Context, p Principal, kind domain.Kind) (*FieldError, error) {
	pp, err := db.LoadPartnerPolicy(c, s.q, p.PartnerID.UUID)
	if err != nil || pp.Policy.AllowsKind(pp.Type, kind) {
		return nil, err
	}
	return &FieldError{Field: "kind", Message: "your program does not let " + string(pp.Type) + " partners register " + string(kind) + " deals"}, nil
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

// getTimeline returns a deal's events, oldest first.
func (s *Server) getTimeline(c *gin.Context) {
	id, ok := dealIDParam(c)
	if !ok {
		return
	}
	scope := principal(c).Scope()
	if _, err := s.q.DealGet(c, dbq.DealGetParams{ID: id, ScopePartnerID: scope}); err != nil {
		s.dealLookupFailed(c, err)
		return
	}
	events, err := s.q.DealEventList(c, dbq.DealEventListParams{DealID: id, ScopePartnerID: scope})
	if err != nil {
		s.unavailable(c, err)
		return
	}
	if scope.Valid {
		events = redactForPartner(events)
	}
	c.JSON(http.StatusOK, gin.H{"deal_id": id.String(), "events": eventViews(events)})
}

// step returns the handler of one human step: decode and validate the body,
// find the deal within the caller's scope, and send the step to the deal's
// workflow as an Update, whose validator refuses what the deal's state does
// not allow.
func (s *Server) step(update string, newBody func() stepBody, bodyOptional bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := dealIDParam(c)
		if !ok {
			return
		}
		body := newBody()
		if !s.decodeJSON(c, body, bodyOptional) {
			return
		}
		if n, ok := body.(interface{ normalize() }); ok {
			n.normalize()
		}
		if err := s.validate.Struct(body); err != nil {
			validationProblem(c, fieldErrors(err))
			return
		}
		p := principal(c)
		arg, errs := body.arg(p, s.today())
		if len(errs) > 0 {
			validationProblem(c, errs)
			return
		}
		deal, err := s.q.DealGet(c, dbq.DealGetParams{ID: id, ScopePartnerID: p.Scope()})
		if err != nil {
			s.dealLookupFailed(c, err)
			return
		}
		ctx, cancel := context.WithTimeout(c, s.cfg.RequestTimeout)
		defer cancel()
		handle, err := s.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: deal.WorkflowID, UpdateName: update, WaitForStage: client.WorkflowUpdateStageCompleted,
			Args: []any{arg},
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
}

// updateFailed maps a refused or failed workflow update to an answer.
func (s *Server) updateFailed(c *gin.Context, err error, deal dbq.Deal) {
	var appErr *temporal.ApplicationError
	var notFound *serviceerror.NotFound
	if errors.As(err, &appErr) {
		conflict := func(typ, title string) {
			writeProblem(c, Problem{Type: typ, Status: http.StatusConflict, Title: title,
				Detail: appErr.Message(), CurrentStatus: s.currentStatus(c, deal)})
		}
		switch appErr.Type() {
		case workflows.ErrTypeInvalidTransition:
			conflict(ProblemConflict, "Transition not allowed")
			return
		case workflows.ErrTypeFourEyes:
			conflict(ProblemFourEyes, "A different approver is required")
			return
		case workflows.ErrTypeLimitReached:
			conflict(ProblemLimit, "Policy limit reached")
			return
		case workflows.ErrTypeForbidden:
			problem(c, http.StatusForbidden, ProblemForbidden, appErr.Message())
			return
		case workflows.ErrTypeInvalidArgument:
			p := Problem{Type: ProblemValidation, Status: http.StatusUnprocessableEntity,
				Title: "Request fields are invalid", Detail: appErr.Message()}
			if f, ok := workflows.RefusedField(appErr); ok {
				p.Errors = []FieldError{{Field: f.Field, Message: f.Message}}
			}
			writeProblem(c, p)
			return
		}
	}
	if errors.As(err, &notFound) {
		// The workflow has ended: the deal is in a final status.
		status := s.currentStatus(c, deal)
		writeProblem(c, Problem{Type: ProblemConflict, Status: http.StatusConflict, Title: "Transition not allowed",
			Detail: "the deal is " + status + " and takes no further steps", CurrentStatus: status})
		return
	}
	s.unavailable(c, err)
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
	if err != nil {
		s.dealLookupFailed(c, err)
		return
	}
	events, err := s.q.DealEventList(c, dbq.DealEventListParams{DealID: id, ScopePartnerID: scope})
	if err != nil {
		s.unavailable(c, err)
		return
	}
	if scope.Valid {
		events = redactForPartner(events)
	}
	if status == http.StatusCreated {
		c.Header("Location", "/v1/deals/"+id.String())
	}
	c.JSON(status, dealView(deal, events))
}

func (s *Server) dealLookupFailed(c *gin.Context, err error) {
	if db.IsNotFound(err) {
		problem(c, http.StatusNotFound, ProblemNotFound, "no such deal")
		return
	}
	s.unavailable(c, err)
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

// today is the current UTC date, the reference for date checks.
