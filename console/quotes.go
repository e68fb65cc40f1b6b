package console

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/quote"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

var (
	// quoterRoles build, submit, revise and withdraw quotes, as in the
	// API: the deal's partner, or a channel manager (or admin) selling
	// for it.
	quoterRoles = []domain.Role{domain.RolePartnerUser, domain.RolePartnerAdmin, domain.RoleChannelManager, domain.RoleAdmin}
	// quoteApproverRoles approve and reject, as in the API: channel
	// managers, finance (deal desk) and admins; the workflow decides whose
	// turn it is.
	quoteApproverRoles = []domain.Role{domain.RoleChannelManager, domain.RoleFinance, domain.RoleAdmin}
)

// quoteRoutes are the quote context's pages: the quotes the principal
// may see, one quote with its versions, history and step forms (at the
// API's paths under /console, with the API's roles), the approval queue,
// and the quote builder (quote_builder.go).
func (s *Console) quoteRoutes() []Route {
	return []Route{
		{http.MethodGet, "/console/quotes", web.AllRoles, s.quoteList},
		{http.MethodGet, "/console/quote-approvals", quoteApproverRoles, s.quoteQueue},
		{http.MethodGet, "/console/quotes/:id", web.AllRoles, s.quotePage},
		{http.MethodPost, "/console/quotes/:id/submit", quoterRoles, s.quoteStep(quote.UpdateSubmit, func() quoteForm { return &quoteReasonForm{} })},
		{http.MethodPost, "/console/quotes/:id/withdraw", quoterRoles, s.quoteStep(quote.UpdateWithdraw, func() quoteForm { return &quoteReasonForm{} })},
		{http.MethodPost, "/console/quotes/:id/approve", quoteApproverRoles, s.quoteStep(quote.UpdateApprove, func() quoteForm { return &quoteReasonForm{} })},
		{http.MethodPost, "/console/quotes/:id/reject", quoteApproverRoles, s.quoteStep(quote.UpdateReject, func() quoteForm { return &quoteRejectForm{} })},
		{http.MethodPost, "/console/quotes/:id/accept", web.PartnerRoles, s.quoteStep(quote.UpdateAccept, func() quoteForm { return &quoteAcceptForm{} })},
		{http.MethodGet, "/console/deals/:id/quotes/new", quoterRoles, s.quoteBuilderNew},
		{http.MethodPost, "/console/deals/:id/quotes", quoterRoles, s.quoteBuilderCreate},
		{http.MethodGet, "/console/quotes/:id/edit", quoterRoles, s.quoteBuilderEdit},
		{http.MethodPost, "/console/quotes/:id/revise", quoterRoles, s.quoteBuilderRevise},
	}
}

// quoteListQuery is the quotes list's filter, checked like the API's.
type quoteListQuery struct {
	Status string `validate:"omitempty,oneof=draft submitted pending_approval approved accepted rejected withdrawn expired"`
	DealID string `validate:"omitempty,uuid"`
}

// quoteList lists the quotes the principal reaches (a partner: its own
// organization's, scoped in SQL), newest first, optionally of one status
// or deal; a filter that is not one is ignored and said so.
func (s *Console) quoteList(c *gin.Context) {
	p := web.PrincipalOf(c)
	f := quoteListQuery{Status: c.Query("status"), DealID: c.Query("deal_id")}
	var msg string
	if err := s.validate.Struct(&f); err != nil {
		msg, f = "The filter was ignored: "+web.FieldErrorText(web.FieldErrors(err)), quoteListQuery{}
	}
	params := dbq.QuoteListWithCustomerParams{ScopePartnerID: p.Scope(), Status: f.Status}
	if id, err := uuid.Parse(f.DealID); err == nil {
		params.DealID = uuid.NullUUID{UUID: id, Valid: true}
	}
	rows, err := s.q.QuoteListWithCustomer(c, params)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	s.render(c, http.StatusOK, "quotes.html", page{Title: "Quotes", Error: msg, Data: rows})
}

// queueItem is one quote awaiting approval, with its SLA clock and whose
// approval it waits for.
type queueItem struct {
	dbq.QuoteApprovalQueueRow
	Required int
	// Next is the role whose approval the quote waits for; Yours whether
	// the viewer holds it.
	Next  domain.Role
	Yours bool
	DueAt time.Time
	// Countdown says how long is left before the SLA (or how long it is
	// overdue).
	Countdown string
	Overdue   bool
}

