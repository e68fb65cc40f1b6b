package console

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/internal/config"
	"github.com/dealflow/dealflow/internal/testenv"
	"github.com/dealflow/dealflow/internal/tokens"
	"github.com/google/uuid"
)

// The managers' lead forms over HTTP on a database of their own (no
// Temporal: every request here stops before the workflow). A queued
// referral of partner A's, with a conflict found at screening and its
// events: the manager's queue and lead page show the forms, attribution,
// conflict and timeline; bad input is refused as "Not done: ..." naming
// the field; partner A reaches no manager's route (403) and sees its lead
// without the vendor's parts; partner B does not find it (404).
func TestConsoleLeadManagerForms(t *testing.T) {
	ctx := context.Background()
	own, err := testenv.NewDatabase(ctx, "console_lead_manage")
	if err != nil {
		t.Fatalf("needs PostgreSQL: %v", err)
	}
	t.Cleanup(own.Close)
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.RateLimit, cfg.RateBurst = 1e6, 1e6
	q := dbq.New(own.Pool)
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	user := func(name, role string, partner uuid.NullUUID) string {
		u, err := q.UserEnsure(ctx, dbq.UserEnsureParams{Name: name, Role: role, PartnerID: partner})
		if err != nil {
			t.Fatal(err)
		}
		token, hash, err := tokens.New()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := q.TokenCreate(ctx, dbq.TokenCreateParams{UserID: u.ID, TokenHash: hash}); err != nil {
			t.Fatal(err)
		}
		return token
	}
	partner := func(name string) uuid.UUID {
		p, err := q.PartnerCreate(ctx, dbq.PartnerCreateParams{Name: name, Type: "reseller", Tier: "gold"})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	pa, pb := partner("Alpha Partners"), partner("Beta Partners")
	tokA := user("Alpha rep", "partner_user", uuid.NullUUID{UUID: pa, Valid: true})
	tokB := user("Beta rep", "partner_user", uuid.NullUUID{UUID: pb, Valid: true})
	tokM := user("Morgan Manager", "channel_manager", uuid.NullUUID{})

	var program uuid.UUID
	if err := own.Pool.QueryRow(ctx, `SELECT id FROM programs WHERE is_default`).Scan(&program); err != nil {
		t.Fatal(err)
	}
	id := uuid.Must(uuid.NewV7())
	if _, err := q.LeadInsert(ctx, dbq.LeadInsertParams{ID: id, ProgramID: program, Source: "partner_referral", CompanyName: "Queued Co",
		CompanyDomain: "queued.example", RegistrableDomain: "queued.example", Country: "DE", ContactName: "Jo", ContactEmail: "jo@queued.example",
		ProductLines: []string{"firewall"}, Tags: []string{}, Amount: 4200000, Currency: "EUR", WorkflowID: "lead/" + id.String(),
		CreatedBy: "u-a", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	conflicts, _ := json.Marshal([]map[string]any{{"source": "registration", "id": "d-1", "partner_id": pb.String(), "status": "approved"}})
	if _, err := own.Pool.Exec(ctx, `UPDATE leads SET status = 'queued', attributed_partner_id = $2,
		touched_at = $3, conflicts = $4, last_event_seq = 1 WHERE id = $1`, id, pa, now.Add(-time.Hour), conflicts); err != nil {
		t.Fatal(err)
	}
	if _, err := q.LeadEventInsert(ctx, dbq.LeadEventInsertParams{LeadID: id, Seq: 1, Type: "queued", ToStatus: "queued", ActorID: "system",
		ActorName: "dealflow", ActorRole: "system", Reason: "screening found a conflict", Payload: []byte(`{}`), OccurredAt: now}); err != nil {
		t.Fatal(err)
	}
	w := quoteWorld{h: served(cfg, own.Pool, nil, &movingClock{now: now})}
	session := func(token string) (*http.Cookie, string) {
		t.Helper()
		form := url.Values{"csrf": {"pre"}, "token": {token}}
		req := httptest.NewRequest(http.MethodPost, "/console/sign-in", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: preCSRFCookie, Value: "pre"})
		rec := httptest.NewRecorder()
		w.h.ServeHTTP(rec, req)
		var cookie *http.Cookie
		for _, c := range rec.Result().Cookies() {
			if c.Name == sessionCookie && c.Value != "" {
				cookie = c
			}
		}
		if cookie == nil {
			t.Fatalf("sign in: %d", rec.Code)
		}
		m := csrfInPage.FindStringSubmatch(w.send(t, cookie, http.MethodGet, "/console/leads", nil).Body.String())
		if m == nil {
			t.Fatal("no CSRF token on the leads page")
		}
		return cookie, m[1]
	}
	mgr, csrf := session(tokM)
	lead := "/console/leads/" + id.String()

	queue := w.send(t, mgr, http.MethodGet, "/console/leads", nil).Body.String()
	for _, want := range []string{lead + "/reoffer", lead + "/assign", lead + "/close", lead + "/convert", "Alpha Partners", "Beta Partners",
		`<option value="referral">`, `value="no_interest"`, `<option value="JPY">`} {
		if !strings.Contains(queue, want) {
			t.Fatalf("the queue lacks %s:\n%s", want, queue)
		}
	}
	rec := w.send(t, mgr, http.MethodGet, lead, nil)
	for _, want := range []string{"2026-11-30 11:00 UTC", "Alpha Partners", "Conflicts found at screening", "d-1", "screening found a conflict", "dealflow (system)"} {
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
			t.Fatalf("the lead page lacks %q: %d\n%s", want, rec.Code, rec.Body)
		}
	}
	for _, tc := range []struct {
		step string
		form url.Values
		want string
	}{
		{"close", url.Values{}, "close reason is required"},
		{"close", url.Values{"close_reason": {"other"}}, "reason is required"},
		{"close", url.Values{"close_reason": {"spam"}}, "close reason must be"},
		{"assign", url.Values{}, "partner id is required"},
		{"assign", url.Values{"partner_id": {"nope"}}, "partner id must be one of the partners listed"},
		{"assign", url.Values{"partner_id": {uuid.NewString()}}, "partner_id names no partner"},
		{"convert", url.Values{}, "kind is required"},
		{"convert", url.Values{"kind": {"vendor_sourced"}}, "partner id is required"},
		{"convert", url.Values{"kind": {"referral"}, "amount": {"12.345"}, "currency": {"EUR"}}, "amount must be an amount"},
		{"convert", url.Values{"kind": {"referral"}, "amount": {"0"}, "currency": {"EUR"}}, "amount must be"},
		{"convert", url.Values{"kind": {"referral"}, "currency": {"EUR"}}, "amount is required"},
		{"reoffer", url.Values{"reason": {"x\x00"}}, "control characters"},
	} {
		tc.form.Set("csrf", csrf)
		rec := w.send(t, mgr, http.MethodPost, lead+"/"+tc.step, tc.form)
		loc, _ := url.Parse(rec.Header().Get("Location"))
		if done := loc.Query().Get("done"); rec.Code != http.StatusSeeOther || loc.Path != lead || !strings.HasPrefix(done, "Not done: ") ||
			!strings.Contains(done, tc.want) {
			t.Errorf("%s %v: %d %s, want Not done: ...%s", tc.step, tc.form, rec.Code, rec.Header().Get("Location"), tc.want)
		}
	}
	if rec := w.send(t, mgr, http.MethodGet, lead+"?done="+url.QueryEscape("Not done: close reason is required"), nil); !strings.Contains(rec.Body.String(),
		`role="status">Not done: close reason is required`) {
		t.Fatalf("the refusal is not shown:\n%s", rec.Body)
	}

	a, acsrf := session(tokA)
	for _, step := range []string{"reoffer", "assign", "close", "convert"} {
		if rec := w.send(t, a, http.MethodPost, lead+"/"+step, url.Values{"csrf": {acsrf}, "close_reason": {"junk"}}); rec.Code != http.StatusForbidden {
			t.Errorf("partner's %s: %d, want 403", step, rec.Code)
		}
	}
	if rec := w.send(t, a, http.MethodGet, lead, nil); rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "/close") ||
		strings.Contains(rec.Body.String(), "d-1") || strings.Contains(rec.Body.String(), "Timeline") {
		t.Fatalf("the referring partner's lead page: %d\n%s", rec.Code, rec.Body)
	}
	if rec := w.send(t, a, http.MethodGet, "/console/leads", nil); strings.Contains(rec.Body.String(), lead+"/close") {
		t.Fatal("a partner's My leads shows the managers' forms")
	}
	b, _ := session(tokB)
	for _, path := range []string{lead, "/console/leads/" + uuid.NewString(), "/console/leads/not-an-id"} {
		if rec := w.send(t, b, http.MethodGet, path, nil); rec.Code != http.StatusNotFound {
			t.Errorf("partner B reading %s: %d, want 404", path, rec.Code)
		}
	}
	if rec := w.send(t, mgr, http.MethodPost, "/console/leads/"+uuid.NewString()+"/close", url.Values{"csrf": {csrf}, "close_reason": {"junk"}}); rec.Code != http.StatusNotFound {
		t.Errorf("closing no lead: %d, want 404", rec.Code)
	}
}
