package console

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/internal/tokens"
	"github.com/google/uuid"
)

// consoleSession signs a new user of role (of partner, if valid) in and
// returns the user, the session and its CSRF token, read from page (one
// the role may see).
func (w quoteWorld) consoleSession(t *testing.T, name, role string, partner uuid.NullUUID, page string) (dbq.User, *http.Cookie, string) {
	t.Helper()
	ctx := context.Background()
	u, err := w.q.UserEnsure(ctx, dbq.UserEnsureParams{Name: name, Role: role, PartnerID: partner})
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
	form := url.Values{"csrf": {"pre"}, "token": {token}}
	req := httptest.NewRequest(http.MethodPost, "/console/sign-in", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: preCSRFCookie, Value: "pre"})
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			got := w.send(t, c, http.MethodGet, page, nil)
			m := csrfInPage.FindStringSubmatch(got.Body.String())
			if got.Code != http.StatusOK || m == nil {
				t.Fatalf("%s: %d\n%s", page, got.Code, got.Body)
			}
			return u, c, m[1]
		}
	}
	t.Fatalf("sign in: %d", rec.Code)
	return u, nil, ""
}

// programSession is consoleSession read from the programs page.
func (w quoteWorld) programSession(t *testing.T, name, role string) (*http.Cookie, string) {
	t.Helper()
	_, c, csrf := w.consoleSession(t, name, role, uuid.NullUUID{}, "/console/programs")
	return c, csrf
}

