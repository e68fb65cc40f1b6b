package console

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/steps"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/quote"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// The quote builder: one server-rendered form that holds a quote's lines
// (SKU, quantity, requested additional discount), searches the catalog,
// adds and removes lines, and prices them by the same waterfall the quote
// workflow uses (db.QuotePricingInputs, domain.PriceQuote) on every send,
// showing each line's waterfall and its configuration problems next to it.
// "Save draft" starts the quote's workflow through the typed client (or,
// for an existing quote, prices its next version); "Submit" then submits
// it. It works without JavaScript; static/quote.js only re-prices when a
// field changes.

// builderRow is one line of the builder as typed, with its problems and,
// once priced, its waterfall.
type builderRow struct {
	SKU, Quantity, Discount string
	// Errors by field: sku, quantity, additional_bp.
	Errors map[string]string
	Priced *domain.PricedLine
}

// Error is the first problem of the line, for the line's error cell.
func (r builderRow) Error() string {
	for _, f := range []string{"sku", "quantity", "additional_bp"} {
		if m := r.Errors[f]; m != "" {
			return m
		}
	}
	return ""
}

// builderView is what the builder page shows.
type builderView struct {
	// Action is where the form is sent; Revising when it prices the next
	// version of QuoteID rather than creating quote QuoteID.
	Action   string
	QuoteID  string
	Revising bool
	Version  int
	DealID   string
	Customer string
	Currency string
	Reason   string
	Rows     []builderRow
	Search   string
	Results  []dbq.QuoteProduct
	Priced   *domain.PricedQuote
	// Errors by form field (currency, reason, lines).
	Errors     map[string]string
	Currencies []string
}

// quoteBuilderNew shows an empty builder on a deal the principal reaches.
func (s *Console) quoteBuilderNew(c *gin.Context) {
	p := web.PrincipalOf(c)
	d, ok := s.builderDeal(c, p)
	if !ok {
		return
	}
	v := builderView{Action: "/console/deals/" + d.ID.String() + "/quotes", QuoteID: uuid.NewString(), DealID: d.ID.String(),
		Customer: d.CustomerName, Currency: d.Currency, Errors: map[string]string{}}
	if !s.builderSearch(c, &v) {
		return
	}
	s.renderBuilder(c, http.StatusOK, v)
}

// quoteBuilderEdit shows the builder on a quote's current lines, to price
// its next version.
func (s *Console) quoteBuilderEdit(c *gin.Context) {
	p := web.PrincipalOf(c)
	q, v, ok := s.builderQuote(c, p)
	if !ok {
		return
	}
	ver, err := s.quoteView(c, q, p)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if ver.Pricing != nil {
		for _, l := range ver.Pricing.Lines {
			v.Rows = append(v.Rows, builderRow{SKU: l.SKU, Quantity: strconv.FormatInt(l.Quantity, 10), Discount: percentOf(l.AdditionalBP),
				Errors: map[string]string{}, Priced: &l})
		}
		v.Priced = ver.Pricing
	}
	if !s.builderSearch(c, &v) {
		return
	}
	s.renderBuilder(c, http.StatusOK, v)
}

