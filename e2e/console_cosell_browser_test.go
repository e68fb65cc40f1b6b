package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Co-selling in a real browser, both sides' screens: the partner asks for
// help from its approved deal's page (asking twice is refused, and the
// page says why); the seller finds the request in their inbox (requested,
// with the time left on the SLA), accepts it, plans a milestone, adds a
// note and next steps and moves the stage (moving it back is refused);
// the partner sees the plan, the note and the next steps, and adds a note
// of its own; another organization's partner gets Not found.
func TestConsoleCoSellInABrowser(t *testing.T) {
	manager, partner := stack.tokens["manager"], stack.tokens["partnerA"]
	call(t, http.MethodPost, "/v1/cosell/territories", manager, map[string]any{"seller_email": "sam@vendor.example", "country": "NZ"}).
		must(t, http.StatusCreated)
	body := dealBody()
	body["customer"].(map[string]any)["country"] = "NZ"
	deal := call(t, http.MethodPost, "/v1/deals", partner, body).must(t, http.StatusCreated)
	dealID, customer := deal.str("id"), body["customer"].(map[string]any)["name"].(string)
	call(t, http.MethodPost, "/v1/deals/"+dealID+"/approve", manager, map[string]string{"reason": "ok"}).must(t, http.StatusOK)
	due := time.Now().UTC().AddDate(0, 0, 21).Format(time.DateOnly)

	b := newBrowserWithin(t, 6*time.Minute) // four sign-ins and a dozen pages
	// submit clicks button on the page as it is, then waits for the page
	// the form's answer redirects to (not the old one) and its message.
	submit := func(name, button string, fill ...chromedp.Action[chromedp.Void]) string {
		t.Helper()
		actions := append([]chromedp.Action[chromedp.Void]{markStale()}, fill...)
		actions = append(actions, chromedp.Click(chromedp.CSS(button)), waitFresh(), chromedp.WaitVisible(chromedp.CSS(".flash")))
		b.step(name, actions...)
		return b.text(".flash")
	}

	b.signIn("partnerA")
	b.step("deal-page", chromedp.Navigate(stack.baseURL+"/console/deals/"+dealID), chromedp.WaitVisible(chromedp.CSS("#request-cosell")))
	request := func(name string) string {
		return submit(name, "#request-cosell", chromedp.SetValue(chromedp.CSS("#cosell-type"), "technical_validation"),
			chromedp.SetValue(chromedp.CSS("#cosell-need-by"), due), chromedp.SendKeys(chromedp.CSS("#cosell-message"), "a security review with their CISO"))
	}
	if got := request("request"); got != "Done: co-selling requested" || !strings.Contains(b.text("#engagement-status"), "requested") {
		t.Fatalf("the partner's request: %q, %q", got, b.text("main"))
	}
	engagementURL, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	b.step("deal-page-again", chromedp.Navigate(stack.baseURL+"/console/deals/"+dealID), chromedp.WaitVisible(chromedp.CSS("#request-cosell")))
	if got := request("request-twice"); !strings.HasPrefix(got, "Not done: ") {
		t.Fatalf("a second open request: %q", got)
	}
	b.signOut()

	b.signIn("seller")
	b.step("inbox", chromedp.Navigate(stack.baseURL+"/console/cosell/engagements?status=requested"), chromedp.WaitVisible(chromedp.CSS("#engagements")))
	if got := b.text("#engagements"); !strings.Contains(got, customer) || !strings.Contains(got, "left") {
		t.Fatalf("the seller's inbox: %q", got)
	}
	b.step("open", chromedp.Click(chromedp.Search(`//table[@id="engagements"]//a[normalize-space(text())="`+customer+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#accept")))
	if got := b.text("#sla"); !strings.Contains(got, "left") {
		t.Fatalf("the SLA countdown: %q", got)
	}
	if got := submit("accept", "#accept"); got != "Done: accept" || !strings.Contains(b.text("#engagement-status"), "accepted") {
		t.Fatalf("accept: %q / %q", got, b.text("#engagement-status"))
	}
	if got := submit("milestone", "#add-milestone", chromedp.SendKeys(chromedp.CSS("#milestone-title"), "Security review held"),
		chromedp.SetValue(chromedp.CSS("#milestone-side"), "vendor"), chromedp.SendKeys(chromedp.CSS("#milestone-owner"), "Sam"),
		chromedp.SetValue(chromedp.CSS("#milestone-due"), due)); !strings.HasPrefix(got, "Done") {
		t.Fatalf("milestone: %q", got)
	}
	if got := submit("note", "#add-note", chromedp.SendKeys(chromedp.CSS("#note-body"), "CISO wants the SOC 2 report")); !strings.HasPrefix(got, "Done") {
		t.Fatalf("note: %q", got)
	}
	if got := submit("next-steps", "#set-next-steps", chromedp.SetValue(chromedp.CSS("#next-steps-text"), "send the SOC 2 report by Friday")); !strings.HasPrefix(got, "Done") {
		t.Fatalf("next steps: %q", got)
	}
	if got := submit("stage", "#move-stage", chromedp.SetValue(chromedp.CSS(`select[name="stage"]`), "technical_validation")); !strings.HasPrefix(got, "Done") ||
		b.text("#stage") != "technical validation" {
		t.Fatalf("stage: %q / %q", got, b.text("#stage"))
	}
	// Never back: the workflow refuses, and the page says why.
	if got := submit("stage-back", "#move-stage", chromedp.SetValue(chromedp.CSS(`select[name="stage"]`), "qualified")); !strings.HasPrefix(got, "Not done: ") ||
		b.text("#stage") != "technical validation" {
		t.Fatalf("moving the stage back: %q / %q", got, b.text("#stage"))
	}
	b.signOut()

	b.signIn("partnerA")
	b.step("partner-sees", chromedp.Navigate(engagementURL), chromedp.WaitVisible(chromedp.CSS("#milestones")))
	if got := b.text("#milestones"); !strings.Contains(got, "Security review held") || !strings.Contains(got, "vendor") {
		t.Fatalf("the partner's plan: %q", got)
	}
	if got := b.text("#notes"); !strings.Contains(got, "CISO wants the SOC 2 report") || !strings.Contains(got, "Sam Seller") {
		t.Fatalf("the partner's notes: %q", got)
	}
	if got := b.text("#next-steps"); got != "send the SOC 2 report by Friday" {
		t.Fatalf("the partner's next steps: %q", got)
	}
	if got := submit("partner-note", "#add-note", chromedp.SendKeys(chromedp.CSS("#note-body"), "report sent")); !strings.HasPrefix(got, "Done") ||
		!strings.Contains(b.text("#notes"), "report sent") {
		t.Fatalf("the partner's note: %q / %q", got, b.text("#notes"))
	}
	b.signOut()

	b.signIn("partnerB")
	b.step("other-org", chromedp.Navigate(engagementURL), chromedp.WaitVisible(chromedp.CSS("h1")))
	if got := b.text("h1"); got != "Not found" {
		t.Fatalf("another organization sees %q", got)
	}
}
