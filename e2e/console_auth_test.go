package e2e

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// consoleClient signs in to the console as who, with a cookie jar, and
// returns the client and the session's CSRF token.
func consoleClient(t *testing.T, who string) (*http.Client, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page := get(t, cl, "/console/sign-in", http.StatusOK)
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no csrf field on the sign-in page")
	}
	res, err := cl.PostForm(stack.baseURL+"/console/sign-in", url.Values{"csrf": {m[1]}, "token": {stack.tokens[who]}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d", who, res.StatusCode)
	}
	for _, c := range res.Cookies() {
		if c.Name == "dealflow_session" && (!c.HttpOnly || c.SameSite != http.SameSiteLaxMode) {
			t.Fatalf("session cookie %+v", c)
		}
	}
	m = csrfField.FindStringSubmatch(get(t, cl, res.Header.Get("Location"), http.StatusOK)) // the role's home
	if m == nil {
		t.Fatal("no csrf token in the console")
	}
	return cl, m[1]
}

func get(t *testing.T, cl *http.Client, path string, want int) string {
	t.Helper()
	res, err := cl.Get(stack.baseURL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d\n%s", path, res.StatusCode, want, b)
	}
	return string(b)
}

// The console enforces the same authorization as the API: no session, no
// page; a role's pages only; another organization's deal is not found;
// forms without the session's CSRF token are refused; a bad token does not
// sign in; signing out ends the session.
func TestConsoleAuthorization(t *testing.T) {
	anon := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := anon.Get(stack.baseURL + "/console/inbox")
	if err != nil || res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/console/sign-in" {
		t.Fatalf("anonymous inbox: %v %v", res.StatusCode, err)
	}
	res.Body.Close()

	partner, csrf := consoleClient(t, "partnerA")
	get(t, partner, "/console/inbox", http.StatusForbidden)
	get(t, partner, "/console/cycles", http.StatusForbidden)
	other := submit(t, stack.tokens["partnerB"]).str("id")
	if body := get(t, partner, "/console/deals/"+other, http.StatusNotFound); strings.Contains(body, "Contoso") {
		t.Fatal("another organization's deal leaked")
	}
	for name, form := range map[string]url.Values{"no token": {}, "wrong token": {"csrf": {"x" + csrf}}} {
		res, err := partner.PostForm(stack.baseURL+"/console/deals", form)
		if err != nil || res.StatusCode != http.StatusForbidden {
			t.Fatalf("%s: %v %v", name, res.StatusCode, err)
		}
		res.Body.Close()
	}
	// A manager's decision form needs the manager's own session token too.
	manager, mcsrf := consoleClient(t, "manager")
	res, _ = manager.PostForm(stack.baseURL+"/console/deals/"+other+"/approve", url.Values{"csrf": {csrf}})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("approve with the partner's csrf: %d", res.StatusCode)
	}
	res.Body.Close()
	// Signing out ends the session for good.
	res, _ = manager.PostForm(stack.baseURL+"/console/sign-out", url.Values{"csrf": {mcsrf}})
	res.Body.Close()
	res, _ = manager.Get(stack.baseURL + "/console/inbox")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("inbox after sign-out: %d", res.StatusCode)
	}
	res.Body.Close()

	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar, CheckRedirect: anon.CheckRedirect}
	m := csrfField.FindStringSubmatch(get(t, cl, "/console/sign-in", http.StatusOK))
	res, _ = cl.PostForm(stack.baseURL+"/console/sign-in", url.Values{"csrf": {m[1]}, "token": {"dft_nope"}})
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("bad token: %d", res.StatusCode)
	}
	res.Body.Close()
	res, _ = anon.PostForm(stack.baseURL+"/console/sign-in", url.Values{"csrf": {"forged"}, "token": {stack.tokens["admin"]}})
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("sign-in without the form's cookie: %d", res.StatusCode)
	}
	res.Body.Close()
}

func postForm(t *testing.T, cl *http.Client, path string, form url.Values) string {
	t.Helper()
	res, err := cl.PostForm(stack.baseURL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST %s: %d", path, res.StatusCode)
	}
	loc, _ := url.Parse(res.Header.Get("Location"))
	return loc.Query().Get("done")
}

// The deal page's other forms, through the console: an info request and
// its answer, approval, an extension requested and granted, a refused
// grant with no reason, the deal lost; and finance's CSV downloads with a
// session instead of a token.
func TestConsoleDealSteps(t *testing.T) {
	partner, pcsrf := consoleClient(t, "partnerA")
	manager, mcsrf := consoleClient(t, "manager")
	id := submit(t, stack.tokens["partnerA"]).str("id")
	d := "/console/deals/" + id
	steps := []struct {
		cl   *http.Client
		path string
		form url.Values
		want string
	}{
		{manager, "/request-info", url.Values{"question": {"Who signs?"}}, "Done: request info"},
		{partner, "/answer-info", url.Values{"answer": {"The CFO"}}, "Done: answer info"},
		{manager, "/approve", url.Values{"reason": {"ok"}}, "Done: approve"},
		{partner, "/request-extension", url.Values{"reason": {"board in March"}}, "Done: request extension"},
		{manager, "/decide-extension", url.Values{"grant": {"no"}}, "Not done: reason is required when denying"},
		{manager, "/decide-extension", url.Values{"grant": {"yes"}, "reason": {"fine"}}, "Done: decide extension"},
		{partner, "/close-won", url.Values{"amount": {"12.345"}, "currency": {"USD"}, "product_lines": {"vpn"}, "close_date": {todayDate()}},
			"Not done: amount must be an amount such as 12500.00"},
		{partner, "/close-lost", url.Values{"reason": {"budget cut"}}, "Done: close lost"},
		{partner, "/withdraw", url.Values{}, "Not done: the deal takes no further steps"},
	}
	for _, st := range steps {
		csrf := pcsrf
		if st.cl == manager {
			csrf = mcsrf
		}
		st.form.Set("csrf", csrf)
		if got := postForm(t, st.cl, d+st.path, st.form); got != st.want {
			t.Fatalf("%s: %q, want %q", st.path, got, st.want)
		}
	}
	page := get(t, partner, d, http.StatusOK)
	for _, want := range []string{"info requested", "info answered", "extension granted", "closed lost", "The CFO"} {
		if !strings.Contains(page, want) {
			t.Fatalf("deal page lacks %q", want)
		}
	}
	finance, _ := consoleClient(t, "finance")
	if csv := get(t, finance, "/console/ledger.csv", http.StatusOK); !strings.HasPrefix(csv, "seq,entry_key,") {
		t.Fatalf("ledger.csv: %.80s", csv)
	}
	get(t, partner, "/console/ledger.csv", http.StatusForbidden)
}
