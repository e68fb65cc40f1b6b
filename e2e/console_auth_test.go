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
	m = csrfField.FindStringSubmatch(get(t, cl, "/console/deals", http.StatusOK))
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
