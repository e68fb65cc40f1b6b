package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/dealflow/dealflow/internal/oidcdev"
	"github.com/google/uuid"
)

var acceptLink = regexp.MustCompile(`https?://[^\s"<>]+/console/invitations/accept\?token=[A-Za-z0-9_-]+`)

// oidcSignIn signs a vendor staff member in through the provider: the
// sign-in page's "Sign in with Vendor SSO", the provider's login page,
// back to dealflow signed in.
func (b *browser) oidcSignIn(username string) {
	b.t.Helper()
	b.step("sign-in-page", chromedp.Navigate(stack.baseURL+"/console/sign-in"), chromedp.WaitVisible(chromedp.CSS("#oidc-sign-in a")))
	b.step("provider-login", chromedp.Click(chromedp.CSS("#oidc-sign-in a")), chromedp.WaitVisible(chromedp.CSS("#username")))
	b.step("signed-in-through-provider",
		chromedp.SendKeys(chromedp.CSS("#username"), username),
		chromedp.SendKeys(chromedp.CSS("#password"), oidcdev.DemoPassword),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("form.signout")))
}

// mailpitView opens a message's HTML part as Mailpit serves it
// (/view/<id>.html), for the screenshot, and checks it shows text.
func (b *browser) mailpitView(name, id, text string) {
	b.t.Helper()
	b.step(name, chromedp.Navigate(stack.mailpit.HTTPURL+"/view/"+id+".html"), chromedp.WaitVisible(chromedp.CSS("body")))
	if got, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS("body"))); err != nil || !strings.Contains(got, text) {
		b.t.Fatalf("Mailpit's view of %s does not show %q (%v):\n%s", id, text, err, got)
	}
}

// The "Done when", in a browser: the vendor admin signs in through
// the OIDC provider, invites a partner user on the people page, the
// invitation arrives in Mailpit, the invitee opens its link, sets a
// password (signed in), registers a deal; the admin approves it; the
// partner's approval mail arrives in Mailpit. A screenshot per step under
// out/browser/TestDoneWhenInABrowser/.
func TestDoneWhenInABrowser(t *testing.T) {
	b := newBrowser(t)
	invitee := "ivy-" + uuid.NewString()[:8] + "@northwind.example"
	customer := uniqueName()
	dom := uniqueDomain()

	b.oidcSignIn("ada.admin@vendor.example")
	if loc, _ := chromedp.Run(b.ctx, chromedp.Location()); !strings.HasSuffix(loc, "/console/inbox") {
		t.Fatalf("the vendor admin lands on %s", loc)
	}
	b.step("people", chromedp.Navigate(stack.baseURL+"/console/people"), chromedp.WaitVisible(chromedp.CSS("#partner_id")))
	b.step("invite",
		chromedp.SendKeys(chromedp.CSS("#name"), "Ivy Invited"),
		chromedp.SendKeys(chromedp.CSS("#email"), invitee),
		chromedp.SetValue(chromedp.CSS("#partner_id"), stack.partnerA),
		chromedp.SetValue(chromedp.CSS("#role"), "partner_user"),
		chromedp.Click(chromedp.CSS(`form[action="/console/people/invite"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#invitation-link")))

	mails := mailsTo(t, invitee, "invitation", 1, 30*time.Second)
	if len(mails) != 1 {
		t.Fatalf("%s received %d invitation mails", invitee, len(mails))
	}
	full, err := stack.mailpit.Message(context.Background(), mails[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	link := acceptLink.FindString(full.Text)
	if link == "" {
		t.Fatalf("no invitation link in the mail:\n%s", full.Text)
	}
	b.mailpitView("invitation-mail-in-mailpit", mails[0].ID, "invitation")

	b.step("open-invitation-link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#password2")))
	const pw = "violet-harbor-kettle-29"
	b.step("set-password",
		chromedp.SendKeys(chromedp.CSS("#password"), pw),
		chromedp.SendKeys(chromedp.CSS("#password2"), pw),
		chromedp.Click(chromedp.CSS(`form[action="/console/invitations/accept"] button`)),
		chromedp.WaitVisible(chromedp.CSS("form.signout")))

	b.step("new-deal-form", chromedp.Navigate(stack.baseURL+"/console/deals/new"), chromedp.WaitVisible(chromedp.CSS("#customer_name")))
	b.step("register-deal",
		chromedp.SendKeys(chromedp.CSS("#customer_name"), customer),
		chromedp.SendKeys(chromedp.CSS("#customer_domain"), dom),
		chromedp.SendKeys(chromedp.CSS("#customer_country"), "us"),
		chromedp.SendKeys(chromedp.CSS("#contact_name"), "Jane Buyer"),
		chromedp.SendKeys(chromedp.CSS("#contact_email"), "jane@"+dom),
		chromedp.SendKeys(chromedp.CSS("#product_lines"), "firewall"),
		chromedp.SendKeys(chromedp.CSS("#amount"), "8400"),
		chromedp.SetValue(chromedp.CSS("#expected_close_date"), time.Now().AddDate(0, 2, 0).Format(time.DateOnly)),
		chromedp.Click(chromedp.CSS(`#deal-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#deal-status")))
	if got := b.text("#deal-status"); got != "pending approval" {
		t.Fatalf("status after registering: %q", got)
	}
	dealURL, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	b.step("partner-signs-out", chromedp.Click(chromedp.CSS("form.signout button")), chromedp.WaitVisible(chromedp.CSS("#email")))

	b.oidcSignIn("ada.admin@vendor.example")
	b.step("admin-opens-deal", chromedp.Navigate(dealURL), chromedp.WaitVisible(chromedp.CSS("#approve")))
	b.step("admin-approves", chromedp.SendKeys(chromedp.CSS("#approve-reason"), "fits the program"),
		chromedp.Click(chromedp.CSS("#approve")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := b.text("#deal-status"); got != "approved" {
		t.Fatalf("status after approval: %q", got)
	}

	approved := mailsTo(t, invitee, customer, 1, 30*time.Second)
	if len(approved) != 1 || !strings.Contains(approved[0].Subject, "approved") {
		t.Fatalf("the partner's approval mails: %+v", approved)
	}
	b.mailpitView("approval-mail-in-mailpit", approved[0].ID, customer)
}
