package console

import (
	"bytes"
	"strings"
	"testing"

	"github.com/dealflow/dealflow/internal/steps"
	"github.com/dealflow/dealflow/read"
)

// The deal page renders each step's form from the step table with the
// inputs, ids, labels and buttons the page had when each form was written
// by hand (the browser test and the manuals' screenshots rely on them).
func TestStepFormsAsBefore(t *testing.T) {
	pending := int64(1250000)
	v := read.DealView{ID: "d1", Currency: "USD", ProductLines: []string{"firewall", "vpn"}, InfoQuestion: "Who signs?",
		PendingCorrectionAmount: &pending}
	var forms []stepForm
	for _, st := range steps.Deal() {
		forms = append(forms, formOf(st, v, "2026-11-30"))
	}
	var b bytes.Buffer
	if err := consolePages["deal.html"].ExecuteTemplate(&b, "layout.html", page{Data: dealPage{Deal: v, Steps: forms}}); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, want := range []string{
		`<form method="post" action="/console/deals/d1/approve" class="inline">`,
		`<input id="approve-reason" name="reason">`, `<button type="submit" id="approve">Approve</button>`,
		`<input id="reject-reason" name="reason" required>`, `<button type="submit" class="danger">Reject</button>`,
		`<input id="question" name="question" required>`, `<button type="submit">Request information</button>`,
		`<select id="outcome" name="outcome">`, `<option value="award">Award to this registration</option>`,
		`<option value="direct_sales">Hand to direct sales</option>`, `<input id="resolve-reason" name="reason" required>`,
		`<legend>Extension requested</legend>`, `<input type="radio" name="grant" value="yes" checked> Grant</label>`,
		`<input type="radio" name="grant" value="no"> Deny</label>`, `<input id="ext-reason" name="reason">`,
		`Question: Who signs?`, `<textarea id="answer" name="answer" required></textarea>`,
		`<input id="extend-reason" name="reason" required>`,
		`<legend>Closed won</legend>`, `<input id="won-amount" name="amount" inputmode="decimal" required>`,
		`<input id="won-currency" name="currency" value="USD" maxlength="3" required>`,
		`<input id="won-lines" name="product_lines" value="firewall, vpn" required>`,
		`<input id="won-units" name="units" inputmode="numeric">`,
		`<input id="won-date" name="close_date" type="date" value="2026-11-30" required>`, `<button type="submit">Report won</button>`,
		`<input id="lost-reason" name="reason">`, `<button type="submit" class="danger">Report lost</button>`,
		`<input id="corr-amount" name="amount" inputmode="decimal" required>`, `<input id="corr-reason" name="reason" required>`,
		`The partner asks to raise its won amount to 12500.00 USD`, `<input type="radio" name="approve" value="yes" checked> Approve</label>`,
		`<input id="corr-decision-reason" name="reason">`,
		`<form method="post" action="/console/deals/d1/withdraw" class="inline">`, `<button type="submit" class="danger">Withdraw</button>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the deal page lacks %s", want)
		}
	}
	if n := strings.Count(html, `name="csrf"`); n < len(forms) {
		t.Errorf("%d forms carry the CSRF token, want %d", n, len(forms))
	}
}
