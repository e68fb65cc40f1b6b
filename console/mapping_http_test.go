package console

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/google/uuid"
)

// mappingSession is consoleSession read from the mapping page.
func (w quoteWorld) mappingSession(t *testing.T, name, role string, partner uuid.NullUUID) (*http.Cookie, string) {
	t.Helper()
	_, c, csrf := w.consoleSession(t, name, role, partner, "/console/mapping")
	return c, csrf
}

// upload posts file (nil: no file part) to the upload form as a browser
// sends it, multipart.
func (w quoteWorld) upload(t *testing.T, session *http.Cookie, csrf string, file []byte) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", csrf)
	if file != nil {
		fw, err := mw.CreateFormFile("file", "accounts.csv")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(file)
	}
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/console/mapping/accounts", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(session)
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	return rec
}

// The mapping page's forms over HTTP: a partner user uploads its accounts
// (a bad file refused whole, each bad row listed, nothing stored; a good
// one counted; the same file again updates) and sees the opt-ins read
// only; only a partner admin saves them, the categories replaced with who
// and when recorded; an unknown category or a missing CSRF token is
// refused; the vendor's roles reach neither form.
func TestConsoleMappingForms(t *testing.T) {
	w := newQuoteWorld(t)
	ctx := context.Background()
	partner := w.partnerA(t)
	user, userCSRF := w.mappingSession(t, "Uma Uploader", "partner_user", partner)
	admin, adminCSRF := w.mappingSession(t, "Ada Sharer", "partner_admin", partner)
	manager, managerCSRF := w.mappingSession(t, "Max Manager", "channel_manager", uuid.NullUUID{})
	count := func(sql string, args ...any) int {
		t.Helper()
		var n int
		if err := w.pool.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	page := w.send(t, user, http.MethodGet, "/console/mapping", nil).Body.String()
	for _, want := range []string{`id="upload-form"`, `enctype="multipart/form-data"`, "external_id,name,domain,country,relation",
		`value="customer/opportunity" id="opt-customer-opportunity" disabled`, "Your organization's admins choose the categories"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the partner user's page lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, `id="save-opt-ins"`) {
		t.Fatal("a partner user gets the opt-in form's button")
	}

	rec := w.upload(t, user, userCSRF, []byte("external_id,name,domain,country,relation\nA-1,Initech LLC,initech.com,US,customer\nA-2,,globex.de,DE,partner\n"))
	body := rec.Body.String()
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, "Not done: 2 bad row(s); nothing was imported") ||
		!strings.Contains(body, `id="upload-errors"`) || !strings.Contains(body, "<td>2</td><td>A-2</td><td>name</td>") ||
		!strings.Contains(body, "<td>2</td><td>A-2</td><td>relation</td><td>must be customer or prospect</td>") {
		t.Fatalf("a bad file: %d\n%s", rec.Code, body)
	}
	if n := count(`SELECT count(*) FROM partner_accounts WHERE partner_id = $1`, partner.UUID); n != 0 {
		t.Fatalf("a refused file stored %d accounts", n)
	}
	if rec := w.upload(t, user, userCSRF, []byte("external_id,name,colour\nA-1,Initech,red\n")); rec.Code != http.StatusUnprocessableEntity ||
		!strings.Contains(rec.Body.String(), "Not done: ") {
		t.Fatalf("an unknown column: %d\n%s", rec.Code, rec.Body)
	}
	if rec := w.upload(t, user, userCSRF, nil); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Not done: file: choose a CSV file") {
		t.Fatalf("no file: %d\n%s", rec.Code, rec.Body)
	}
	good := []byte("external_id,name,domain,country,relation\nA-1,Initech LLC,https://www.initech.com,US,customer\nA-2,Globex,,DE,prospect\n")
	rec = w.upload(t, user, userCSRF, good)
	if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || loc != "/console/mapping?done="+url.QueryEscape("Done: 2 accounts uploaded (2 new, 0 updated)") {
		t.Fatalf("a good file: %d %q\n%s", rec.Code, loc, rec.Body)
	}
	if n := count(`SELECT count(*) FROM partner_accounts WHERE partner_id = $1 AND domain = 'initech.com'`, partner.UUID); n != 1 {
		t.Fatalf("the upload stored %d Initech accounts", n)
	}
	rec = w.upload(t, user, userCSRF, good)
	if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || !strings.Contains(loc, url.QueryEscape("(0 new, 2 updated)")) {
		t.Fatalf("the same file again: %d %q", rec.Code, loc)
	}
	if rec := w.upload(t, user, "stale", good); rec.Code != http.StatusForbidden {
		t.Fatalf("an upload without the CSRF token: %d", rec.Code)
	}

	if rec := w.send(t, user, http.MethodPost, "/console/mapping/opt-ins", url.Values{"csrf": {userCSRF}, "category": {"customer/customer"}}); rec.Code != http.StatusForbidden {
		t.Fatalf("a partner user sets opt-ins: %d", rec.Code)
	}
	if rec := w.send(t, admin, http.MethodPost, "/console/mapping/opt-ins", url.Values{"csrf": {adminCSRF}, "category": {"customer/customer", "customer/partner"}}); rec.Code != http.StatusUnprocessableEntity ||
		!strings.Contains(rec.Body.String(), "Not done: category: &#34;customer/partner&#34; is not one of the six") {
		t.Fatalf("an unknown category: %d\n%s", rec.Code, rec.Body)
	}
	if n := count(`SELECT count(*) FROM mapping_opt_ins WHERE partner_id = $1`, partner.UUID); n != 0 {
		t.Fatalf("a refused form stored %d opt-ins", n)
	}
	rec = w.send(t, admin, http.MethodPost, "/console/mapping/opt-ins", url.Values{"csrf": {adminCSRF},
		"category": {"customer/customer", "prospect/opportunity", "customer/customer"}})
	if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || loc != "/console/mapping?done="+url.QueryEscape("Done: sharing 2 of 6 categories") {
		t.Fatalf("save opt-ins: %d %q\n%s", rec.Code, loc, rec.Body)
	}
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	if n := count(`SELECT count(*) FROM mapping_opt_ins o JOIN users u ON u.id = o.opted_in_by
		WHERE o.partner_id = $1 AND u.name = 'Ada Sharer' AND o.opted_in_at = $2
		AND (o.partner_relation, o.vendor_category) IN (('customer', 'customer'), ('prospect', 'opportunity'))`, partner.UUID, now); n != 2 {
		t.Fatalf("the opt-ins stored: %d of 2 with who and when", n)
	}
	page = w.send(t, admin, http.MethodGet, "/console/mapping", nil).Body.String()
	for _, want := range []string{`id="opt-customer-customer" checked> shared since 2026-11-30`, `id="opt-prospect-opportunity" checked>`,
		`id="opt-customer-prospect"> not shared`, `id="save-opt-ins"`} {
		if !strings.Contains(page, want) {
			t.Fatalf("the admin's page lacks %q:\n%s", want, page)
		}
	}
	if page := w.send(t, user, http.MethodGet, "/console/mapping", nil).Body.String(); !strings.Contains(page, `id="opt-customer-customer" checked disabled>`) {
		t.Fatalf("the partner user's read-only opt-ins:\n%s", page)
	}
	if rec := w.send(t, admin, http.MethodPost, "/console/mapping/opt-ins", url.Values{"csrf": {adminCSRF}}); rec.Code != http.StatusSeeOther ||
		count(`SELECT count(*) FROM mapping_opt_ins WHERE partner_id = $1`, partner.UUID) != 0 {
		t.Fatalf("opt out of everything: %d", rec.Code)
	}
	// The sharing history shows both saves, newest first, with who; the
	// partner's user reads it too.
	for _, session := range []*http.Cookie{admin, user} {
		page = w.send(t, session, http.MethodGet, "/console/mapping", nil).Body.String()
		hist := page[strings.Index(page, `id="consent-history"`):]
		withdrawn := strings.Index(hist, "<td>prospect</td><td>opportunity</td><td>withdrawn</td><td>Ada Sharer</td>")
		shared := strings.Index(hist, "<td>prospect</td><td>opportunity</td><td>shared</td><td>Ada Sharer</td>")
		if !strings.Contains(hist, "Sharing history (4 changes)") || withdrawn < 0 || shared < withdrawn {
			t.Fatalf("the sharing history:\n%s", hist)
		}
	}

	if rec := w.upload(t, manager, managerCSRF, good); rec.Code != http.StatusForbidden {
		t.Fatalf("a channel manager uploads partner accounts: %d", rec.Code)
	}
	if rec := w.send(t, manager, http.MethodPost, "/console/mapping/opt-ins", url.Values{"csrf": {managerCSRF}}); rec.Code != http.StatusForbidden {
		t.Fatalf("a channel manager sets opt-ins: %d", rec.Code)
	}
	if page := w.send(t, manager, http.MethodGet, "/console/mapping", nil).Body.String(); strings.Contains(page, `id="upload-form"`) || strings.Contains(page, `id="opt-ins"`) {
		t.Fatal("the vendor's page shows the partner's forms")
	}
}