// quoteBuilderCreate serves the builder's form on a deal: re-price, search,
// add or remove a line, or save the quote as a draft (and submit it).
func (s *Console) quoteBuilderCreate(c *gin.Context) {
	p := web.PrincipalOf(c)
	d, ok := s.builderDeal(c, p)
	if !ok {
		return
	}
	v := builderView{Action: "/console/deals/" + d.ID.String() + "/quotes", QuoteID: c.PostForm("quote_id"), DealID: d.ID.String(),
		Customer: d.CustomerName, Currency: strings.ToUpper(strings.TrimSpace(c.PostForm("currency")))}
	if _, err := uuid.Parse(v.QuoteID); err != nil {
		v.QuoteID = uuid.NewString()
	}
	lines, dctx, ok := s.builderPrice(c, &v, d.ID, p)
	if !ok {
		return
	}
	action := builderAction(c)
	if (action != "save" && action != "submit") || len(v.Errors) > 0 || hasRowErrors(v.Rows) {
		s.renderBuilder(c, builderStatus(v), v)
		return
	}
	id := uuid.MustParse(v.QuoteID)
	// The form sent twice opens the quote its first send saved.
	if _, err := s.q.QuoteGet(c, dbq.QuoteGetParams{ID: id, ScopePartnerID: p.Scope()}); err == nil {
		c.Redirect(http.StatusSeeOther, "/console/quotes/"+id.String())
		return
	}
	in := quote.Input{QuoteID: id.String(), DealID: d.ID.String(), DealWorkflowID: dctx.WorkflowID, PartnerID: dctx.PartnerID.String(),
		Currency: v.Currency, Creator: p.Actor(), Lines: lines}
	if _, err := s.quotes.Create(c, in); err != nil {
		s.builderRefused(c, v, err, "Not saved")
		return
	}
	s.builderSaved(c, id.String(), action, p, "Done: saved as a draft")
}

// quoteBuilderRevise serves the builder's form on an existing quote: its
// "Save" prices the next version, which supersedes the current one.
func (s *Console) quoteBuilderRevise(c *gin.Context) {
	p := web.PrincipalOf(c)
	q, v, ok := s.builderQuote(c, p)
	if !ok {
		return
	}
	v.Reason = strings.TrimSpace(c.PostForm("reason"))
	if err := s.validate.Var(v.Reason, "max=2000,multiline"); err != nil {
		v.Errors["reason"] = web.FieldErrorText(web.FieldErrors(err))
	}
	lines, _, ok := s.builderPrice(c, &v, q.DealID, p)
	if !ok {
		return
	}
	action := builderAction(c)
	if (action != "save" && action != "submit") || len(v.Errors) > 0 || hasRowErrors(v.Rows) {
		s.renderBuilder(c, builderStatus(v), v)
		return
	}
	st, err := s.quotes.Step(c, q.ID.String(), quote.UpdateRevise, quote.Revision{Actor: p.Actor(), Lines: lines, Reason: v.Reason})
	if err != nil {
		s.builderRefused(c, v, err, "Not saved")
		return
	}
	s.builderSaved(c, q.ID.String(), action, p, fmt.Sprintf("Done: version %d priced; the earlier one is superseded", st.Version))
}

// builderAction is what the form was sent for: the button pressed (price,
// search, save, submit; adding or removing a line prices). A send that
// names none — not the page's own — is taken as "save", so that what it
// carries is checked as a save would check it.
func builderAction(c *gin.Context) string {
	if a := c.PostForm("action"); a != "" {
		return a
	}
	if c.PostForm("add") != "" || c.PostForm("remove") != "" {
		return "price"
	}
	return "save"
}

// builderSaved goes on to the quote's page once it is saved, submitting it
// first when the submit button was pressed.
func (s *Console) builderSaved(c *gin.Context, id, action string, p web.Principal, msg string) {
	if action == "submit" {
		msg = "Done: submitted"
		if _, err := s.quotes.Step(c, id, quote.UpdateSubmit, quote.Decision{Actor: p.Actor()}); err != nil {
			msg = "Not done: saved as a draft, not submitted: the quote could not be reached; try again"
			if r, ok := workflows.AsRefusal(err); ok {
				msg = "Not done: saved as a draft, not submitted: " + r.Message
			}
		}
	}
	c.Redirect(http.StatusSeeOther, "/console/quotes/"+id+"?done="+url.QueryEscape(msg))
}

// builderRefused shows the builder again with the workflow's refusal (a
// field it names goes next to its line), or answers 503 when the workflow
// could not be reached.
func (s *Console) builderRefused(c *gin.Context, v builderView, err error, what string) {
	r, ok := workflows.AsRefusal(err)
	if !ok {
		web.Unavailable(c, s.log, err)
		return
	}
	if r.Field == nil {
		r.Field = &workflows.FieldRefusal{Message: r.Message}
	}
	if i, f, ok := lineField(r.Field.Field); ok && i < len(v.Rows) {
		v.Rows[i].Errors[f] = r.Field.Message
	} else {
		v.Errors["lines"] = what + ": " + r.Message
	}
	s.renderBuilder(c, http.StatusUnprocessableEntity, v)
}

