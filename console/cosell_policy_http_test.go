package console

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
)

// A channel manager reads the default program's co-sell policy (the
// built-in default, version 0), is refused bad input field by field with
// nothing stored, and sets a new version recorded with who, when and why
// as the API records it; a form shown before another version was stored
// is refused; a partner user and a seller get no page and their posts
// are refused.
func TestConsoleCoSellPolicyForm(t *testing.T) {
	w := newQuoteWorld(t)
	ctx := context.Background()
	var program uuid.UUID
	if err := w.pool.QueryRow(ctx, `SELECT id FROM programs WHERE is_default`).Scan(&program); err != nil {
		t.Fatal(err)
	}
	versions := func() int {
		var n int
		if err := w.pool.QueryRow(ctx, `SELECT count(*) FROM cosell_policies WHERE program_id = $1`, program).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	post := "/console/cosell-policy/" + program.String()
	mgrUser, mgr, csrf := w.consoleSession(t, "Manny Policy", "channel_manager", uuid.NullUUID{}, "/console/cosell-policy")

	rec := w.send(t, mgr, http.MethodGet, "/console/cosell-policy", nil)
	body := rec.Body.String()
	for _, want := range []string{"Default program: current policy (default)", "within 2 business days", "reminded 1 business day after",
		"reminded 2 days before it is due", "Holidays (not business days): none", "The built-in default", `id="cosell-policy-form"`,
		`name="respond_within_business_days" inputmode="numeric" value="2"`, `name="based_on" value="0"`, `href="/console/cosell-policy"`} {
		if !strings.Contains(body, want) {
			t.Fatalf("policy page misses %q:\n%s", want, body)
		}
	}

	for _, tc := range []struct {
		name string
		form url.Values
		want []string
	}{
		{"remind after the deadline", url.Values{"respond_within_business_days": {"2"}, "remind_after_business_days": {"2"}},
			[]string{`id="remind_after_business_days-err">must be 0 (no reminder) or fewer than the business days to respond (respond_within_business_days)`}},
		{"malformed holiday", url.Values{"holidays": {"2026-12-25\nChristmas"}},
			[]string{`id="holidays-err">&#34;Christmas&#34; must be a day (YYYY-MM-DD)`, "Christmas</textarea>"}},
		{"holiday twice", url.Values{"holidays": {"2026-12-25, 2026-12-25"}}, []string{`id="holidays-err">&#34;2026-12-25&#34; is listed twice`}},
		{"not numbers", url.Values{"respond_within_business_days": {"two"}, "milestone_reminder_days": {"31"}},
			[]string{`id="respond_within_business_days-err">must be a whole number of days`, `id="milestone_reminder_days-err">must be between 0 and 30`, `value="two"`}},
		{"deadline out of range", url.Values{"respond_within_business_days": {"0"}}, []string{`id="respond_within_business_days-err">must be between 1 and 30`}},
	} {
		form := url.Values{"csrf": {csrf}, "based_on": {"0"}, "respond_within_business_days": {"3"}, "remind_after_business_days": {"1"},
			"milestone_reminder_days": {"2"}, "reason": {"a try"}}
		for k, v := range tc.form {
			form[k] = v
		}
		rec := w.send(t, mgr, http.MethodPost, post, form)
		body := rec.Body.String()
		if tc.name == "malformed holiday" {
			t.Log(body)
		}
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, "Not done: ") {
			t.Fatalf("%s: %d\n%s", tc.name, rec.Code, body)
		}
		for _, want := range tc.want {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the page does not say %q:\n%s", tc.name, want, body)
			}
		}
	}
	if n := versions(); n != 0 {
		t.Fatalf("%d versions stored by refused forms", n)
	}

	rec = w.send(t, mgr, http.MethodPost, post, url.Values{"csrf": {csrf}, "based_on": {"0"}, "respond_within_business_days": {"3"},
		"remind_after_business_days": {"1"}, "milestone_reminder_days": {"5"}, "holidays": {" 2026-12-26\r\n2026-12-25 ,"}, "reason": {"  holiday season \n"}})
	if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "/console/cosell-policy?program="+program.String()) {
		t.Fatalf("set: %d %s\n%s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	row, err := w.q.CoSellPolicyLatest(ctx, program)
	if err != nil {
		t.Fatal(err)
	}
	var got domain.CoSellPolicy
	if err := json.Unmarshal(row.Policy, &got); err != nil {
		t.Fatal(err)
	}
	want := domain.CoSellPolicy{RespondWithin: 3, RemindAfter: 1, MilestoneReminderDays: 5, Holidays: []string{"2026-12-25", "2026-12-26"}}
	if row.Version != 1 || got.RespondWithin != want.RespondWithin || got.RemindAfter != want.RemindAfter ||
		got.MilestoneReminderDays != want.MilestoneReminderDays || !slices.Equal(got.Holidays, want.Holidays) {
		t.Fatalf("stored v%d %+v, want v1 %+v", row.Version, got, want)
	}
	if row.SetBy != mgrUser.ID.String() || row.SetByName != "Manny Policy" || row.Reason != "holiday season" || row.CreatedAt.IsZero() {
		t.Fatalf("recorded by %q (%q), why %q, at %s", row.SetBy, row.SetByName, row.Reason, row.CreatedAt)
	}
	if p, row, err := db.CoSellPolicyVersion(ctx, w.q, program); err != nil || row.Version != 1 || p.RespondWithin != 3 {
		t.Fatalf("the program's policy: %+v v%d %v", p, row.Version, err)
	}
	rec = w.send(t, mgr, http.MethodGet, rec.Header().Get("Location"), nil)
	body = rec.Body.String()
	for _, want := range []string{"Done: co-sell policy version 1 stored", "current policy, version 1", "within 3 business days",
		"reminded 5 days before it is due", "2026-12-25, 2026-12-26", "set by Manny Policy at 2026-11-30", ": holiday season.", `name="based_on" value="1"`,
		"2026-12-25\n2026-12-26</textarea>"} {
		if !strings.Contains(body, want) {
			t.Fatalf("policy page misses %q:\n%s", want, body)
		}
	}

	// A form shown before version 1 was stored is refused, its values kept.
	rec = w.send(t, mgr, http.MethodPost, post, url.Values{"csrf": {csrf}, "based_on": {"0"}, "respond_within_business_days": {"4"},
		"remind_after_business_days": {"0"}, "milestone_reminder_days": {"2"}})
	if body := rec.Body.String(); rec.Code != http.StatusConflict || !strings.Contains(body, "changed at the same time") ||
		!strings.Contains(body, `name="respond_within_business_days" inputmode="numeric" value="4"`) || !strings.Contains(body, `name="based_on" value="1"`) {
		t.Fatalf("stale form: %d\n%s", rec.Code, body)
	}
	if n := versions(); n != 1 {
		t.Fatalf("%d versions after a stale form", n)
	}
	// Without a reason (optional, as in the API), a version 2.
	rec = w.send(t, mgr, http.MethodPost, post, url.Values{"csrf": {csrf}, "based_on": {"1"}, "respond_within_business_days": {"4"},
		"remind_after_business_days": {"0"}, "milestone_reminder_days": {"2"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("no reason: %d\n%s", rec.Code, rec.Body)
	}
	if body := w.send(t, mgr, http.MethodGet, "/console/cosell-policy?program="+program.String(), nil).Body.String(); !strings.Contains(body, "No reminder before the deadline.") ||
		!strings.Contains(body, "(no reason given)") || !strings.Contains(body, "Holidays (not business days): none") {
		t.Fatalf("version 2 page:\n%s", body)
	}

	partner, partnerCSRF := w.session(t, w.tokenA)
	_, seller, sellerCSRF := w.consoleSession(t, "Sal Seller", "sales_rep", uuid.NullUUID{}, "/console/cosell/engagements")
	for _, who := range []struct {
		name    string
		session *http.Cookie
		csrf    string
	}{{"partner", partner, partnerCSRF}, {"sales rep", seller, sellerCSRF}} {
		rec := w.send(t, who.session, http.MethodGet, "/console/cosell-policy", nil)
		if rec.Code != http.StatusForbidden || strings.Contains(rec.Body.String(), "cosell-policy-form") {
			t.Fatalf("%s sees the page: %d", who.name, rec.Code)
		}
		rec = w.send(t, who.session, http.MethodPost, post, url.Values{"csrf": {who.csrf}, "based_on": {"2"}, "respond_within_business_days": {"5"},
			"remind_after_business_days": {"1"}, "milestone_reminder_days": {"2"}})
		if rec.Code != http.StatusForbidden {
			t.Fatalf("%s sets the policy: %d", who.name, rec.Code)
		}
	}
	if n := versions(); n != 2 {
		t.Fatalf("%d versions after refused roles", n)
	}
}