// quoteQueue is the approval queue of channel managers and finance (deal
// desk): quotes awaiting approval, the viewer's turn first, by SLA due
// time. The workflow decides who may approve (four eyes by person); the
// queue shows whose turn it is.
func (s *Console) quoteQueue(c *gin.Context) {
	p := web.PrincipalOf(c)
	rows, err := s.q.QuoteApprovalQueue(c)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	now := s.now()
	items := make([]queueItem, 0, len(rows))
	for _, r := range rows {
		it := queueItem{QuoteApprovalQueueRow: r, Required: requiredApprovals(int(r.ApprovalLevel)), Next: domain.RoleChannelManager,
			DueAt: r.SubmittedAt.Add(time.Duration(r.SlaHours) * time.Hour)}
		if r.Approvals > 0 {
			it.Next = domain.RoleFinance
		}
		it.Yours = p.Role == it.Next || (p.Role == domain.RoleAdmin && it.Next == domain.RoleChannelManager)
		it.Countdown, it.Overdue = countdown(now, it.DueAt)
		items = append(items, it)
	}
	slices.SortStableFunc(items, func(a, b queueItem) int {
		if a.Yours != b.Yours {
			if a.Yours {
				return -1
			}
			return 1
		}
		return a.DueAt.Compare(b.DueAt)
	})
	s.render(c, http.StatusOK, "quote_queue.html", page{Title: "Quote approvals", Data: items})
}

// requiredApprovals is how many approvals an approval level needs (the
// workflow's matrix: none, a channel manager, a manager then finance).
func requiredApprovals(level int) int {
	return min(max(level, 0), domain.ApprovalFinance)
}

// countdown says how long until due ("due in 5 h 20 min"), or how long
// past it ("overdue by 2 h").
func countdown(now, due time.Time) (string, bool) {
	d := due.Sub(now)
	over := d < 0
	if over {
		d = -d
	}
	d = d.Round(time.Minute)
	text := fmt.Sprintf("%d h %02d min", int(d.Hours()), int(d.Minutes())%60)
	if d >= 48*time.Hour {
		text = fmt.Sprintf("%d days %d h", int(d.Hours())/24, int(d.Hours())%24)
	}
	if over {
		return "overdue by " + text, true
	}
	return "due in " + text, false
}

// quoteVersionView is one priced version of a quote.
type quoteVersionView struct {
	Version    int
	Superseded bool
	ListTotal  int64
	NetTotal   int64
	PricedAt   time.Time
	Pricing    domain.PricedQuote
}

// quotePageView is what the quote page shows: the quote, its deal's
// customer, the current version's waterfall, every version, the history,
// and the steps the viewer may take.
type quotePageView struct {
	Q        dbq.Quote
	Customer string
	Pricing  *domain.PricedQuote
	Versions []quoteVersionView
	Events   []dbq.QuoteEvent
	// Approvals given to the current submission, of Required.
	Approvals, Required int
	NextApprover        domain.Role
	May                 quoteMay
	Today               string
}

// quoteMay is which step forms the viewer is offered; the workflow has
// the last word (and the page shows its refusal).
type quoteMay struct {
	Submit, Withdraw, Revise, Accept, Decide bool
}

// loadQuote reads the quote the :id parameter names within p's scope;
// found is false when there is none for p.
func (s *Console) loadQuote(c *gin.Context, p web.Principal) (q dbq.Quote, found bool, err error) {
	id, perr := uuid.Parse(c.Param("id"))
	if perr != nil {
		return q, false, nil
	}
	q, err = s.q.QuoteGet(c, dbq.QuoteGetParams{ID: id, ScopePartnerID: p.Scope()})
	if db.IsNotFound(err) {
		return q, false, nil
	}
	return q, err == nil, err
}

// quotePage shows a quote: lines and waterfall, totals, versions
// (superseded ones marked), history, links to its document, and the
// forms of the steps the viewer may take.
func (s *Console) quotePage(c *gin.Context) {
	p := web.PrincipalOf(c)
	q, found, err := s.loadQuote(c, p)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if !found {
		s.notFound(c)
		return
	}
	v, err := s.quoteView(c, q, p)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	pg := page{Title: "Quote for " + v.Customer, Data: v}
	if done := c.Query("done"); strings.HasPrefix(done, "Not done") {
		pg.Error = done
	}
	s.render(c, http.StatusOK, "quote.html", pg)
}

