package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// flashAfter clicks button on the page as it is, then waits for the page
// the form's answer redirects to (not the old one) and returns its
// message.
func (b *browser) flashAfter(name, button string, fill ...chromedp.Action[chromedp.Void]) string {
	b.t.Helper()
	actions := append([]chromedp.Action[chromedp.Void]{markStale()}, fill...)
	actions = append(actions, chromedp.Click(chromedp.CSS(button)), waitFresh(), chromedp.WaitVisible(chromedp.CSS(".flash")))
	b.step(name, actions...)
	return b.text(".flash")
}

// eval runs a script on the page and returns its result.
func eval[T any](b *browser, script string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](script, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("script %s: %v", script, err)
	}
	return v
}

// fetched is what the browser got for a link followed with its session.
type fetched struct {
	Status int    `json:"status"`
	Type   string `json:"type"`
	Body   string `json:"body"`
}

// follow fetches the href of the link sel from the page, with the page's
// session (a download link would end the navigation, not show a page).
func (b *browser) follow(sel string) fetched {
	b.t.Helper()
	return eval[fetched](b, `(async () => {
		const r = await fetch(document.querySelector(`+"`"+sel+"`"+`).href);
		return {status: r.status, type: r.headers.get("content-type") || "", body: await r.text()};
	})()`)
}

// shareForm fills the share form's fields that a prefill leaves empty.
func shareForm(close string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.SendKeys(chromedp.CSS(`#share-form input[name="product_lines"]`), "firewall, vpn"),
		chromedp.SendKeys(chromedp.CSS(`#share-form input[name="amount"]`), "2500000"),
		chromedp.SendKeys(chromedp.CSS(`#share-form input[name="currency"]`), "EUR"),
		chromedp.SendKeys(chromedp.CSS(`#share-form input[name="capabilities"]`), "on-site install"),
		chromedp.SetValue(chromedp.CSS(`#share-form input[name="expected_close_date"]`), close),
		chromedp.SetValue(chromedp.CSS(`#share-form select[name="mode"]`), "first_to_accept"),
	}
}

// opportunityID is the id of the shared opportunity of customer.
func opportunityID(t *testing.T, customer string) string {
	t.Helper()
	var id string
	if err := stack.pool.QueryRow(t.Context(), `SELECT id::text FROM cosell_opportunities WHERE customer_name = $1`, customer).Scan(&id); err != nil {
		t.Fatalf("the opportunity of %s: %v", customer, err)
	}
	return id
}

// wantAll fails unless got holds every one of want.
func wantAll(t *testing.T, what, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Fatalf("%s lacks %q: %q", what, w, got)
		}
	}
}

