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

// status is the HTTP status of the page the browser shows (the navigation
// entry's responseStatus: read by the test, the page runs no script).
func (b *browser) status() int {
	b.t.Helper()
	st, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`performance.getEntriesByType("navigation")[0].responseStatus`))
	if err != nil {
		b.t.Fatalf("page status: %v", err)
	}
	return st
}

// leadFormFill fills the public form's visible fields and ticks the
// consent unless consent is false.
func leadFormFill(company, email string, consent bool) []chromedp.Action[chromedp.Void] {
	acts := []chromedp.Action[chromedp.Void]{
		chromedp.WaitVisible(chromedp.CSS(`form[action="/lead-form"]`)),
		chromedp.SetValue(chromedp.CSS(`input[name="company"]`), company),
		chromedp.SetValue(chromedp.CSS(`input[name="country"]`), "DE"),
		chromedp.SetValue(chromedp.CSS(`input[name="name"]`), "Bea Browser"),
		chromedp.SetValue(chromedp.CSS(`input[name="email"]`), email),
		chromedp.SetValue(chromedp.CSS(`input[name="interest"]`), "firewall"),
		chromedp.SetValue(chromedp.CSS(`textarea[name="message"]`), "Please call."),
	}
	if consent {
		acts = append(acts, chromedp.Click(chromedp.CSS(`input[name="consent"]`)))
	}
	return acts
}

// submitLeadForm sends the form with the browser's own checks set aside
// (novalidate), as a script posting it would: what is refused is refused
// by the server.
func submitLeadForm() []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.SetAttributeValue(chromedp.CSS(`form[action="/lead-form"]`), "novalidate", ""),
		markStale(), chromedp.Click(chromedp.CSS(`form[action="/lead-form"] button[type="submit"]`)),
		waitFresh(), chromedp.WaitVisible(chromedp.CSS("h1")),
	}
}

// The public lead form in a real browser, no JavaScript on the page: a
// visitor comes through a partner's referral link and sends the form —
// thanked, and the lead is the partner's (its code, checked through the
// API). The server's refusals show on the page: no consent, a bad e-mail
// address, an over-long field (422 with the form and its errors), a
// filled honeypot (thanked, nothing stored), and the address's sixth form
// in a minute (429). Then one pass through the console's lead pages: a
// channel manager adds a routing rule, switches it off, edits it and sets
// broadcast; an import with a bad line shows the line's errors and imports
// nothing; a single lead is created; the partner creates a referral link
// and sees its code's clicks and leads.
func TestLeadFormInABrowser(t *testing.T) {
	mark := "browser" + tag()
	code := call(t, http.MethodPost, "/v1/referral-codes", stack.tokens["partnerA"], nil).must(t, http.StatusCreated).str("code")
	formAllowanceBack(t, 5)
	b := newBrowser(t)
	started := time.Now()

	company := "Browsed " + mark
	b.step("referral-click", chromedp.Navigate(stack.baseURL+"/r/"+code), chromedp.WaitVisible(chromedp.CSS(`form[action="/lead-form"]`)))
	if v := b.value(`input[name="ref"]`); v != code {
		t.Fatalf("the form's ref after the click: %q", v)
	}
	b.step("fill", leadFormFill(company, "bea@"+mark+".example", true)...)
	b.step("thanks", markStale(), chromedp.Click(chromedp.CSS(`form[action="/lead-form"] button[type="submit"]`)), waitFresh(),
		chromedp.WaitVisible(chromedp.CSS("h1")))
	if got := b.text("h1"); got != "Thank you" || b.status() != http.StatusCreated {
		t.Fatalf("after sending: %q %d", got, b.status())
	}
	list := call(t, http.MethodGet, "/v1/leads?status=queued", stack.tokens["manager"], nil).must(t, http.StatusOK)
	var attributed bool
	for _, l := range list.body["leads"].([]any) {
		if m := l.(map[string]any); m["company_name"] == company {
			attributed = m["referral_code"] == code && m["attributed_partner_id"] == stack.partnerA && m["consent_version"] == "lead-form-consent-v1"
		}
	}
	if !attributed {
		t.Fatalf("the form's lead is not attributed to %s: %s", code, list.raw)
	}

	stored := func(name string) int { return countRows(t, "leads", "company_name = $1", name) }
	refusals := []struct {
		name, company, email string
		consent              bool
		extra                []chromedp.Action[chromedp.Void]
		want                 string
	}{
		{"no-consent", "No consent " + mark, "nc@" + mark + ".example", false, nil, "consent: is required"},
		{"bad-email", "Bad mail " + mark, "bea at " + mark, true, nil, "email: must be an e-mail address"},
		{"too-long", strings.Repeat("L", 201), "tl@" + mark + ".example", true, nil, "company: is too long"},
	}
	for _, r := range refusals {
		b.step(r.name, append(append(append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(stack.baseURL + "/lead-form")},
			leadFormFill(r.company, r.email, r.consent)...), r.extra...), submitLeadForm()...)...)
		if st, got := b.status(), b.text(`ul[role="alert"]`); st != http.StatusUnprocessableEntity || !strings.Contains(got, r.want) {
			t.Fatalf("%s: %d %q", r.name, st, got)
		}
		if b.value(`input[name="country"]`) != "DE" {
			t.Fatalf("%s: the refused form lost what was typed", r.name)
		}
		if stored(r.company) != 0 {
			t.Fatalf("%s: a refused form stored a lead", r.name)
		}
	}
	bot := "Honeypot " + mark
	b.step("honeypot", append(append(append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(stack.baseURL + "/lead-form")},
		leadFormFill(bot, "bot@"+mark+".example", true)...), chromedp.SetValue(chromedp.CSS(`input[name="homepage"]`), "http://spam.example")),
		submitLeadForm()...)...)
	if got := b.text("h1"); got != "Thank you" || b.status() != http.StatusOK || stored(bot) != 0 {
		t.Fatalf("honeypot: %q %d, %d stored", got, b.status(), stored(bot))
	}
	// Five forms are allowed at once and one more every 12 s: the next
	// one is refused unless the time spent so far earned another.
	sent := 5
	for {
		name := "Rate " + mark + " " + string(rune('a'+sent))
		b.step("rate-limit", append(append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(stack.baseURL + "/lead-form")},
			leadFormFill(name, "rl@"+mark+".example", true)...), submitLeadForm()...)...)
		if b.status() == http.StatusTooManyRequests {
			if got := b.text(`ul[role="alert"]`); !strings.Contains(got, "too many requests") || stored(name) != 0 {
				t.Fatalf("429 page: %q", got)
			}
			break
		}
		sent++
		if earned := 5 + int(time.Since(started)/(12*time.Second)); sent > earned {
			t.Fatalf("form %d accepted within %s: the limit is 5 a minute", sent, time.Since(started).Round(time.Second))
		}
	}
	t.Logf("refused the form after %d in %s", sent, time.Since(started).Round(time.Second))

	// The console pass in a browser of its own: each browser has two
	// minutes.
	t.Run("console", func(t *testing.T) { consoleLeadPages(t, newBrowser(t), mark, code) })
}

