package console

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/internal/config"
	"github.com/dealflow/dealflow/internal/testenv"
	"github.com/dealflow/dealflow/internal/tokens"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// quoteWorld is a console on a database of its own with a catalog (SEAT
// requires CONSOLE, both priced in USD), two partners each with a user and
// an approved deal, and one stored quote of partner A's.
type quoteWorld struct {
	h              http.Handler
	q              *dbq.Queries
	pool           *pgxpool.Pool
	dealA, dealB   uuid.UUID
	quoteA         uuid.UUID
	tokenA, tokenB string
	// clk is the console's clock, at noon on 2026-11-30 unless moved.
	clk *movingClock
}

func newQuoteWorld(t *testing.T) quoteWorld {
	t.Helper()
	ctx := context.Background()
	own, err := testenv.NewDatabase(ctx, "console_quotes")
	if err != nil {
		t.Fatalf("needs PostgreSQL: %v", err)
	}
	t.Cleanup(own.Close)
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.RateLimit, cfg.RateBurst = 1e6, 1e6
	q := dbq.New(own.Pool)
	w := quoteWorld{q: q, pool: own.Pool}
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, p := range []dbq.QuoteProductUpsertParams{
		{Sku: "SEAT", Name: "Analytics seat", ProductLine: "analytics", Unit: "seat", Discountable: true, Active: true, MinQty: 1, MaxQty: 1000,
			Requires: []string{"CONSOLE"}, Excludes: []string{}},
		{Sku: "CONSOLE", Name: "Analytics console", ProductLine: "analytics", Unit: "instance", Discountable: true, Active: true, MinQty: 1, MaxQty: 1,
			Requires: []string{}, Excludes: []string{}},
	} {
		if err := q.QuoteProductUpsert(ctx, p); err != nil {
			t.Fatal(err)
		}
		if _, err := q.QuotePriceInsert(ctx, dbq.QuotePriceInsertParams{Sku: p.Sku, Currency: "USD", EffectiveFrom: now.AddDate(-1, 0, 0), ListPrice: 12345}); err != nil {
			t.Fatal(err)
		}
	}
	deal := func(name string) (uuid.UUID, string) {
		partner, err := q.PartnerCreate(ctx, dbq.PartnerCreateParams{Name: name, Type: "reseller", Tier: "gold"})
		if err != nil {
			t.Fatal(err)
		}
		u, err := q.UserEnsure(ctx, dbq.UserEnsureParams{Name: name + " rep", Role: "partner_user", PartnerID: uuid.NullUUID{UUID: partner.ID, Valid: true}})
		if err != nil {
			t.Fatal(err)
		}
		token, hash, err := tokens.New()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := q.TokenCreate(ctx, dbq.TokenCreateParams{UserID: u.ID, TokenHash: hash}); err != nil {
			t.Fatal(err)
		}
		id := uuid.Must(uuid.NewV7())
		if _, err := q.DealInsert(ctx, dbq.DealInsertParams{ID: id, PartnerID: partner.ID, Status: "approved", Kind: "resale", CustomerNameKeys: []int64{},
			CustomerName: name + " Customer", CustomerDomain: "acme.com", CustomerRegistrableDomain: "acme.com", CustomerCountry: "US", ContactName: "Jane",
			ContactEmail: "jane@acme.com", ProductLines: []string{"analytics"}, Amount: 100, Currency: "USD", ExpectedCloseDate: now,
			SubmittedBy: u.ID, WorkflowID: "deal/" + id.String(), CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		if _, err := own.Pool.Exec(ctx, `UPDATE deals SET expires_at = $2 WHERE id = $1`, id, now.AddDate(0, 3, 0)); err != nil {
			t.Fatal(err)
		}
		return id, token
	}
	w.dealA, w.tokenA = deal("Alpha")
	w.dealB, w.tokenB = deal("Beta")
	d, err := q.DealGet(ctx, dbq.DealGetParams{ID: w.dealA})
	if err != nil {
		t.Fatal(err)
	}
	w.quoteA = uuid.New()
	if err := q.QuoteInsert(ctx, dbq.QuoteInsertParams{ID: w.quoteA, DealID: w.dealA, PartnerID: d.PartnerID, Status: "draft", Currency: "USD",
		NetTotal: 24690, WorkflowID: "quote/" + w.quoteA.String(), CreatedBy: "test", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	w.clk = &movingClock{now: now}
	w.h = served(cfg, own.Pool, nil, w.clk)
	return w
}

var csrfInPage = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// consoleSession signs token in through the form and returns the session
// cookie and the session's CSRF token.
func (w quoteWorld) session(t *testing.T, token string) (*http.Cookie, string) {
	t.Helper()
	form := url.Values{"csrf": {"pre"}, "token": {token}}
	req := httptest.NewRequest(http.MethodPost, "/console/sign-in", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: preCSRFCookie, Value: "pre"})
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	var session *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			session = c
		}
	}
	if rec.Code != http.StatusSeeOther || session == nil {
		t.Fatalf("sign in: %d", rec.Code)
	}
	page := w.send(t, session, http.MethodGet, "/console/quotes", nil)
	m := csrfInPage.FindStringSubmatch(page.Body.String())
	if m == nil {
		t.Fatalf("no CSRF token on the quotes page: %d\n%s", page.Code, page.Body)
	}
	return session, m[1]
}

func (w quoteWorld) send(t *testing.T, session *http.Cookie, method, path string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	req.AddCookie(session)
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	return rec
}

// The quote builder answers bad input with the page again (422), each
// problem next to its line, and writes nothing: an unknown SKU, a product
// whose required product is missing, a quantity out of range or not a
// number, a discount over 100 % or negative, a currency without prices; no
// line at all; another organization's deal is not found.
func TestQuoteBuilderShowsBadInputInline(t *testing.T) {
	w := newQuoteWorld(t)
	session, csrf := w.session(t, w.tokenA)
	path := "/console/deals/" + w.dealA.String() + "/quotes"

	if rec := w.send(t, session, http.MethodGet, path+"/new", nil); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `id="add-SEAT"`) {
		t.Fatalf("new quote page: %d\n%s", rec.Code, rec.Body)
	}
	for _, tc := range []struct {
		name     string
		currency string
		lines    [][3]string // sku, quantity, discount
		line     int
		want     string
	}{
		{"unknown SKU", "USD", [][3]string{{"NOPE", "1", ""}}, 0, `no product &#34;NOPE&#34; in the catalog`},
		{"requires", "USD", [][3]string{{"SEAT", "20", "2.5"}}, 0, "SEAT requires CONSOLE on the same quote"},
		{"quantity over max", "USD", [][3]string{{"SEAT", "20", ""}, {"CONSOLE", "2", ""}}, 1, "CONSOLE takes 1 to 1 instance"},
		{"quantity not a number", "USD", [][3]string{{"SEAT", "many", ""}}, 0, "quantity must be a whole number"},
		{"discount over 100", "USD", [][3]string{{"SEAT", "1", "150"}, {"CONSOLE", "1", ""}}, 0, "percentage from 0 to 100"},
		{"negative discount", "USD", [][3]string{{"SEAT", "1", "-5"}, {"CONSOLE", "1", ""}}, 0, "percentage from 0 to 100"},
		{"no price", "EUR", [][3]string{{"SEAT", "1", ""}, {"CONSOLE", "1", ""}}, 0, "no EUR list price for SEAT"},
		{"a control character", "USD", [][3]string{{"SE\x00AT", "1", ""}}, 0, "SKU must be"},
	} {
		for _, action := range []string{"price", "save", "submit"} {
			form := url.Values{"csrf": {csrf}, "currency": {tc.currency}, "action": {action}, "quote_id": {uuid.NewString()}}
			for _, l := range tc.lines {
				form["sku"], form["quantity"], form["discount"] = append(form["sku"], l[0]), append(form["quantity"], l[1]), append(form["discount"], l[2])
			}
			rec := w.send(t, session, http.MethodPost, path, form)
			body := rec.Body.String()
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("%s (%s): %d, want 422\n%s", tc.name, action, rec.Code, body)
			}
			errCell := regexp.MustCompile(`id="line-` + string(rune('0'+tc.line)) + `-err"[^>]*>([^<]*)<`).FindStringSubmatch(body)
			if errCell == nil || !strings.Contains(errCell[1], tc.want) {
				t.Fatalf("%s (%s): line %d's error %q, want %q\n%s", tc.name, action, tc.line, errCell, tc.want, body)
			}
		}
	}
	// No line, a bad currency: the form says so, next to the field.
	rec := w.send(t, session, http.MethodPost, path, url.Values{"csrf": {csrf}, "currency": {"X\x00"}, "action": {"save"}})
	if body := rec.Body.String(); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="lines-err"`) || !strings.Contains(body, `id="currency-err"`) {
		t.Fatalf("no lines, bad currency: %d\n%s", rec.Code, body)
	}
	// A send without a button (not the page's own) is checked as a save;
	// a search before any line is none.
	if rec := w.send(t, session, http.MethodPost, path, url.Values{"csrf": {csrf}, "currency": {"USD"}, "lines": {"x\x00"}}); rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("a send without a button: %d", rec.Code)
	}
	if rec := w.send(t, session, http.MethodPost, path, url.Values{"csrf": {csrf}, "currency": {"USD"}, "action": {"search"}, "q": {"analytics"}}); rec.Code != http.StatusOK ||
		!strings.Contains(rec.Body.String(), `id="add-CONSOLE"`) {
		t.Fatalf("a search by product line: %d\n%s", rec.Code, rec.Body)
	}
	// Nothing was written: the one quote is the world's own.
	if rows, err := w.q.QuoteList(context.Background(), dbq.QuoteListParams{}); err != nil || len(rows) != 1 {
		t.Fatalf("quotes after bad input: %d, %v", len(rows), err)
	}
	// Priced well: every line's waterfall and the total, without errors.
	form := url.Values{"csrf": {csrf}, "currency": {"USD"}, "action": {"price"}, "sku": {"SEAT", "CONSOLE"}, "quantity": {"20", "1"}, "discount": {"2.5", ""}}
	rec = w.send(t, session, http.MethodPost, path, form)
	if body := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(body, `id="builder-total"`) || strings.Contains(body, "field-error") ||
		!strings.Contains(body, "needs a channel manager") {
		t.Fatalf("priced: %d\n%s", rec.Code, body)
	}
	// Removing line 0 and adding one from the catalog re-render the form.
	form.Set("remove", "0")
	form.Set("add", "SEAT")
	if rec := w.send(t, session, http.MethodPost, path, form); rec.Code != http.StatusOK || strings.Count(rec.Body.String(), `name="sku" value="SEAT"`) != 1 {
		t.Fatalf("remove and add: %d\n%s", rec.Code, rec.Body)
	}
	// Another organization's deal is not there for partner A.
	other := "/console/deals/" + w.dealB.String() + "/quotes"
	if rec := w.send(t, session, http.MethodGet, other+"/new", nil); rec.Code != http.StatusNotFound {
		t.Fatalf("another organization's deal: %d", rec.Code)
	}
	if rec := w.send(t, session, http.MethodPost, other, form); rec.Code != http.StatusNotFound {
		t.Fatalf("quoting another organization's deal: %d", rec.Code)
	}
}

// A partner sees its own organization's quotes only (scoped in SQL): the
// list, the page, the builder of a new version and the step forms of
// another organization's quote are not there for it.
func TestQuotePagesScopedToThePartner(t *testing.T) {
	w := newQuoteWorld(t)
	a, _ := w.session(t, w.tokenA)
	b, csrfB := w.session(t, w.tokenB)
	id := w.quoteA.String()
	if rec := w.send(t, a, http.MethodGet, "/console/quotes", nil); !strings.Contains(rec.Body.String(), id) {
		t.Fatalf("partner A's list lacks its quote:\n%s", rec.Body)
	}
	if rec := w.send(t, a, http.MethodGet, "/console/quotes/"+id, nil); rec.Code != http.StatusOK ||
		!strings.Contains(rec.Body.String(), "/console/quotes/"+id+"/document.pdf") || !strings.Contains(rec.Body.String(), `id="submit-quote"`) {
		t.Fatalf("partner A's quote page: %d\n%s", rec.Code, rec.Body)
	}
	if rec := w.send(t, b, http.MethodGet, "/console/quotes", nil); strings.Contains(rec.Body.String(), id) {
		t.Fatalf("partner B lists A's quote:\n%s", rec.Body)
	}
	for _, path := range []string{"/console/quotes/" + id, "/console/quotes/" + id + "/edit"} {
		if rec := w.send(t, b, http.MethodGet, path, nil); rec.Code != http.StatusNotFound {
			t.Fatalf("partner B GET %s: %d", path, rec.Code)
		}
	}
	for _, step := range []string{"submit", "withdraw", "accept", "revise"} {
		rec := w.send(t, b, http.MethodPost, "/console/quotes/"+id+"/"+step, url.Values{"csrf": {csrfB}, "po_number": {"PO"}, "accepted_on": {"2026-11-30"}})
		if rec.Code != http.StatusNotFound {
			t.Fatalf("partner B POST %s: %d", step, rec.Code)
		}
	}
	// A bad filter is ignored and said so, not a 5xx.
	if rec := w.send(t, a, http.MethodGet, "/console/quotes?status=bogus&deal_id=x", nil); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "The filter was ignored") {
		t.Fatalf("bad filter: %d\n%s", rec.Code, rec.Body)
	}
	// A step form with bad input goes back to the quote saying why, before
	// any workflow is asked.
	a2, csrfA := w.session(t, w.tokenA)
	_ = a
	rec := w.send(t, a2, http.MethodPost, "/console/quotes/"+id+"/accept", url.Values{"csrf": {csrfA}, "po_number": {""}, "accepted_on": {"someday"}})
	if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || !strings.Contains(loc, "Not+done") {
		t.Fatalf("accept without a PO number: %d %s", rec.Code, loc)
	}
	page := w.send(t, a2, http.MethodGet, rec.Header().Get("Location"), nil)
	if !strings.Contains(page.Body.String(), `class="error" role="alert">Not done: `) {
		t.Fatalf("the refusal is not shown as an error:\n%s", page.Body)
	}
}

// The registration form picks product lines from the catalog and the
// country and currency from their ISO lists.
func TestDealFormPicksFromLists(t *testing.T) {
	w := newQuoteWorld(t)
	session, _ := w.session(t, w.tokenA)
	body := w.send(t, session, http.MethodGet, "/console/deals/new", nil).Body.String()
	for _, want := range []string{`name="product_lines" value="analytics"`, `<option value="US">United States (US)</option>`,
		`<option value="JPY">JPY</option>`, `<option value="USD" selected>USD</option>`} {
		if !strings.Contains(body, want) {
			t.Fatalf("the registration form lacks %s:\n%s", want, body)
		}
	}
}

// The approval queue shows a quote awaiting approval with its SLA clock
// (the policy's default 24 hours from its submission) and whose turn it
// is: a channel manager's first.
func TestQuoteApprovalQueue(t *testing.T) {
	w := newQuoteWorld(t)
	ctx := context.Background()
	u, err := w.q.UserEnsure(ctx, dbq.UserEnsureParams{Name: "Mo Manager", Role: "channel_manager"})
	if err != nil {
		t.Fatal(err)
	}
	token, hash, err := tokens.New()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.q.TokenCreate(ctx, dbq.TokenCreateParams{UserID: u.ID, TokenHash: hash}); err != nil {
		t.Fatal(err)
	}
	submitted := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC) // the world's clock is at 12:00
	for _, stmt := range []string{
		`INSERT INTO quote_versions (quote_id, version, priced, list_total, net_total, created_at) VALUES ($1, 1, '{"policy_version": 0}', 24690, 24690, $2)`,
		`INSERT INTO quote_events (quote_id, seq, type, to_status, version, actor_id, actor_name, actor_role, occurred_at) VALUES ($1, 1, 'submitted', 'pending_approval', 1, 'x', 'Pat Partner', 'partner_user', $2)`,
		`UPDATE quotes SET status = 'pending_approval', approval_level = 2 WHERE id = $1 AND $2::timestamptz IS NOT NULL`,
	} {
		if _, err := w.pool.Exec(ctx, stmt, w.quoteA, submitted); err != nil {
			t.Fatal(err)
		}
	}
	session, _ := w.session(t, token)
	rec := w.send(t, session, http.MethodGet, "/console/quote-approvals", nil)
	body := rec.Body.String()
	for _, want := range []string{"Alpha Customer", "0 of 2", "channel manager <strong>(you)</strong>", "due in 14 h 00 min", "2026-12-01 02:00 UTC"} {
		if rec.Code != http.StatusOK || !strings.Contains(body, want) {
			t.Fatalf("the queue lacks %q: %d\n%s", want, rec.Code, body)
		}
	}
	partner, _ := w.session(t, w.tokenA)
	if rec := w.send(t, partner, http.MethodGet, "/console/quote-approvals", nil); rec.Code != http.StatusForbidden {
		t.Fatalf("a partner opens the queue: %d", rec.Code)
	}
}