// builderDeal reads the deal the :id parameter names within p's scope, or
// answers "Not found" itself.
func (s *Console) builderDeal(c *gin.Context, p web.Principal) (dbq.Deal, bool) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		s.notFound(c)
		return dbq.Deal{}, false
	}
	d, err := s.q.DealGet(c, dbq.DealGetParams{ID: id, ScopePartnerID: p.Scope()})
	if db.IsNotFound(err) {
		s.notFound(c)
		return d, false
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return d, false
	}
	return d, true
}

// builderQuote reads the quote the :id parameter names within p's scope
// and starts the builder's view of its next version; it answers "Not
// found" (or 503) itself.
func (s *Console) builderQuote(c *gin.Context, p web.Principal) (dbq.Quote, builderView, bool) {
	q, found, err := s.loadQuote(c, p)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return q, builderView{}, false
	}
	if !found {
		s.notFound(c)
		return q, builderView{}, false
	}
	d, err := s.q.DealGet(c, dbq.DealGetParams{ID: q.DealID, ScopePartnerID: p.Scope()})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return q, builderView{}, false
	}
	return q, builderView{Action: "/console/quotes/" + q.ID.String() + "/revise", QuoteID: q.ID.String(), Revising: true,
		Version: int(q.Version) + 1, DealID: q.DealID.String(), Customer: d.CustomerName, Currency: q.Currency, Errors: map[string]string{}}, true
}

// builderPrice reads the form's lines into v (with a line added or removed
// when asked), searches the catalog, and prices the lines as the quote
// workflow would; problems go next to their lines. It returns the lines
// and the deal's pricing context; false when it answered (503) itself.
func (s *Console) builderPrice(c *gin.Context, v *builderView, dealID uuid.UUID, p web.Principal) ([]domain.LineRequest, dbq.QuoteDealContextRow, bool) {
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	_ = c.Request.ParseForm()
	form := c.Request.PostForm
	skus, qtys, discounts := form["sku"], form["quantity"], form["discount"]
	remove, _ := strconv.Atoi(c.PostForm("remove"))
	if c.PostForm("remove") == "" {
		remove = -1
	}
	for i, sku := range skus {
		r := builderRow{SKU: strings.ToUpper(strings.TrimSpace(sku)), Errors: map[string]string{}}
		if i < len(qtys) {
			r.Quantity = strings.TrimSpace(qtys[i])
		}
		if i < len(discounts) {
			r.Discount = strings.TrimSpace(discounts[i])
		}
		if i == remove || r.SKU == "" && r.Quantity == "" && r.Discount == "" {
			continue
		}
		v.Rows = append(v.Rows, r)
	}
	if add := strings.ToUpper(strings.TrimSpace(c.PostForm("add"))); add != "" {
		v.Rows = append(v.Rows, builderRow{SKU: add, Quantity: "1", Errors: map[string]string{}})
	}
	if !s.builderSearch(c, v) {
		return nil, dbq.QuoteDealContextRow{}, false
	}
	if !domain.ValidCurrency(v.Currency) {
		v.Errors["currency"] = "must be an ISO 4217 currency code such as USD"
	}
	if len(v.Rows) == 0 {
		// Searching the catalog before any line is added is no mistake;
		// saving nothing is.
		if a := builderAction(c); a == "save" || a == "submit" {
			v.Errors["lines"] = "Add at least one line: search the catalog or type a SKU."
		}
		return nil, dbq.QuoteDealContextRow{}, true
	}
	lines := make([]domain.LineRequest, len(v.Rows))
	for i := range v.Rows {
		r := &v.Rows[i]
		lines[i].SKU = r.SKU
		if m := domain.SKUProblem(r.SKU); m != "" {
			r.Errors["sku"] = "SKU " + m
		}
		q, err := strconv.ParseInt(r.Quantity, 10, 64)
		if err != nil || q < 1 || q > domain.MaxQuantity {
			r.Errors["quantity"] = fmt.Sprintf("quantity must be a whole number from 1 to %d", domain.MaxQuantity)
		}
		lines[i].Quantity = q
		if r.Discount != "" {
			bp, ok := steps.ParseDecimal(r.Discount, 2)
			if !ok || bp > domain.MaxBasisPoints {
				r.Errors["additional_bp"] = "additional discount must be a percentage from 0 to 100, such as 2.5"
			}
			lines[i].AdditionalBP = bp
		}
	}
	if len(v.Errors) > 0 || hasRowErrors(v.Rows) {
		return lines, dbq.QuoteDealContextRow{}, true
	}
	inputs, dctx, err := db.QuotePricingInputs(c, s.q, dealID, p.Scope(), lines, v.Currency, s.now())
	if err != nil {
		web.Unavailable(c, s.log, err)
		return nil, dctx, false
	}
	priced, problems := domain.PriceQuote(lines, inputs)
	for _, pr := range problems {
		if i, f, ok := lineField(pr.Field); ok && i < len(v.Rows) {
			if v.Rows[i].Errors[f] == "" {
				v.Rows[i].Errors[f] = pr.Message
			}
			continue
		}
		v.Errors["lines"] = pr.Message
	}
	if len(problems) == 0 {
		v.Priced = &priced
		for i := range priced.Lines {
			if l := priced.Lines[i].Line; l < len(v.Rows) {
				v.Rows[l].Priced = &priced.Lines[i]
			}
		}
	}
	return lines, dctx, true
}