func (b *browser) value(sel string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("value of %s: %v", sel, err)
	}
	return v
}

// submitted clicks a form's button and waits until the page that answers
// it is in place and shows sel (the old page may show sel too).
func submitted(button, sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(markStale(), chromedp.Click(chromedp.CSS(button)), waitFresh(), chromedp.WaitVisible(chromedp.CSS(sel)))
}

// consoleLeadPages is the browser pass through the console's lead pages
// (TestLeadFormInABrowser).
func consoleLeadPages(t *testing.T, b *browser, mark, code string) {
	prog := defaultProgram(t)
	t.Cleanup(func() {
		call(t, http.MethodPut, "/v1/programs/"+prog+"/lead-routing", stack.tokens["manager"], map[string]any{"rules": []any{map[string]any{"name": "everyone"}}})
	})
	call(t, http.MethodPut, "/v1/programs/"+prog+"/lead-routing", stack.tokens["manager"], map[string]any{"rules": []any{}}).must(t, http.StatusOK)
	b.signIn("manager")
	b.step("routing", chromedp.Navigate(stack.baseURL+"/console/lead-routing"), chromedp.WaitVisible(chromedp.CSS("#rule-form")))
	b.step("add-rule-bad-country", chromedp.SendKeys(chromedp.CSS("#rule_name"), "dach "+mark), chromedp.SendKeys(chromedp.CSS("#rule_countries"), "DE, XX"),
		submitted("#save-rule", "p.flash"))
	if got := b.text("p.flash"); !strings.HasPrefix(got, "Not done: ") || !strings.Contains(got, "countries") {
		t.Fatalf("a rule naming no country: %q", got)
	}
	b.step("add-rule", chromedp.SendKeys(chromedp.CSS("#rule_name"), "dach "+mark), chromedp.SendKeys(chromedp.CSS("#rule_countries"), "de, at"),
		chromedp.SendKeys(chromedp.CSS("#rule_product_lines"), "firewall"), chromedp.Click(chromedp.CSS(`input[name="partner_types"][value="reseller"]`)),
		chromedp.SetValue(chromedp.CSS("#rule_min_tier"), "gold"), submitted("#save-rule", "#rule-0"))
	if got := b.text("#rule-0"); !strings.Contains(got, "DE, AT") || !strings.Contains(got, "reseller") || !strings.Contains(got, "gold or above") || !strings.Contains(got, "on") {
		t.Fatalf("the rule: %q", got)
	}
	b.step("switch-off", submitted("#deactivate-0", "#activate-0"))
	b.step("edit", chromedp.Click(chromedp.CSS("#edit-0")), chromedp.WaitReady(chromedp.CSS(`input[name="index"]`)))
	if got := b.value("#rule_countries"); got != "DE, AT" {
		t.Fatalf("the edit form holds %q", got)
	}
	b.step("save-edit", chromedp.SetValue(chromedp.CSS("#rule_countries"), "CH"), submitted("#save-rule", "#rule-0"))
	if got := b.text("#rule-0"); !strings.Contains(got, "CH") || strings.Contains(got, "AT") || !strings.Contains(got, "off") {
		t.Fatalf("the edited rule: %q", got)
	}
	b.step("broadcast", chromedp.SetValue(chromedp.CSS("#mode"), "broadcast"), chromedp.SetValue(chromedp.CSS("#broadcast_to"), "2"),
		submitted("#save-policy", "p.flash"))
	if got := b.text("p.flash"); got != "Done: the offer mode is saved" ||
		countRows(t, "programs", "id = $1 AND lead_policy->>'mode' = 'broadcast' AND lead_policy->>'broadcast_to' = '2' AND lead_rules->0->>'inactive' = 'true'", prog) != 1 {
		t.Fatalf("broadcast: %q", got)
	}

	dir := t.TempDir()
	csv := filepath.Join(dir, "leads.csv")
	d1, d2 := mark+"-one.example.com", mark+"-two.example.com"
	if err := os.WriteFile(csv, []byte("company_name,company_domain,country,contact_name,contact_email,product_lines,amount,currency\n"+
		"One "+mark+","+d1+",DE,Ann,ann@"+d1+",firewall,100000,EUR\nTwo "+mark+","+d2+",DE,Bob,not-an-email,vpn,12x,EUR\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.step("import-bad", chromedp.Navigate(stack.baseURL+"/console/leads/new"), chromedp.WaitVisible(chromedp.CSS("#import-form")),
		chromedp.SetUploadFiles(chromedp.CSS("#import_file"), []string{csv}), submitted("#import-leads", "#import-errors"))
	if got := b.text("#import-errors"); !strings.Contains(got, "line 3: contact.email") || !strings.Contains(got, "line 3: amount") ||
		!strings.HasPrefix(b.text("p.error"), "Not done: 2 error(s)") {
		t.Fatalf("the import's errors: %q", got)
	}
	if countRows(t, "leads", "company_name = $1", "One "+mark) != 0 {
		t.Fatal("a refused import stored a lead")
	}
	single := "Single " + mark
	b.step("single-lead", chromedp.SendKeys(chromedp.CSS("#company_name"), single), chromedp.SendKeys(chromedp.CSS("#company_domain"), mark+".example.org"),
		chromedp.SetValue(chromedp.CSS("#country"), "CH"), chromedp.SendKeys(chromedp.CSS("#contact_name"), "Sam Single"),
		chromedp.SendKeys(chromedp.CSS("#contact_email"), "sam@"+mark+".example.org"), chromedp.SendKeys(chromedp.CSS("#product_lines"), "firewall"),
		chromedp.SendKeys(chromedp.CSS("#amount"), "12500.50"), chromedp.SetValue(chromedp.CSS("#currency"), "EUR"),
		submitted("#create-lead", "p.flash"))
	if got := b.text("p.flash"); got != "Done: lead "+single+" created" || !strings.Contains(b.text("main"), single) {
		t.Fatalf("single lead: %q", got)
	}
	if countRows(t, "leads", "company_name = $1 AND amount = 1250050 AND currency = 'EUR' AND source = 'vendor'", single) != 1 {
		t.Fatal("the single lead is not stored as sent")
	}
	b.signOut()

	b.signIn("partnerA")
	b.step("referral-links", chromedp.Navigate(stack.baseURL+"/console/referral-codes"), chromedp.WaitVisible(chromedp.CSS("#code-"+code)))
	if got := b.text("#code-" + code); !strings.Contains(got, "1") {
		t.Fatalf("the code's counts: %q", got)
	}
	if v := b.value("#url-" + code); !strings.HasSuffix(v, "/r/"+code) {
		t.Fatalf("the link to copy: %q", v)
	}
	before := countRows(t, "referral_codes", "partner_id = $1", stack.partnerA)
	b.step("new-link", submitted("#new-code", "p.flash"))
	if got := b.text("p.flash"); !strings.HasPrefix(got, "Done: link /r/") || countRows(t, "referral_codes", "partner_id = $1", stack.partnerA) != before+1 {
		t.Fatalf("new link: %q", got)
	}
}