// quoteView reads what the quote page shows.
func (s *Console) quoteView(c *gin.Context, q dbq.Quote, p web.Principal) (quotePageView, error) {
	v := quotePageView{Q: q, Required: requiredApprovals(int(q.ApprovalLevel)), Today: s.today().Format(time.DateOnly)}
	d, err := s.q.DealGet(c, dbq.DealGetParams{ID: q.DealID, ScopePartnerID: p.Scope()})
	if err != nil {
		return v, err
	}
	v.Customer = d.CustomerName
	versions, err := s.q.QuoteVersions(c, q.ID)
	if err != nil {
		return v, err
	}
	for _, r := range versions {
		vv := quoteVersionView{Version: int(r.Version), Superseded: r.Version != q.Version, ListTotal: r.ListTotal, NetTotal: r.NetTotal, PricedAt: r.CreatedAt}
		if err := json.Unmarshal(r.Priced, &vv.Pricing); err != nil {
			return v, err
		}
		if !vv.Superseded {
			pr := vv.Pricing
			v.Pricing = &pr
		}
		v.Versions = append(v.Versions, vv)
	}
	if v.Events, err = s.q.QuoteEvents(c, q.ID); err != nil {
		return v, err
	}
	for _, e := range v.Events {
		switch e.Type {
		case "submitted", "revised":
			v.Approvals = 0
		case "approval_recorded", "approved":
			v.Approvals++
		}
	}
	v.NextApprover = domain.RoleChannelManager
	if v.Approvals > 0 {
		v.NextApprover = domain.RoleFinance
	}
	quoter, open := p.HasRole(quoterRoles...), !quote.Final(q.Status)
	v.May = quoteMay{
		Submit:   quoter && q.Status == quote.StatusDraft,
		Withdraw: quoter && open && q.Status != quote.StatusSubmitted,
		Revise:   quoter && open && q.Status != quote.StatusSubmitted,
		Accept:   p.Role.IsPartner() && q.Status == quote.StatusApproved,
		Decide:   p.HasRole(quoteApproverRoles...) && q.Status == quote.StatusPendingApproval,
	}
	return v, nil
}

// quoteForm is a step's form: validated by its tags (the API body's), then
// turned into the update's argument for principal p.
type quoteForm interface {
	read(c *gin.Context)
	arg(p web.Principal) any
}

type quoteReasonForm struct {
	Reason string `json:"reason" validate:"max=2000,multiline"`
}

func (f *quoteReasonForm) read(c *gin.Context) { f.Reason = strings.TrimSpace(c.PostForm("reason")) }
func (f *quoteReasonForm) arg(p web.Principal) any {
	return quote.Decision{Actor: p.Actor(), Reason: f.Reason}
}

type quoteRejectForm struct {
	Reason string `json:"reason" validate:"required,max=2000,multiline"`
}

func (f *quoteRejectForm) read(c *gin.Context) { f.Reason = strings.TrimSpace(c.PostForm("reason")) }
func (f *quoteRejectForm) arg(p web.Principal) any {
	return quote.Decision{Actor: p.Actor(), Reason: f.Reason}
}

type quoteAcceptForm struct {
	PONumber   string `json:"po_number" validate:"required,max=100,printable"`
	AcceptedOn string `json:"accepted_on" validate:"required,datetime=2006-01-02"`
}

func (f *quoteAcceptForm) read(c *gin.Context) {
	f.PONumber, f.AcceptedOn = strings.TrimSpace(c.PostForm("po_number")), strings.TrimSpace(c.PostForm("accepted_on"))
}
func (f *quoteAcceptForm) arg(p web.Principal) any {
	return quote.Acceptance{Actor: p.Actor(), PONumber: f.PONumber, AcceptedOn: f.AcceptedOn}
}

// quoteStep sends a step from a form through the same typed client as the
// API and returns to the quote with what happened: a refusal (the wrong
// person, four eyes, the wrong status) is shown on the page as the
// workflow words it.
func (s *Console) quoteStep(update string, newForm func() quoteForm) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := web.PrincipalOf(c)
		q, found, err := s.loadQuote(c, p)
		if err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
		if !found {
			s.notFound(c)
			return
		}
		back := func(msg string) {
			c.Redirect(http.StatusSeeOther, "/console/quotes/"+q.ID.String()+"?done="+url.QueryEscape(msg))
		}
		form := newForm()
		form.read(c)
		if err := s.validate.Struct(form); err != nil {
			back("Not done: " + web.FieldErrorText(web.FieldErrors(err)))
			return
		}
		if _, err := s.quotes.Step(c, q.ID.String(), update, form.arg(p)); err != nil {
			if r, ok := workflows.AsRefusal(err); ok {
				back("Not done: " + r.Message)
				return
			}
			back("Not done: the quote could not be reached; try again")
			return
		}
		back("Done: " + stepDone[update])
	}
}

// stepDone words each step once it is recorded.
var stepDone = map[string]string{
	quote.UpdateSubmit: "submitted", quote.UpdateWithdraw: "withdrawn", quote.UpdateApprove: "approval recorded",
	quote.UpdateReject: "rejected", quote.UpdateAccept: "accepted; the deal is closed as won", quote.UpdateRevise: "new version priced",
}