// builderSearch fills v's catalog search results for the form's (or the
// page's) search text; false when it answered (503) itself.
func (s *Console) builderSearch(c *gin.Context, v *builderView) bool {
	v.Search = strings.TrimSpace(c.PostForm("q"))
	if v.Search == "" {
		v.Search = strings.TrimSpace(c.Query("q"))
	}
	if len(v.Search) > 100 || strings.ContainsFunc(v.Search, func(r rune) bool { return r < ' ' }) {
		v.Errors["q"] = "search for up to 100 printable characters"
		v.Search = ""
	}
	rows, err := s.q.QuoteProductSearch(c, v.Search)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return false
	}
	v.Results = rows
	return true
}

// renderBuilder shows the builder.
func (s *Console) renderBuilder(c *gin.Context, status int, v builderView) {
	v.Currencies = currencyCodes
	title := "New quote for " + v.Customer
	if v.Revising {
		title = fmt.Sprintf("Quote for %s: version %d", v.Customer, v.Version)
	}
	pg := page{Title: title, Data: v}
	if status >= 400 {
		pg.Error = "Not priced as it stands: see the problems marked below."
	}
	s.render(c, status, "quote_builder.html", pg)
}

// builderStatus is 422 when anything on the form is wrong, else 200.
func builderStatus(v builderView) int {
	if len(v.Errors) > 0 || hasRowErrors(v.Rows) {
		return http.StatusUnprocessableEntity
	}
	return http.StatusOK
}

func hasRowErrors(rows []builderRow) bool {
	for _, r := range rows {
		if len(r.Errors) > 0 {
			return true
		}
	}
	return false
}

var lineFieldPattern = regexp.MustCompile(`^lines\[(\d+)\]\.([a-z_]+)$`)

// lineField splits a problem's field (lines[2].quantity) into its line and
// field.
func lineField(f string) (int, string, bool) {
	m := lineFieldPattern.FindStringSubmatch(f)
	if m == nil {
		return 0, "", false
	}
	i, err := strconv.Atoi(m[1])
	return i, m[2], err == nil
}

// percentOf writes basis points as the percentage the builder shows (250:
// "2.5"); "" for none.
func percentOf(bp domain.BasisPoints) string {
	if bp == 0 {
		return ""
	}
	s := domain.FormatMinor(int64(bp), "USD")
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}
