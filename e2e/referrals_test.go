package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func click(t *testing.T, path string) *http.Response {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, stack.baseURL+path, nil)
	req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36")
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func sendForm(t *testing.T, form url.Values, cookie *http.Cookie) *http.Response {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, stack.baseURL+"/lead-form", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != nil {
		req.AddCookie(cookie)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// Through the real binary: a partner's referral link records a click
// (hashed address, browser family) and sets the attribution cookie; it
// never redirects off the allow-list. The public form takes a lead
// attributed through the cookie (90-day first touch by default), with its
// consent version; a filled honeypot, a bad address, a missing consent and
// an oversized form store nothing, and the address is throttled. A
// partner's own referral is conflict-screened and queued for the vendor,
// visible to it and not to another partner.
func TestReferralLinkFormAndPartnerReferral(t *testing.T) {
	code := call(t, http.MethodPost, "/v1/referral-codes", stack.tokens["partnerA"], nil).must(t, http.StatusCreated).str("code")
	if code == "" {
		t.Fatal("no code")
	}
	resp := click(t, "/r/"+code+"?to=https://evil.example/phish")
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/lead-form?ref="+code {
		t.Fatalf("off-list redirect: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "dealflow_ref" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.MaxAge != 90*24*3600 || !strings.HasPrefix(cookie.Value, code+"~") {
		t.Fatalf("cookie %+v", cookie)
	}
	landing := "https://www.vendor.example/welcome"
	call(t, http.MethodPost, "/v1/referral-landings", stack.tokens["admin"], map[string]any{"url": landing}).must(t, http.StatusCreated)
	if resp := click(t, "/r/"+code+"?to="+url.QueryEscape(landing)); resp.Header.Get("Location") != landing {
		t.Fatalf("allowed landing: %s", resp.Header.Get("Location"))
	}
	if resp := click(t, "/r/nosuchcode1"); resp.StatusCode != http.StatusNotFound || len(resp.Cookies()) != 0 {
		t.Fatalf("unknown code: %d", resp.StatusCode)
	}
	if n := countRows(t, "referral_clicks", "code = $1 AND ua_family = 'chrome' AND length(client_hash) = 32", code); n != 2 {
		t.Fatalf("%d clicks recorded", n)
	}
	if n := countRows(t, "referral_clicks", "position('127.0.0.1' in encode(client_hash, 'escape')) > 0"); n != 0 {
		t.Fatal("a click stored the client address")
	}

	leads := func() int { return countRows(t, "leads", "source = 'form'") }
	before := leads()
	good := url.Values{"company": {"Formco"}, "country": {"de"}, "name": {"Fay Form"}, "email": {"fay@formco-" + tag() + ".example"},
		"interest": {"Firewall"}, "message": {"Call me\nplease"}, "consent": {"yes"}, "consent_version": {"lead-form-consent-v1"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for key, vals := range good {
			f[key] = vals
		}
		f.Set(k, v)
		return f
	}
	if r := sendForm(t, with("homepage", "http://spam.example"), cookie); r.StatusCode != http.StatusOK {
		t.Fatalf("honeypot: %d", r.StatusCode)
	}
	if r := sendForm(t, with("email", "fay at formco"), cookie); r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad e-mail: %d", r.StatusCode)
	}
	if r := sendForm(t, with("consent", ""), cookie); r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("no consent: %d", r.StatusCode)
	}
	if r := sendForm(t, with("message", strings.Repeat("x", 9000)), cookie); r.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized: %d", r.StatusCode)
	}
	if leads() != before {
		t.Fatal("a refused form stored a lead")
	}
	r := sendForm(t, good, cookie)
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("good form: %d", r.StatusCode)
	}
	id := r.Header.Get("X-Lead-Id")
	if n := countRows(t, "leads", "id = $1 AND referral_code = $2 AND attributed_partner_id = $3 AND consent_version = 'lead-form-consent-v1' AND status = 'queued' AND country = 'DE'",
		id, code, stack.partnerA); n != 1 {
		t.Fatalf("form lead %s not attributed as expected", id)
	}
	if r := sendForm(t, good, cookie); r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Fatalf("sixth form in a minute: %d", r.StatusCode)
	}
	list := call(t, http.MethodGet, "/v1/referral-codes", stack.tokens["partnerA"], nil).must(t, http.StatusOK)
	if !strings.Contains(string(list.raw), `"code":"`+code+`","partner_id"`) || !strings.Contains(string(list.raw), `"clicks":2,"leads":1,"won":0`) {
		t.Fatalf("counts: %s", list.raw)
	}

	// A partner's referral of a customer another partner registered.
	taken := dealBody()
	submit(t, stack.tokens["partnerB"])
	call(t, http.MethodPost, "/v1/deals", stack.tokens["partnerB"], taken).must(t, http.StatusCreated)
	cust := taken["customer"].(map[string]any)
	ref := call(t, http.MethodPost, "/v1/referrals", stack.tokens["partnerA"], map[string]any{
		"company":       map[string]any{"name": cust["name"], "domain": cust["domain"], "country": "US"},
		"contact":       map[string]any{"name": "Ray Ref", "email": "ray@" + cust["domain"].(string)},
		"product_lines": []string{"firewall"}, "amount": 900000, "currency": "USD",
	}).must(t, http.StatusCreated)
	rid := ref.str("id")
	if ref.str("status") != "queued" || ref.str("attributed_partner_id") != stack.partnerA || !strings.Contains(string(ref.raw), `"source":"registration"`) {
		t.Fatalf("referral: %s", ref.raw)
	}
	call(t, http.MethodGet, "/v1/leads/"+rid, stack.tokens["partnerA"], nil).must(t, http.StatusOK)
	call(t, http.MethodGet, "/v1/leads/"+rid, stack.tokens["partnerB"], nil).problem(t, http.StatusNotFound, "urn:dealflow:problem:not-found")
}

// A referral code is created with no body (or an empty object); a body
// that is not one JSON object, or names a field, is refused and creates
// no code (the sweep found garbage bodies each making one).
func TestReferralCodeRefusesABodyItDoesNotTake(t *testing.T) {
	tok := stack.tokens["partnerA"]
	before := countRows(t, "referral_codes", "true")
	for what, b := range map[string]string{"not JSON": "customer=Acme", "an array": `[]`, "a field": `{"code": "mine"}`, "two objects": `{} {}`} {
		if r := call(t, http.MethodPost, "/v1/referral-codes", tok, b); r.status < 400 || r.status >= 500 {
			t.Errorf("%s: %d %s", what, r.status, r.raw)
		}
	}
	if after := countRows(t, "referral_codes", "true"); after != before {
		t.Fatalf("refused bodies made %d referral code(s)", after-before)
	}
	call(t, http.MethodPost, "/v1/referral-codes", tok, map[string]any{}).must(t, http.StatusCreated)
}
