package api

import (
	"net/http"

	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/read"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/quote"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// Quotes (issue 15): a partner (or a channel manager as its seller) quotes
// a deal; the quote's workflow prices it by the waterfall and takes its
// steps. Reads come from the projection, scoped to the caller's
// organization in SQL.

var (
	// quoterRoles create, submit, revise and withdraw quotes: the deal's
	// partner, or a channel manager (or admin) selling for it.
	quoterRoles = []domain.Role{domain.RolePartnerUser, domain.RolePartnerAdmin, domain.RoleChannelManager, domain.RoleAdmin}
	// quoteApproverRoles approve and reject: channel managers, finance
	// (deal desk) and admins; the workflow decides whose turn it is.
	quoteApproverRoles = []domain.Role{domain.RoleChannelManager, domain.RoleFinance, domain.RoleAdmin}
)

// quoteStep is one step on a quote: its path, Update, roles and body.
type quoteStep struct {
	Path, Update string
	Roles        []domain.Role
	NewBody      func() quoteBody
	Optional     bool
}

// quoteBody is a step's request body, turned into the step's argument.
type quoteBody interface {
	arg(p web.Principal) any
}

func quoteSteps() []quoteStep {
	return []quoteStep{
		{"submit", quote.UpdateSubmit, quoterRoles, func() quoteBody { return &quoteReasonBody{} }, true},
		{"approve", quote.UpdateApprove, quoteApproverRoles, func() quoteBody { return &quoteReasonBody{} }, true},
		{"reject", quote.UpdateReject, quoteApproverRoles, func() quoteBody { return &quoteRequiredReasonBody{} }, false},
		{"withdraw", quote.UpdateWithdraw, quoterRoles, func() quoteBody { return &quoteReasonBody{} }, true},
		{"revise", quote.UpdateRevise, quoterRoles, func() quoteBody { return &quoteRevisionBody{} }, false},
		{"accept", quote.UpdateAccept, web.PartnerRoles, func() quoteBody { return &quoteAcceptanceBody{} }, false},
	}
}

func (s *Server) quoteRoutes() []Route {
	out := []Route{
		{http.MethodPost, "/v1/deals/:id/quotes", quoterRoles, s.createQuote},
		{http.MethodGet, "/v1/quotes", web.AllRoles, s.listQuotes},
		{http.MethodGet, "/v1/quotes/:id", web.AllRoles, s.getQuote},
	}
	for _, st := range quoteSteps() {
		out = append(out, Route{http.MethodPost, "/v1/quotes/:id/" + st.Path, st.Roles, s.quoteStep(st)})
	}
	out = append(out, s.quoteDocumentRoutes()...)
	return append(out, s.quoteCatalogRoutes()...)
}

// quoteLine is one requested line.
type quoteLine struct {
	SKU          string `json:"sku" validate:"required,printable,max=64"`
	Quantity     int64  `json:"quantity" validate:"min=1,max=1000000000"`
	AdditionalBP int64  `json:"additional_bp" validate:"min=0,max=10000"`
}

type createQuoteRequest struct {
	Currency string      `json:"currency" validate:"required,currency"`
	Lines    []quoteLine `json:"lines" validate:"required,min=1,max=500,dive"`
}

func lineRequests(in []quoteLine) []domain.LineRequest {
	out := make([]domain.LineRequest, len(in))
	for i, l := range in {
		out[i] = domain.LineRequest{SKU: l.SKU, Quantity: l.Quantity, AdditionalBP: l.AdditionalBP}
	}
	return out
}

// createQuote prices a new quote on a deal the caller reaches. Lines the
// catalog refuses are answered 422 with every problem, each naming its
// line and field, before any workflow starts: nothing is written.
func (s *Server) createQuote(c *gin.Context) {
	dealID, ok := pathID(c, "deal")
	if !ok {
		return
	}
	p := web.PrincipalOf(c)
	// Another organization's deal: 404, whatever the body.
	if _, err := s.q.DealGet(c, dbq.DealGetParams{ID: dealID, ScopePartnerID: p.Scope()}); !s.found(c, err, "deal") {
		return
	}
	var req createQuoteRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	if err := s.validate.Struct(&req); err != nil {
		web.ValidationProblem(c, web.FieldErrors(err))
		return
	}
	lines := lineRequests(req.Lines)
	inputs, d, err := db.QuotePricingInputs(c, s.q, dealID, p.Scope(), lines, req.Currency, s.now())
	if !s.found(c, err, "deal") {
		return
	}
	if _, problems := domain.PriceQuote(lines, inputs); len(problems) > 0 {
		web.ValidationProblem(c, fieldProblems(problems))
		return
	}
	id := uuid.New()
	in := quote.Input{QuoteID: id.String(), DealID: dealID.String(), DealWorkflowID: d.WorkflowID, PartnerID: d.PartnerID.String(),
		Currency: req.Currency, Creator: p.Actor(), Lines: lines}
	if _, err := s.quotes.Create(c, in); err != nil {
		s.refused(c, err, target{noun: "quote"})
		return
	}
	s.respondQuote(c, http.StatusCreated, id, p.Scope())
}

func fieldProblems(in []domain.FieldProblem) []web.FieldError {
	out := make([]web.FieldError, len(in))
	for i, p := range in {
		out[i] = web.FieldError{Field: p.Field, Message: p.Message}
	}
	return out
}

// respondQuote answers with the quote's full view (read.Quote), scoped.
func (s *Server) respondQuote(c *gin.Context, status int, id uuid.UUID, scope uuid.NullUUID) {
	v, err := s.read.Quote(c, id, scope)
	if !s.found(c, err, "quote") {
		return
	}
	c.JSON(status, v)
}

// getQuote explains a quote to the cent: every line's waterfall with the
// rule and version of each step, every version, every event.
func (s *Server) getQuote(c *gin.Context) {
	id, ok := pathID(c, "quote")
	if !ok {
		return
	}
	s.respondQuote(c, http.StatusOK, id, web.PrincipalOf(c).Scope())
}

type listQuotesQuery struct {
	Status string `form:"status" validate:"omitempty,oneof=draft submitted pending_approval approved accepted rejected withdrawn expired"`
	DealID string `form:"deal_id" validate:"omitempty,uuid"`
}

// listQuotes lists the quotes the caller reaches, newest first.
func (s *Server) listQuotes(c *gin.Context) {
	var q listQuotesQuery
	q.Status, q.DealID = c.Query("status"), c.Query("deal_id")
	if err := s.validate.Struct(&q); err != nil {
		web.ValidationProblem(c, web.FieldErrors(err))
		return
	}
	params := dbq.QuoteListParams{ScopePartnerID: web.PrincipalOf(c).Scope(), Status: q.Status}
	if id, err := uuid.Parse(q.DealID); err == nil {
		params.DealID = uuid.NullUUID{UUID: id, Valid: true}
	}
	rows, err := s.q.QuoteList(c, params)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	out := make([]read.QuoteView, 0, len(rows))
	for _, r := range rows {
		out = append(out, read.QuoteOf(r))
	}
	c.JSON(http.StatusOK, gin.H{"quotes": out})
}

// quoteStep serves one step: the quote must be one the caller reaches.
func (s *Server) quoteStep(st quoteStep) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := pathID(c, "quote")
		if !ok {
			return
		}
		body := st.NewBody()
		if !s.decodeJSON(c, body, st.Optional) {
			return
		}
		if err := s.validate.Struct(body); err != nil {
			web.ValidationProblem(c, web.FieldErrors(err))
			return
		}
		p := web.PrincipalOf(c)
		q, err := s.q.QuoteGet(c, dbq.QuoteGetParams{ID: id, ScopePartnerID: p.Scope()})
		if !s.found(c, err, "quote") {
			return
		}
		if r, ok := body.(*quoteRevisionBody); ok {
			lines := lineRequests(r.Lines)
			inputs, _, err := db.QuotePricingInputs(c, s.q, q.DealID, uuid.NullUUID{}, lines, q.Currency, s.now())
			if err != nil {
				web.Unavailable(c, s.log, err)
				return
			}
			if _, problems := domain.PriceQuote(lines, inputs); len(problems) > 0 {
				web.ValidationProblem(c, fieldProblems(problems))
				return
			}
		}
		if _, err := s.quotes.Step(c, id.String(), st.Update, body.arg(p)); err != nil {
			s.refused(c, err, target{noun: "quote", status: func() string { return s.quoteStatus(c, id, q.Status) }})
			return
		}
		s.respondQuote(c, http.StatusOK, id, p.Scope())
	}
}

