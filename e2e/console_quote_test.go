package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A quote in a real browser: a partner builds a quote on its approved
// registration from the catalog, sees a configuration error next to its
// line (a seat without its console), fixes it and submits a line whose
// additional discount is over the manager's threshold; a channel manager
// approves from the approval queue (and a second try of theirs is refused,
// shown as the workflow words it); finance gives the second approval; the
// partner records the customer's acceptance and the deal shows won.
func TestConsoleQuoteInABrowser(t *testing.T) {
	sfx := strings.ToUpper(strings.ReplaceAll(uniqueName(), " ", ""))[:6]
	seat, console := "SEAT-"+sfx, "CONSOLE-"+sfx
	products := "sku,name,product_line,unit,discountable,active,min_qty,max_qty,requires,excludes\n" +
		seat + ",Analytics seat,analytics,seat,true,true,1,1000," + console + ",\n" +
		console + ",Analytics console,analytics,instance,true,true,1,1,,\n"
	if st, body := postQuoteCSV(t, "/v1/quote-catalog/import?kind=products", "admin", products); st != 201 {
		t.Fatalf("products: %d %s", st, body)
	}
	prices := "sku,currency,effective_from,list_price\n" + seat + ",USD,2020-01-01,12345\n" + console + ",USD,2020-01-01,100000\n"
	if st, body := postQuoteCSV(t, "/v1/quote-catalog/import?kind=prices", "admin", prices); st != 201 {
		t.Fatalf("prices: %d %s", st, body)
	}
	post(t, "/v1/quote-catalog/schedules", "admin", map[string]any{"sku": seat, "kind": "range",
		"tiers": []map[string]int{{"from": 1, "bp": 0}, {"from": 10, "bp": 500}}}).must(t, http.StatusCreated)
	post(t, "/v1/quote-catalog/policy", "admin", map[string]any{"registration_bp": 500, "manager_up_to_bp": 1000,
		"partner_discounts": []map[string]any{{"partner_type": "reseller", "tier": "Gold", "product_line": "analytics", "bp": 1000}}}).must(t, http.StatusCreated)
	deal := submit(t, stack.tokens["partnerA"])
	dealID, customer := deal.str("id"), deal.body["customer"].(map[string]any)["name"].(string)
	post(t, "/v1/deals/"+dealID+"/approve", "manager", map[string]string{"reason": "go"}).must(t, http.StatusOK)

	b := newBrowser(t)
	b.signIn("partnerA")
	b.step("deal-page", chromedp.Navigate(stack.baseURL+"/console/deals/"+dealID), chromedp.WaitVisible(chromedp.CSS("#new-quote")))
	b.step("builder", chromedp.Click(chromedp.CSS("#new-quote")), chromedp.WaitVisible(chromedp.CSS("#catalog-q")))
	// Each form's answer is a new page; the steps wait for it (waitFresh)
	// before looking for what it shows, which the old page may show too.
	b.step("search-catalog", chromedp.SendKeys(chromedp.CSS("#catalog-q"), sfx), markStale(), chromedp.Click(chromedp.CSS("#catalog-search")),
		waitFresh(), chromedp.WaitVisible(chromedp.CSS("#add-"+console)))
	if got := b.text("#catalog tbody"); !strings.Contains(got, seat) || !strings.Contains(got, console) {
		t.Fatalf("catalog search: %q", got)
	}
	// The seat alone: priced, the builder says what is missing next to it.
	b.step("add-seat", markStale(), chromedp.Click(chromedp.CSS("#add-"+seat)), waitFresh(), chromedp.WaitVisible(chromedp.CSS("#qty-0")))
	// A changed line field re-prices at once (quote.js submits the form on
	// its change event, which SetValue fires): each change is its own page.
	b.step("quantity", markStale(), chromedp.SetValue(chromedp.CSS("#qty-0"), "20"), waitFresh(), chromedp.WaitVisible(chromedp.CSS("#disc-0")))
	b.step("discount", markStale(), chromedp.SetValue(chromedp.CSS("#disc-0"), "12"), waitFresh(), chromedp.WaitVisible(chromedp.CSS("#price")))
	b.step("configuration-error", markStale(), chromedp.Click(chromedp.CSS("#price")), waitFresh(), chromedp.WaitVisible(chromedp.CSS("#line-0-err")))
	if got := b.text("#line-0-err"); !strings.Contains(got, seat+" requires "+console) {
		t.Fatalf("inline configuration error: %q", got)
	}
	// Adding the console fixes it: every line's waterfall, the total, and
	// what the approval needs.
	b.step("waterfall", markStale(), chromedp.Click(chromedp.CSS("#add-"+console)), waitFresh(), chromedp.WaitVisible(chromedp.CSS("#builder-total")))
	if got := b.text("#approval-needed"); !strings.Contains(got, "finance") {
		t.Fatalf("approval needed: %q", got)
	}
	// SEAT: 2469.00 → volume 5 % 2345.55 → partner 10 % 2111.00 →
	// registration 5 % 2005.45 → additional 12 % 1764.80; CONSOLE 1000.00
	// → 900.00 → 855.00. Total 2619.80.
	if got := b.text("#builder-total"); got != "2619.80 USD" {
		t.Fatalf("builder total %q", got)
	}
	b.step("submit", markStale(), chromedp.Click(chromedp.CSS("#save-submit")), waitFresh(), chromedp.WaitVisible(chromedp.CSS("#quote-status")))
	if got := b.text("#quote-status"); got != "pending approval" {
		t.Fatalf("after submitting: %q (%s)", got, b.text("main"))
	}
	quoteURL, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	b.signOut()

	b.signIn("manager")
	b.step("manager-queue", chromedp.Navigate(stack.baseURL+"/console/quote-approvals"), chromedp.WaitVisible(chromedp.CSS("#quote-queue")))
	if got := b.text("#quote-queue"); !strings.Contains(got, customer) || !strings.Contains(got, "due in") {
		t.Fatalf("the manager's queue: %q", got)
	}
	b.step("manager-open", chromedp.Click(chromedp.Search(`//table[@id="quote-queue"]//a[normalize-space(text())="`+customer+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#approve-quote")))
	b.step("manager-approve", chromedp.SendKeys(chromedp.CSS("#approve-reason"), "competitive deal"),
		chromedp.Click(chromedp.CSS("#approve-quote")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := b.text(".flash"); got != "Done: approval recorded" || b.text("#quote-status") != "pending approval" {
		t.Fatalf("manager's approval: %q, %q", got, b.text("#quote-status"))
	}
	// The same person again: the workflow refuses, and the page says why.
	b.step("manager-refused", chromedp.Click(chromedp.CSS("#approve-quote")), chromedp.WaitVisible(chromedp.CSS("main .error")))
	if got := b.text("main .error"); !strings.HasPrefix(got, "Not done: ") {
		t.Fatalf("a second approval by the manager: %q", got)
	}
	b.signOut()

	b.signIn("finance")
	b.step("finance-queue", chromedp.Navigate(stack.baseURL+"/console/quote-approvals"), chromedp.WaitVisible(chromedp.CSS("#quote-queue")))
	if got := b.text("#quote-queue"); !strings.Contains(got, customer) || !strings.Contains(got, "1 of 2") {
		t.Fatalf("finance's queue: %q", got)
	}
	b.step("finance-approve", chromedp.Click(chromedp.Search(`//table[@id="quote-queue"]//a[normalize-space(text())="`+customer+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#approve-quote")), chromedp.Click(chromedp.CSS("#approve-quote")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := b.text("#quote-status"); got != "approved" {
		t.Fatalf("after finance's approval: %q (%s)", got, b.text("main"))
	}
	b.signOut()

	b.signIn("partnerA")
	b.step("partner-accepts", chromedp.Navigate(quoteURL), chromedp.WaitVisible(chromedp.CSS("#accept-quote")),
		chromedp.SendKeys(chromedp.CSS("#po_number"), "PO-BROWSER-1"), chromedp.Click(chromedp.CSS("#accept-quote")),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := b.text("#quote-status"); got != "accepted" {
		t.Fatalf("after acceptance: %q (%s)", got, b.text("main"))
	}
	if got := b.text("#quote-history"); !strings.Contains(got, "Morgan Manager") || !strings.Contains(got, "competitive deal") || !strings.Contains(got, "Fin Ance") {
		t.Fatalf("history: %q", got)
	}
	b.step("deal-won", chromedp.Navigate(stack.baseURL+"/console/deals/"+dealID), chromedp.WaitVisible(chromedp.CSS("#deal-status")))
	if got := b.text("#deal-status"); got != "closed won" || !strings.Contains(b.text(".facts"), "won 2619.80 USD") {
		t.Fatalf("the deal after acceptance: %q / %q", got, b.text(".facts"))
	}
	// Another organization does not reach the quote.
	b.signOut()
	b.signIn("partnerB")
	b.step("other-org", chromedp.Navigate(quoteURL), chromedp.WaitVisible(chromedp.CSS("h1")))
	if got := b.text("h1"); got != "Not found" {
		t.Fatalf("another organization sees %q", got)
	}
}