// The program forms refuse bad input inline, naming the field, and store
// nothing; the new-version form starts from the current rules, offers the
// catalog's product lines, and a version records who and why; a channel
// manager reads programs but gets no form, a partner no page.
func TestConsoleProgramForms(t *testing.T) {
	w := newQuoteWorld(t)
	ctx := context.Background()
	fin, csrf := w.programSession(t, "Fina Programs", "finance")
	countPrograms := func() int {
		rows, err := w.q.IncentiveProgramList(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}

	rec := w.send(t, fin, http.MethodGet, "/console/programs/new", nil)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `value="analytics"`) || !strings.Contains(rec.Body.String(), `<option value="EUR"`) {
		t.Fatalf("new program form: %d\n%s", rec.Code, rec.Body)
	}
	for _, tc := range []struct {
		name string
		form url.Values
		want []string
	}{
		{"bad tier row", url.Values{"kind": {"rebate"}, "mode": {"marginal"}, "tier_above": {"0", "100", "50"}, "tier_rate": {"5", "x", "7"}},
			[]string{"rules.tiers[1].rate_bp", "percentage", "tiers must be in ascending order"}},
		{"unknown product line", url.Values{"kind": {"spiff"}, "amount": {"10"}, "per": {"deal"}, "product_lines": {"analytics, nosuch"}},
			[]string{"rules.product_lines[1]", "&#34;nosuch&#34; is not a product line of the catalog"}},
		{"spiff without amount", url.Values{"kind": {"spiff"}, "per": {"week"}}, []string{"rules.amount", "rules.per", "must be deal or unit"}},
		{"referral rate", url.Values{"kind": {"referral"}, "rate": {"120"}, "rate_unit": {"pct"}}, []string{"rules.rate_bp", "must be 1 to 10000"}},
		{"attribution", url.Values{"kind": {"spiff"}, "amount": {"10"}, "per": {"deal"}, "influenced_by": {"a_handshake"}},
			[]string{"rules.attribution.influenced_by[0]"}},
		{"bad code", url.Values{"kind": {"spiff"}, "amount": {"10"}, "per": {"deal"}, "code": {"Not A Code!"}}, []string{"code lower-case letters"}},
	} {
		form := url.Values{"csrf": {csrf}, "code": {"p1"}, "name": {"P1"}, "currency": {"USD"}, "period": {"month"}, "grace_days": {"3"},
			"starts_on": {"2026-11-01"}}
		for k, v := range tc.form {
			form[k] = v
		}
		rec := w.send(t, fin, http.MethodPost, "/console/programs", form)
		body := rec.Body.String()
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, "Not done: ") {
			t.Fatalf("%s: %d\n%s", tc.name, rec.Code, body)
		}
		for _, want := range tc.want {
			if !strings.Contains(body, strings.ReplaceAll(want, "_", " ")) && !strings.Contains(body, want) {
				t.Errorf("%s: the page does not say %q", tc.name, want)
			}
		}
	}
	if n := countPrograms(); n != 0 {
		t.Fatalf("%d programs stored by refused forms", n)
	}

	prog, _, err := db.CreateIncentiveProgram(ctx, w.pool, dbq.IncentiveProgramCreateParams{Code: "analytics-rebate", Name: "Analytics rebate",
		Kind: "rebate", Currency: "EUR", Period: "quarter", GraceDays: 5, StartsOn: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), CreatedBy: "test"},
		[]byte(`{"mode":"marginal","tiers":[{"above":0,"rate_bp":200},{"above":1000000,"rate_bp":350}],"product_lines":["analytics"]}`))
	if err != nil {
		t.Fatal(err)
	}
	path := "/console/programs/" + prog.ID.String()
	rec = w.send(t, fin, http.MethodGet, path, nil)
	body := rec.Body.String()
	for _, want := range []string{`value="10000.00"`, `value="3.50"`, `value="analytics" checked`, "marginal rebate: 2.00 % above 0.00 EUR, 3.50 % above 10000.00 EUR",
		`id="version-1"`, "first version"} {
		if !strings.Contains(body, want) {
			t.Fatalf("program page misses %q:\n%s", want, body)
		}
	}
	rec = w.send(t, fin, http.MethodPost, path+"/versions", url.Values{"csrf": {csrf}, "mode": {"retroactive"}, "tier_above": {"0", ""},
		"tier_rate": {"2.5", ""}, "reason": {""}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "reason") {
		t.Fatalf("version without reason: %d\n%s", rec.Code, rec.Body)
	}
	rec = w.send(t, fin, http.MethodPost, path+"/versions", url.Values{"csrf": {csrf}, "mode": {"retroactive"}, "tier_above": {"0", ""},
		"tier_rate": {"2.5", ""}, "reason": {"simpler"}, "sourced_by": {"partner"}, "influenced_by": {"cosell_engagement"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("version: %d\n%s", rec.Code, rec.Body)
	}
	v, err := w.q.IncentiveProgramVersionGet(ctx, dbq.IncentiveProgramVersionGetParams{ProgramID: prog.ID, Version: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(v.Rules), `{"mode": "retroactive", "tiers": [{"above": 0, "rate_bp": 250}], "attribution": {"sourced_by": ["partner"], "influenced_by": ["cosell_engagement"]}}`; got != want || v.Reason != "simpler" {
		t.Fatalf("version 2: %s (%q), want %s", got, v.Reason, want)
	}
	if body := w.send(t, fin, http.MethodGet, path, nil).Body.String(); !strings.Contains(body, "Fina Programs") || !strings.Contains(body, "simpler") {
		t.Fatalf("the page does not show who and why:\n%s", body)
	}

	mgr, _ := w.programSession(t, "Manny Programs", "channel_manager")
	if body := w.send(t, mgr, http.MethodGet, path, nil).Body.String(); strings.Contains(body, `id="program-form"`) {
		t.Fatal("a channel manager is offered the version form")
	}
	if rec := w.send(t, mgr, http.MethodGet, "/console/programs/new", nil); rec.Code != http.StatusForbidden {
		t.Fatalf("channel manager new form: %d", rec.Code)
	}
	partner, _ := w.session(t, w.tokenA)
	if rec := w.send(t, partner, http.MethodGet, "/console/programs", nil); rec.Code != http.StatusForbidden {
		t.Fatalf("partner: %d", rec.Code)
	}
}
