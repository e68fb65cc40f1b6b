package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// dashboardDeals gives organizations A and B a few registrations of this
// month: approved, won (in USD and EUR), rejected and pending.
func dashboardDeals(t *testing.T) {
	t.Helper()
	decide := func(id, step string) {
		call(t, http.MethodPost, "/v1/deals/"+id+"/"+step, stack.tokens["manager"], map[string]string{"reason": "dashboard"}).must(t, http.StatusOK)
	}
	win := func(who, id string, amount int64, cur string) {
		call(t, http.MethodPost, "/v1/deals/"+id+"/close-won", stack.tokens[who], map[string]any{"amount": amount, "currency": cur,
			"product_lines": []string{"firewall"}, "close_date": todayDate()}).must(t, http.StatusOK)
	}
	for i, who := range []string{"partnerA", "partnerA", "partnerA", "partnerB", "partnerB"} {
		id := submit(t, stack.tokens[who]).str("id")
		switch i {
		case 0:
			decide(id, "approve")
			win(who, id, 4_200_000, "USD")
		case 1, 3:
			decide(id, "approve")
		case 4:
			decide(id, "approve")
			win(who, id, 1_750_000, "EUR")
		case 2:
			decide(id, "reject")
		}
	}
}

// The pipeline dashboard and a partner's scorecard in a real browser: the
// "By tier" table's headers line up with their cells; the currency picker
// (a select of the data's currencies and the ISO list) switches the won
// value; the period and program filters narrow the tables and keep their
// values; each table's CSV link downloads the table; a partner row opens
// its scorecard; a partner's user opens its own scorecard from the menu
// and never another's. The screenshots under out/browser/ are those in
// docs/screenshots (manager-dashboard.png, partner-scorecard.png).
func TestDashboardAndScorecardInABrowser(t *testing.T) {
	dashboardDeals(t)
	b := newBrowser(t)
	month := time.Now().UTC().Format("2006-01")
	b.signIn("manager")
	b.step("dashboard", chromedp.Navigate(stack.baseURL+"/console/dashboard"), chromedp.WaitVisible(chromedp.CSS("figure.chart svg")))

	// Every numeric column's header is right-aligned with its cells.
	misaligned, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(() => {
		const out = [];
		for (const table of document.querySelectorAll("main table")) {
			const ths = table.querySelectorAll("thead th"), row = table.querySelector("tbody tr");
			if (!row || row.children.length !== ths.length) continue;
			ths.forEach((th, i) => {
				const a = th.getBoundingClientRect(), c = row.children[i].getBoundingClientRect();
				const ta = getComputedStyle(th).textAlign, tc = getComputedStyle(row.children[i]).textAlign;
				if (ta !== tc || Math.abs(a.left - c.left) > 1 || Math.abs(a.right - c.right) > 1) out.push(table.id + ":" + th.textContent + " " + ta + "/" + tc);
			});
		}
		return out.join("; ");
	})()`))
	if err != nil || misaligned != "" {
		t.Fatalf("misaligned headers: %q (%v)", misaligned, err)
	}
	if got := b.text("#by-tier thead"); !strings.Contains(got, "Registered") || !strings.Contains(b.text("#by-tier tbody"), "gold") {
		t.Fatalf("by tier: %q / %q", got, b.text("#by-tier tbody"))
	}

	// The currency picker offers the data's currencies first, then ISO 4217's.
	options, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("#currency optgroup:first-child option")].map(o => o.value).join(",")`))
	if err != nil || !strings.Contains(options, "EUR") || !strings.Contains(options, "USD") {
		t.Fatalf("currencies in the data: %q (%v)", options, err)
	}
	b.step("currency-eur", chromedp.SetValue(chromedp.CSS("#currency"), "EUR"), markStale(),
		chromedp.Click(chromedp.CSS(`#dashboard-filters button[type="submit"]`)), waitFresh(), chromedp.WaitVisible(chromedp.CSS("figure.chart svg")))
	if got := b.text("main"); !strings.Contains(got, "Closed-won value by month (EUR)") || !strings.Contains(b.text("#by-partner"), "EUR") ||
		strings.Contains(b.text("#by-month"), "USD") {
		t.Fatalf("in EUR: %q", got)
	}

	// This month in the default program.
	program, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector("#program_id option:nth-child(2)").value`))
	if err != nil || program == "" {
		t.Fatalf("no program to pick (%v)", err)
	}
	b.step("filtered", chromedp.SetValue(chromedp.CSS("#from"), month), chromedp.SetValue(chromedp.CSS("#to"), month),
		chromedp.SetValue(chromedp.CSS("#program_id"), program), chromedp.SetValue(chromedp.CSS("#currency"), "USD"), markStale(),
		chromedp.Click(chromedp.CSS(`#dashboard-filters button[type="submit"]`)), waitFresh(), chromedp.WaitVisible(chromedp.CSS("figure.chart svg")))
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "program_id="+program) || !strings.Contains(loc, "from="+month) {
		t.Fatalf("the filters' address: %s (%v)", loc, err)
	}
	if got := b.text("h1"); got != "Pipeline, "+month+" to "+month {
		t.Fatalf("heading %q", got)
	}
	rows, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll("#by-month tbody tr").length`))
	if err != nil || rows != 1 || !strings.Contains(b.text("#by-month tbody"), "USD") {
		t.Fatalf("%d months (%v): %q", rows, err, b.text("#by-month tbody"))
	}
	// Each table's CSV, fetched from the link (which keeps the filters)
	// with the page's session.
	href, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector("#csv-tiers").getAttribute("href")`))
	if err != nil || !strings.Contains(href, "program_id="+program) || !strings.Contains(href, "&to="+month) {
		t.Fatalf("CSV link %q (%v)", href, err)
	}
	for id, header := range map[string]string{"#csv-months": "month,registered,approved,won_deals,lost_deals,won_minor,won,currency",
		"#csv-tiers": "tier,registered,approved,won_minor,won,currency", "#csv-partners": "partner_id,partner,tier,registered,approved,won_minor,won,currency"} {
		csv, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`fetch(document.querySelector("`+id+`").href).then(r => r.text())`,
			chromedp.EvalAwaitPromise))
		if err != nil || !strings.HasPrefix(csv, header+"\n") || (id == "#csv-months" && !strings.Contains(csv, month)) {
			t.Fatalf("%s: %q (%v)", id, csv, err)
		}
		if id == "#csv-partners" && !strings.Contains(csv, "Northwind Resellers") {
			t.Fatalf("partners CSV: %q", csv)
		}
	}

	// A partner row opens its scorecard over the same period.
	b.step("scorecard", chromedp.Click(chromedp.Search(`//table[@id="by-partner"]//a[normalize-space(text())="Northwind Resellers"]`)),
		chromedp.WaitVisible(chromedp.CSS("#scorecard")))
	if got := b.text("main"); !strings.Contains(got, "registrations from "+month+" to "+month+" in one program") {
		t.Fatalf("the scorecard lost the dashboard's filters: %q", got)
	}
	if got := b.text("#scorecard-title"); got != "Northwind Resellers: scorecard" {
		t.Fatalf("scorecard title %q", got)
	}
	if got := b.text("#sc-rates"); !strings.Contains(got, "%") {
		t.Fatalf("rates: %q", got)
	}
	if got := b.text("#won-value"); !strings.Contains(got, " USD") {
		t.Fatalf("won value: %q", got)
	}
	scorecardURL, _ := chromedp.Run(b.ctx, chromedp.Location())
	b.signOut()

	// A partner's user: its own scorecard from the menu, not another's.
	b.signIn("partnerB")
	b.step("own-scorecard", chromedp.Click(chromedp.Search(`//nav//a[text()="Scorecard"]`)), chromedp.WaitVisible(chromedp.CSS("#scorecard")))
	if got := b.text("#scorecard-title"); got != "Contoso MSP: scorecard" {
		t.Fatalf("partner B's own scorecard: %q", got)
	}
	b.step("other-scorecard-denied", chromedp.Navigate(scorecardURL), chromedp.WaitVisible(chromedp.CSS("h1")))
	if got := b.text("h1"); got != "Not found" {
		t.Fatalf("partner B reading A's scorecard sees %q", got)
	}
}

// markStale marks the page a form is about to replace, and waitFresh waits
// until the page that replaced it is in place: the dashboard's filter form
// reloads the same page, whose chart the old page already showed, so a
// wait for the chart alone can pass before the new page arrives and leave
// the next read on a document that is going away.
func markStale() chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`document.body.dataset.stale = "1"`)
}

func waitFresh() chromedp.Action[chromedp.Void] {
	return chromedp.WaitNotPresent(chromedp.CSS("body[data-stale]"))
}