// A console form's body is bounded before its CSRF token is looked for: a
// form past 1 MiB, or an upload past 32 MiB and its fields, is refused as
// too large, and nothing is stored.
func TestConsoleFormBodiesAreBounded(t *testing.T) {
	w := newQuoteWorld(t)
	ctx := context.Background()
	partner := w.partnerA(t)
	admin, csrf := w.mappingSession(t, "Bo Bounded", "partner_admin", partner)
	form := url.Values{"csrf": {csrf}, "category": {"customer/opportunity"}, "pad": {strings.Repeat("x", 1<<20)}}
	req := httptest.NewRequest(http.MethodPost, "/console/mapping/opt-ins", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(admin)
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("a 1 MiB form: %d %s", rec.Code, rec.Body)
	}
	big := bytes.Repeat([]byte("x"), 33<<20)
	if rec := w.upload(t, admin, csrf, big); rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("a 33 MiB upload: %d %s", rec.Code, rec.Body)
	}
	var n int
	if err := w.pool.QueryRow(ctx, `SELECT count(*) FROM mapping_opt_ins WHERE partner_id = $1`, partner.UUID).Scan(&n); err != nil || n != 0 {
		t.Fatalf("opt-ins stored: %d %v", n, err)
	}
	// A form within its bound still goes through.
	form.Del("pad")
	req = httptest.NewRequest(http.MethodPost, "/console/mapping/opt-ins", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(admin)
	rec = httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	if rec.Code >= 400 {
		t.Fatalf("the same form without padding: %d %s", rec.Code, rec.Body)
	}
}

// partnerA is the partner of deal A, the organization the mapping tests
// sign its people into.
func (w quoteWorld) partnerA(t *testing.T) uuid.NullUUID {
	t.Helper()
	d, err := w.q.DealGet(context.Background(), dbq.DealGetParams{ID: w.dealA})
	if err != nil {
		t.Fatal(err)
	}
	return uuid.NullUUID{UUID: d.PartnerID, Valid: true}
}
