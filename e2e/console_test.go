package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/dealflow/dealflow/internal/testenv"
)

// browser drives headless Chromium (Debian's, installed by
// scripts/chromium.sh when missing) and saves a screenshot after each step
// under out/browser/<test>/, kept whether the test passes or fails.
type browser struct {
	t     *testing.T
	ctx   context.Context
	dir   string
	shots int
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	return newBrowserWithin(t, 2*time.Minute)
}

// newBrowserWithin is newBrowser for a walk that may take up to limit in
// all (a long one, on a loaded machine).
func newBrowserWithin(t *testing.T, limit time.Duration) *browser {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("bash", filepath.Join(root, "scripts", "chromium.sh")).Output()
	if err != nil {
		t.Fatalf("Chromium is needed for the browser tests: %v", err)
	}
	dir := filepath.Join(root, "out", "browser", t.Name())
	_ = os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(strings.TrimSpace(string(out))),
		chromedp.NoSandbox, chromedp.WindowSize(1280, 900), chromedp.Flag("disable-dev-shm-usage", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, limit)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return &browser{t: t, ctx: ctx, dir: dir}
}

// step runs actions, then saves a screenshot named after the step.
func (b *browser) step(name string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	err := chromedp.Do(b.ctx, actions...)
	b.shots++
	if png, serr := chromedp.Run(b.ctx, chromedp.FullScreenshot(100)); serr == nil {
		_ = os.WriteFile(filepath.Join(b.dir, fmt.Sprintf("%02d-%s.png", b.shots, name)), png, 0o644)
	}
	if err != nil {
		b.t.Fatalf("step %s: %v", name, err)
	}
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func (b *browser) signIn(who string) {
	b.t.Helper()
	b.signInWith(who, stack.tokens[who])
}

// signInWith signs in with a token of the test's own (who names the step).
func (b *browser) signInWith(who, token string) {
	b.t.Helper()
	b.step("sign-in-"+who,
		chromedp.Navigate(stack.baseURL+"/console/sign-in"),
		chromedp.WaitVisible(chromedp.CSS("#token")),
		chromedp.SendKeys(chromedp.CSS("#token"), token),
		chromedp.Click(chromedp.CSS(`form[action="/console/sign-in"] button`)),
		chromedp.WaitVisible(chromedp.CSS("form.signout")))
}

func (b *browser) signOut() {
	b.t.Helper()
	b.step("sign-out", chromedp.Click(chromedp.CSS("form.signout button")), chromedp.WaitVisible(chromedp.CSS("#token")))
}

// Each role's main path in a real browser: a partner registers a deal
// (a validation error first, the conflict pre-check while typing) and sees
// it; a channel manager approves it from the inbox; the partner sees it
// approved; finance approves an incentive cycle and sees it paid, with the
// ledger verified.
func TestConsoleInABrowser(t *testing.T) {
	b := newBrowser(t)
	customer := uniqueName()
	dom := uniqueDomain()

	b.signIn("partnerA")
	b.step("new-deal-form", chromedp.Navigate(stack.baseURL+"/console/deals/new"), chromedp.WaitVisible(chromedp.CSS("#customer_name")))
	b.step("fill-with-bad-amount",
		chromedp.SetValue(chromedp.CSS("#customer_country"), "US"), // a select of the ISO list
		chromedp.SendKeys(chromedp.CSS("#customer_name"), customer),
		chromedp.SendKeys(chromedp.CSS("#customer_domain"), dom),
		chromedp.WaitVisible(chromedp.CSS("#precheck p.ok")),
		chromedp.SendKeys(chromedp.CSS("#contact_name"), "Jane Buyer"),
		chromedp.SendKeys(chromedp.CSS("#contact_email"), "jane@"+dom),
		chromedp.SendKeys(chromedp.CSS("#product_lines"), "firewall, vpn"),
		chromedp.SendKeys(chromedp.CSS("#amount"), "12,500.555"),
		chromedp.SetValue(chromedp.CSS("#expected_close_date"), time.Now().AddDate(0, 2, 0).Format(time.DateOnly)),
		chromedp.Click(chromedp.CSS(`#deal-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".field-error")))
	if got := b.text(".field-error"); !strings.Contains(got, "amount") {
		t.Fatalf("field error %q", got)
	}
	b.step("register",
		chromedp.SetValue(chromedp.CSS("#amount"), "12500.50"),
		chromedp.Click(chromedp.CSS(`#deal-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#deal-status")))
	if got := b.text("#deal-status"); got != "pending approval" {
		t.Fatalf("status after registering: %q", got)
	}
	dealURL, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	b.step("my-deals", chromedp.Navigate(stack.baseURL+"/console/deals"), chromedp.WaitVisible(chromedp.CSS("table")))
	list := b.text("table")
	if !strings.Contains(list, customer) || !strings.Contains(list, "12500.50 USD") {
		t.Fatalf("deal list lacks the deal: %s", list)
	}
	b.signOut()

	b.signIn("manager")
	b.step("inbox", chromedp.WaitVisible(chromedp.CSS("table")))
	b.step("open-deal", chromedp.Click(chromedp.Search(`//a[normalize-space(text())="`+customer+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#approve")))
	b.step("approve", chromedp.SendKeys(chromedp.CSS("#approve-reason"), "fits the program"),
		chromedp.Click(chromedp.CSS("#approve")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := b.text("#deal-status"); got != "approved" {
		t.Fatalf("status after approval: %q", got)
	}
	b.step("dashboard", chromedp.Navigate(stack.baseURL+"/console/dashboard"), chromedp.WaitVisible(chromedp.CSS("figure.chart svg")))
	if got := b.text("main"); !strings.Contains(got, "Registered and approved deals by month") || !strings.Contains(got, "By tier") {
		t.Fatalf("dashboard: %q", got)
	}
	b.signOut()

	b.signIn("partnerA")
	b.step("partner-sees-approved", chromedp.Navigate(dealURL), chromedp.WaitVisible(chromedp.CSS("#deal-status")))
	if got := b.text("#deal-status"); got != "approved" {
		t.Fatalf("partner sees %q", got)
	}
	b.step("report-won", chromedp.SendKeys(chromedp.CSS("#won-amount"), "11800"),
		chromedp.SendKeys(chromedp.CSS("#won-units"), "4"),
		chromedp.Click(chromedp.CSS(`form[action$="/close-won"] button`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := b.text("#deal-status"); got != "closed won" || !strings.Contains(b.text(".facts"), "won 11800.00 USD") {
		t.Fatalf("after reporting won: %q / %q", got, b.text(".facts"))
	}
	// Another organization's partner gets a page saying there is nothing.
	b.signOut()
	b.signIn("partnerB")
	var status int
	b.step("other-org-denied", chromedp.Navigate(dealURL), chromedp.WaitVisible(chromedp.CSS("h1")))
	if got := b.text("h1"); got != "Not found" {
		t.Fatalf("another organization sees %q (status %d)", got, status)
	}
	b.signOut()

	// Finance reviews a cycle: one adjusts a line and cannot approve
	// (four-eyes); another approves; the partner reads the explanation.
	cycleID := cycleInReview(t)
	b.signIn("finance")
	b.step("cycles", chromedp.WaitVisible(chromedp.CSS("#ledger-status")))
	b.step("open-cycle", chromedp.Navigate(stack.baseURL+"/console/cycles/"+cycleID), chromedp.WaitVisible(chromedp.CSS("#approve-cycle")))
	b.step("adjust-line", chromedp.SendKeys(chromedp.CSS(`form[action$="/adjust"] input[name="amount"]`), "240.00"),
		chromedp.SendKeys(chromedp.CSS(`form[action$="/adjust"] input[name="reason"]`), "one seat returned"),
		chromedp.Click(chromedp.CSS(`form[action$="/adjust"] button`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := b.text(".flash"); got != "Done: adjust line" {
		t.Fatalf("adjust: %q", got)
	}
	b.step("self-approve-refused", chromedp.Click(chromedp.CSS("#approve-cycle")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := b.text(".flash"); !strings.Contains(got, "someone else in finance must approve") {
		t.Fatalf("self approval: %q", got)
	}
	b.signOut()
	b.signIn("finance2")
	b.step("open-cycle-2", chromedp.Navigate(stack.baseURL+"/console/cycles/"+cycleID), chromedp.WaitVisible(chromedp.CSS("#approve-cycle")))
	b.step("approve-cycle", chromedp.Click(chromedp.CSS("#approve-cycle")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	waitFor(t, 30*time.Second, func() bool {
		_ = chromedp.Do(b.ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#cycle-status")))
		return b.text("#cycle-status") == "paid"
	})
	b.step("cycle-paid", chromedp.WaitVisible(chromedp.CSS("#cycle-status")))
	b.step("ledger-verified", chromedp.Navigate(stack.baseURL+"/console/cycles"), chromedp.WaitVisible(chromedp.CSS("#ledger-status")))
	if got := b.text("#ledger-status"); !strings.HasPrefix(got, "Ledger: verified") {
		t.Fatalf("ledger status %q", got)
	}
	b.signOut()
	b.signIn("consolePartner")
	b.step("statements", chromedp.Navigate(stack.baseURL+"/console/statements"), chromedp.WaitVisible(chromedp.CSS("table")))
	b.step("statement", chromedp.Click(chromedp.CSS("table a")), chromedp.WaitVisible(chromedp.CSS("table a")))
	b.step("explanation", chromedp.Click(chromedp.CSS("table a")), chromedp.WaitVisible(chromedp.CSS("#summary")))
	if got := b.text("#summary"); !strings.Contains(got, "SPIFF per deal on 1 deal: 250.00 USD; adjusted by finance to 240.00 USD") {
		t.Fatalf("explanation: %q", got)
	}
	// The deal behind the line, with what it earned (recorded on its lineage row).
	if got := b.text("#deals tbody"); !strings.Contains(got, "5000.00 USD") || !strings.Contains(got, "250.00 USD") {
		t.Fatalf("explained deals: %q", got)
	}
	// On a phone-sized screen the pages fold into one column; the form is
	// reachable by keyboard (Tab from the skip link lands on a field).
	b.step("phone-deals", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(stack.baseURL+"/console/deals/new"), chromedp.WaitVisible(chromedp.CSS("#customer_name")))
	var width string
	width, err = chromedp.Run(b.ctx, chromedp.Evaluate[string](`String(document.documentElement.scrollWidth)`))
	if err != nil || width != "390" {
		t.Fatalf("the page is %s px wide on a 390 px screen (%v)", width, err)
	}
}

// cycleInReview makes a SPIFF program over a deal won last month by a new
// partner and starts its cycle through the API, returning the cycle's id
// once it waits for finance (its row and its workflow alike).
func cycleInReview(t *testing.T) string {
	t.Helper()
	partner, err := cliLine("partner", "create", "--name", "Console Partner "+tag(), "--type", "reseller", "--tier", "gold")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cliLine("token", "create", "--role", "partner_user", "--partner", partner, "--name", "Cora Console",
		"--email", "cora."+tag()+"@console.example")
	if err != nil {
		t.Fatal(err)
	}
	stack.tokens["consolePartner"] = tok
	lastMonth := time.Date(time.Now().UTC().Year(), time.Now().UTC().Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	wonEarlier(t, partner, 5000_00, []string{"vpn"}, lastMonth.AddDate(0, 0, 3).Format(time.DateOnly))
	code := "console-spiff-" + tag()
	prog := post(t, "/v1/incentive-programs", "finance", map[string]any{"code": code, "name": "VPN SPIFF", "kind": "spiff",
		"currency": "USD", "period": "month", "grace_days": 3, "starts_on": lastMonth.Format(time.DateOnly),
		"rules": map[string]any{"amount": 250_00, "per": "deal", "product_lines": []string{"vpn"}}}).must(t, http.StatusCreated)
	started := post(t, "/v1/cycles", "finance", map[string]any{"program_id": prog.str("id"),
		"period_start": lastMonth.Format(time.DateOnly)}).must(t, http.StatusAccepted)
	id := started.str("id")
	// The row says in review a moment before the workflow takes review
	// steps: wait for both.
	waitFor(t, 30*time.Second, func() bool {
		return cycleReady(t, "/v1/cycles/"+id, "finance")
	})
	return id
}