// Shared opportunities in a real browser, both sides' screens: the seller
// shares one first-to-accept with partners A and B from the form and sees
// it open with both invitations open; partner B's decline without a reason
// is held back by the browser (the field says why) and, sent anyway,
// refused by the server ("Not done: a reason is required"), then declined
// with one; partner A sees its invitation, accepts it and follows the link
// to its registration: approved, vendor_sourced, its notes naming the
// opportunity and the seller; the seller sees it awarded to A with the
// deal approved, A's invitation accepted and B's declined with the reason.
func TestConsoleSharedOpportunityInABrowser(t *testing.T) {
	customer := "Initrode " + uniqueName()
	dom := uniqueDomain()
	closeOn := time.Now().UTC().AddDate(0, 2, 0).Format(time.DateOnly)
	b := newBrowserWithin(t, 5*time.Minute) // four sign-ins, a dozen pages

	b.signIn("seller")
	b.step("share-form", chromedp.Navigate(stack.baseURL+"/console/cosell/opportunities"), chromedp.WaitVisible(chromedp.CSS("#share-form")))
	fill := append([]chromedp.Action[chromedp.Void]{
		chromedp.SendKeys(chromedp.CSS(`#share-form input[name="customer_name"]`), customer),
		chromedp.SendKeys(chromedp.CSS(`#share-form input[name="domain"]`), dom),
		chromedp.SendKeys(chromedp.CSS(`#share-form input[name="country"]`), "DE"),
		chromedp.SendKeys(chromedp.CSS(`#share-form textarea[name="notes"]`), "three sites, install by March"),
		chromedp.SendKeys(chromedp.CSS(`#share-form input[name="partner_ids"]`), stack.partnerA+", "+stack.partnerB),
	}, shareForm(closeOn)...)
	if got := b.flashAfter("share", "#share", fill...); got != "Done: shared with 2 partner(s)" {
		t.Fatalf("share: %q", got)
	}
	id := opportunityID(t, customer)
	row := "#opportunity-" + id
	wantAll(t, "the seller's new opportunity", b.text(row), customer, "first to accept", "open",
		"Northwind Resellers: open", "Contoso MSP: open", "sam@vendor.example")
	b.signOut()

	b.signIn("partnerB")
	inv := "#invitation-" + id
	b.step("b-invitations", chromedp.Navigate(stack.baseURL+"/console/cosell/invitations"), chromedp.WaitVisible(chromedp.CSS(inv)))
	wantAll(t, "partner B's invitation", b.text(inv), customer, "firewall, vpn", "on-site install", "three sites, install by March", "open")
	decline := `form[action="/console/cosell/invitations/` + id + `/decline"]`
	// The browser keeps the form while the reason is missing, and says so.
	b.step("decline-without-reason", markStale(), chromedp.Click(chromedp.CSS(decline+" button")), chromedp.Sleep(500*time.Millisecond))
	if eval[bool](b, `document.body.dataset.stale !== "1"`) {
		t.Fatal("the browser sent a decline without a reason")
	}
	if msg := eval[string](b, `document.querySelector('`+decline+` input[name="reason"]').validationMessage`); msg == "" {
		t.Fatal("the empty reason has no validation message")
	}
	// Sent anyway (as a script would), the server refuses it and the page says why.
	if got := b.flashAfter("decline-without-reason-sent", decline+" button",
		chromedp.SetAttributeValue(chromedp.CSS(decline), "novalidate", "")); got != "Not done: a reason is required" {
		t.Fatalf("a decline without a reason: %q", got)
	}
	if got := b.flashAfter("decline", decline+" button",
		chromedp.SendKeys(chromedp.CSS(decline+` input[name="reason"]`), "no capacity in DE")); got != "Done: decline" {
		t.Fatalf("decline: %q", got)
	}
	if got := b.text(inv); !strings.Contains(got, "declined — no capacity in DE") || strings.Contains(got, "Accept") {
		t.Fatalf("partner B's declined invitation: %q", got)
	}
	b.signOut()

	b.signIn("partnerA")
	b.step("a-invitations", chromedp.Navigate(stack.baseURL+"/console/cosell/invitations"), chromedp.WaitVisible(chromedp.CSS(inv)))
	wantAll(t, "partner A's invitation", b.text(inv), customer, "open", "the first to accept wins")
	if got := b.flashAfter("accept", `form[action="/console/cosell/invitations/`+id+`/accept"] button`); got != "Done: accept" {
		t.Fatalf("accept: %q", got)
	}
	wantAll(t, "partner A's accepted invitation", b.text(inv), "accepted", "your registration")
	b.step("registration", chromedp.Click(chromedp.CSS(inv+` a[href^="/console/deals/"]`)), chromedp.WaitVisible(chromedp.CSS("#deal-status")))
	if h1, st := b.text("h1"), b.text("#deal-status"); !strings.HasPrefix(h1, customer) || st != "approved" {
		t.Fatalf("the registration: %q %q", h1, st)
	}
	// Where it came from, in its facts (read whole: a missing field fails at once).
	wantAll(t, "the registration's facts", b.text("dl.facts"), "Kind\nvendor_sourced", "Notes\nshared opportunity "+id+" from seller sam@vendor.example")
	wantAll(t, "the registration's timeline", b.text("ol.timeline"), "submitted", "Pat Partner", "approved")
	b.signOut()

	b.signIn("seller")
	b.step("seller-sees-award", chromedp.Navigate(stack.baseURL+"/console/cosell/opportunities"), chromedp.WaitVisible(chromedp.CSS(row)))
	got := b.text(row)
	wantAll(t, "the seller's awarded opportunity", got, "awarded — Northwind Resellers", "deal approved",
		"Northwind Resellers: accepted", "Contoso MSP: declined — no capacity in DE")
	if strings.Contains(got, "Withdraw") {
		t.Fatalf("an awarded opportunity offers withdrawal: %q", got)
	}
}