// quoteStatus re-reads a quote's status for a 409 answer.
func (s *Server) quoteStatus(c *gin.Context, id uuid.UUID, fallback string) string {
	q, err := s.q.QuoteGet(c, dbq.QuoteGetParams{ID: id})
	if err != nil {
		return fallback
	}
	return q.Status
}

type quoteReasonBody struct {
	Reason string `json:"reason" validate:"max=2000,multiline"`
}

func (b *quoteReasonBody) arg(p web.Principal) any {
	return quote.Decision{Actor: p.Actor(), Reason: b.Reason}
}

type quoteRequiredReasonBody struct {
	Reason string `json:"reason" validate:"required,max=2000,multiline"`
}

func (b *quoteRequiredReasonBody) arg(p web.Principal) any {
	return quote.Decision{Actor: p.Actor(), Reason: b.Reason}
}

type quoteRevisionBody struct {
	Lines  []quoteLine `json:"lines" validate:"required,min=1,max=500,dive"`
	Reason string      `json:"reason" validate:"max=2000,multiline"`
}

func (b *quoteRevisionBody) arg(p web.Principal) any {
	return quote.Revision{Actor: p.Actor(), Lines: lineRequests(b.Lines), Reason: b.Reason}
}

type quoteAcceptanceBody struct {
	PONumber   string `json:"po_number" validate:"required,max=100,printable"`
	AcceptedOn string `json:"accepted_on" validate:"required,datetime=2006-01-02"`
}

func (b *quoteAcceptanceBody) arg(p web.Principal) any {
	return quote.Acceptance{Actor: p.Actor(), PONumber: b.PONumber, AcceptedOn: b.AcceptedOn}
}