// Account mapping in a real browser. The vendor imports (API) two
// accounts, customers of a seller of the test's own (other tests count
// Sam's accounts). Partner A's user uploads a CSV file on the mapping
// page: a bad file is refused whole with its rows' errors listed, then a
// good one with the two accounts (one A's customer, one its prospect) is
// counted; the user sees the opt-ins read only. Partner A's admin ticks
// both categories and saves them. Partner A's report shows both accounts
// with the vendor's category; the relation filter narrows it to one, and
// the CSV link returns the same rows; a category with nothing shows none.
// The seller's report explains each overlap (same registrable domain),
// filters too, and its CSV link has the same rows; the seller sees
// partner A on their account and, from there, invites A to co-sell (the
// share form prefilled with the account and the partner), then withdraws
// the opportunity with a reason.
func TestConsoleAccountMappingInABrowser(t *testing.T) {
	stamp := tag()
	tok := "Brw" + stamp[len(stamp)-9:]
	dom := strings.ToLower(tok)
	sellerEmail := "mapper-" + stamp[len(stamp)-9:] + "@vendor.example"
	seller, err := cliLine("token", "create", "--role", "sales_rep", "--name", "Mo Mapper", "--email", sellerEmail)
	if err != nil {
		t.Fatal(err)
	}
	opted := call(t, http.MethodGet, "/v1/mapping/opt-ins", stack.tokens["adminA"], nil).must(t, http.StatusOK).body["categories"]
	t.Cleanup(func() {
		call(t, http.MethodPut, "/v1/mapping/opt-ins", stack.tokens["adminA"], map[string]any{"categories": opted}).must(t, http.StatusOK)
	})
	call(t, http.MethodPost, "/v1/accounts/import", stack.tokens["manager"], map[string]any{"accounts": []map[string]any{
		{"external_id": tok + "-VR", "name": tok + " Robotics GmbH", "domain": dom + "robotics.de", "country": "DE", "owner_type": "direct", "owner_email": sellerEmail},
		{"external_id": tok + "-VL", "name": tok + " Logistik AG", "domain": dom + "logistik.de", "country": "DE", "owner_type": "direct", "owner_email": sellerEmail},
	}}).must(t, http.StatusOK)

	b := newBrowserWithin(t, 4*time.Minute)
	filter := func(name string, fill ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		b.step(name, append(append([]chromedp.Action[chromedp.Void]{markStale()}, fill...),
			chromedp.Click(chromedp.CSS(`#mapping-filter button[type="submit"]`)), waitFresh(), chromedp.WaitVisible(chromedp.CSS("#overlaps")))...)
	}
	// csvRows fetches the CSV link and returns its rows but the header,
	// after checking they are as many as the report's.
	csvRows := func(what string) []string {
		t.Helper()
		got := b.follow("#overlaps-csv")
		if got.Status != http.StatusOK || !strings.HasPrefix(got.Type, "text/csv") {
			t.Fatalf("%s: the CSV link answers %d %q: %s", what, got.Status, got.Type, got.Body)
		}
		lines := strings.Split(strings.TrimSpace(got.Body), "\n")
		shown := eval[int](b, `document.querySelectorAll("#overlaps tbody tr td:nth-child(2)").length`)
		if len(lines)-1 != shown {
			t.Fatalf("%s: the CSV has %d rows, the page %d:\n%s", what, len(lines)-1, shown, got.Body)
		}
		return lines[1:]
	}
	checked := func(id string) bool {
		t.Helper()
		return eval[bool](b, `document.querySelector("#`+id+`").checked`)
	}

	dir := t.TempDir()
	bad, good := filepath.Join(dir, "bad.csv"), filepath.Join(dir, "accounts.csv")
	for file, body := range map[string]string{
		bad: "external_id,name,domain,country,relation\n" + tok + "-R," + tok + " Robotics," + dom + "robotics.de,DE,customer\n" + tok + "-L,," + dom + "logistik.de,DE,partner\n",
		good: "external_id,name,domain,country,relation\n" +
			tok + "-R," + tok + " Robotics,https://www." + dom + "robotics.de,DE,customer\n" +
			tok + "-L," + tok + " Logistik," + dom + "logistik.de,DE,prospect\n",
	} {
		if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b.signIn("partnerA")
	b.step("a-mapping", chromedp.Navigate(stack.baseURL+"/console/mapping"), chromedp.WaitVisible(chromedp.CSS("#upload-form")))
	b.step("a-upload-bad", markStale(), chromedp.SetUploadFiles(chromedp.CSS("#accounts_file"), []string{bad}),
		chromedp.Click(chromedp.CSS("#upload-accounts")), waitFresh(), chromedp.WaitVisible(chromedp.CSS("#upload-errors")))
	if got := b.text("p.error"); got != "Not done: 2 bad row(s); nothing was imported" {
		t.Fatalf("the bad file's message: %q", got)
	}
	wantAll(t, "the bad file's errors", b.text("#upload-errors"), tok+"-L", "name", "relation", "must be customer or prospect")
	if got := countRows(t, "partner_accounts", "partner_id = $1 AND external_id LIKE $2", stack.partnerA, tok+"-%"); got != 0 {
		t.Fatalf("a refused file stored %d accounts", got)
	}
	if got := b.flashAfter("a-upload", "#upload-accounts", chromedp.SetUploadFiles(chromedp.CSS("#accounts_file"), []string{good})); got != "Done: 2 accounts uploaded (2 new, 0 updated)" {
		t.Fatalf("the upload: %q", got)
	}
	if got := eval[int](b, `document.querySelectorAll("#opt-ins input[type=checkbox]:disabled").length`); got != 6 || eval[bool](b, `!!document.querySelector("#save-opt-ins")`) {
		t.Fatalf("partner A's user may change the opt-ins (%d of 6 read only)", got)
	}
	b.signOut()

	b.signIn("adminA")
	b.step("a-admin-mapping", chromedp.Navigate(stack.baseURL+"/console/mapping"), chromedp.WaitVisible(chromedp.CSS("#opt-in-form")))
	var tick []chromedp.Action[chromedp.Void]
	for _, id := range []string{"opt-customer-customer", "opt-prospect-customer"} {
		if !checked(id) {
			tick = append(tick, chromedp.Click(chromedp.CSS("#"+id)))
		}
	}
	if got := b.flashAfter("a-opt-in", "#save-opt-ins", tick...); !strings.HasPrefix(got, "Done: sharing ") {
		t.Fatalf("the opt-ins: %q", got)
	}
	if !checked("opt-customer-customer") || !checked("opt-prospect-customer") || !strings.Contains(b.text("#opt-ins"), "shared since") {
		t.Fatalf("the saved opt-ins: %q", b.text("#opt-ins"))
	}
	shared := call(t, http.MethodGet, "/v1/mapping/opt-ins", stack.tokens["partnerA"], nil).must(t, http.StatusOK).body["categories"]
	if got, _ := shared.([]any); len(got) < 2 {
		t.Fatalf("the opt-ins through the API: %v", shared)
	}
	b.signOut()

	b.signIn("partnerA")
	b.step("a-report", chromedp.Navigate(stack.baseURL+"/console/mapping"), chromedp.WaitVisible(chromedp.CSS("#overlaps")))
	filter("a-by-name", chromedp.SendKeys(chromedp.CSS("#q"), tok))
	wantAll(t, "partner A's filters", b.text("#mapping-filter"), "Your relation", "Vendor category", "Download CSV")
	report := b.text("#overlaps")
	wantAll(t, "partner A's report", report, tok+" Robotics", tok+"-R", tok+" Logistik", tok+"-L", "prospect", "customer")
	if strings.Contains(report, "GmbH") || strings.Contains(report, sellerEmail) {
		t.Fatalf("partner A reads the vendor's record: %q", report)
	}
	if rows := csvRows("partner A, by name"); len(rows) != 2 {
		t.Fatalf("partner A's CSV by name: %q", rows)
	}
	filter("a-customers", chromedp.SetValue(chromedp.CSS("#partner_relation"), "customer"))
	if got := b.text("#overlaps"); !strings.Contains(got, tok+"-R") || strings.Contains(got, tok+"-L") {
		t.Fatalf("partner A's customers: %q", got)
	}
	if rows := csvRows("partner A, customers"); len(rows) != 1 || !strings.Contains(rows[0], tok+"-R,"+tok+" Robotics,") || !strings.Contains(rows[0], ",customer,customer,") {
		t.Fatalf("partner A's CSV of customers: %q", rows)
	}
	filter("a-opportunities", chromedp.SetValue(chromedp.CSS("#partner_relation"), ""), chromedp.SetValue(chromedp.CSS("#vendor_category"), "opportunity"))
	if got := b.text("#overlaps tbody"); !strings.HasPrefix(got, "No overlaps") || strings.Contains(got, tok) {
		t.Fatalf("partner A's overlaps with opportunities: %q", got)
	}
	b.signOut()

	b.signInWith("mapper", seller)
	b.step("seller-mapping", chromedp.Navigate(stack.baseURL+"/console/mapping"), chromedp.WaitVisible(chromedp.CSS("#overlaps")))
	filter("seller-by-name", chromedp.SendKeys(chromedp.CSS("#q"), tok))
	wantAll(t, "the seller's filters", b.text("#mapping-filter"), "Partner's relation", "Vendor category", "Download CSV")
	report = b.text("#overlaps")
	wantAll(t, "the seller's report", report, tok+" Robotics GmbH", tok+" Logistik AG", "Northwind Resellers",
		"same registrable domain "+dom+"robotics.de", "same registrable domain "+dom+"logistik.de")
	if rows := csvRows("the seller, by name"); len(rows) != 2 {
		t.Fatalf("the seller's CSV by name: %q", rows)
	}
	filter("seller-prospects", chromedp.SetValue(chromedp.CSS("#partner_relation"), "prospect"))
	if got := b.text("#overlaps"); !strings.Contains(got, tok+" Logistik AG") || strings.Contains(got, "Robotics") {
		t.Fatalf("the seller's overlaps with partners' prospects: %q", got)
	}
	if rows := csvRows("the seller, prospects"); len(rows) != 1 || !strings.Contains(rows[0], tok+" Logistik AG,customer,"+sellerEmail+",") ||
		!strings.Contains(rows[0], "same registrable domain "+dom+"logistik.de") {
		t.Fatalf("the seller's CSV of prospects: %q", rows)
	}
	known := `//table[@id="account-partners"]//tr[td[contains(., "` + tok + ` Robotics GmbH")]]`
	b.step("seller-partners", chromedp.WaitVisible(chromedp.Search(known)))
	known2, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.Search(known)))
	if err != nil {
		t.Fatal(err)
	}
	wantAll(t, "the seller's account", known2, "Northwind Resellers", "customer", "Invite to co-sell")

	b.step("invite-to-cosell", chromedp.Click(chromedp.Search(known+`//a[text()="Invite to co-sell"]`)), chromedp.WaitVisible(chromedp.CSS("#share-form")))
	for sel, want := range map[string]string{"customer_name": tok + " Robotics GmbH", "domain": dom + "robotics.de", "country": "DE", "partner_ids": stack.partnerA} {
		if got := b.value(`#share-form input[name="` + sel + `"]`); got != want {
			t.Fatalf("the share form's %s: %q, want %q", sel, got, want)
		}
	}
	if got := b.flashAfter("share-with-a", "#share", shareForm(time.Now().UTC().AddDate(0, 3, 0).Format(time.DateOnly))...); got != "Done: shared with 1 partner(s)" {
		t.Fatalf("share from the mapping: %q", got)
	}
	row := "#opportunity-" + opportunityID(t, tok+" Robotics GmbH")
	wantAll(t, "the opportunity shared from the mapping", b.text(row), tok+" Robotics GmbH", "open", "Northwind Resellers: open")
	if got := b.flashAfter("withdraw", row+` form[action$="/withdraw"] button`,
		chromedp.SendKeys(chromedp.CSS(row+` form[action$="/withdraw"] input[name="reason"]`), "browser test over")); got != "Done: withdraw" {
		t.Fatalf("withdraw: %q", got)
	}
	if got := b.text(row); !strings.Contains(got, "withdrawn") {
		t.Fatalf("the withdrawn opportunity: %q", got)
	}
}
