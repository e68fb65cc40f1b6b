package e2e

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/internal/oidcdev"
)

const oidcCallbackPath = "/console/sign-in/oidc/callback"

// oidcToCallback starts an OIDC sign-in in a fresh browser (a client with
// a cookie jar that does not follow redirects by itself), signs in at the
// provider's login page as username, and returns the browser and the
// callback URL the provider sends it back to (not yet opened).
func oidcToCallback(t *testing.T, username string) (*http.Client, *url.URL) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	follow := &http.Client{Jar: jar, Timeout: 20 * time.Second}
	back, err := stack.oidc.SignIn(context.Background(), follow, stack.baseURL+"/console/sign-in/oidc", username, oidcdev.DemoPassword,
		stack.baseURL+oidcCallbackPath)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, back
}

// open requests u with the browser and returns the status, where it
// redirects and the page.
func open(t *testing.T, cl *http.Client, u string) (int, string, string) {
	t.Helper()
	res, err := cl.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 500 {
		t.Fatalf("GET %s: %d\n%s", u, res.StatusCode, b)
	}
	return res.StatusCode, res.Header.Get("Location"), string(b)
}

// oidcSignIn signs username in through the provider and returns the
// browser, the status of the callback and where it sends the browser.
func oidcSignIn(t *testing.T, username string) (*http.Client, int, string, string) {
	t.Helper()
	cl, back := oidcToCallback(t, username)
	status, loc, page := open(t, cl, back.String())
	return cl, status, loc, page
}

func vendorUsers(t *testing.T, email string) map[string]bool {
	t.Helper()
	rows, err := stack.pool.Query(context.Background(), `SELECT u.role, u.deactivated_at IS NULL FROM users u JOIN people p ON p.id = u.person_id
		WHERE p.email = $1 AND u.partner_id IS NULL`, email)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var role string
		var active bool
		if err := rows.Scan(&role, &active); err != nil {
			t.Fatal(err)
		}
		out[role] = active
	}
	return out
}

// Vendor staff sign in through the identity provider: the sign-in page
// offers it, the authorization request carries PKCE (S256), a state and a
// nonce, the person is created on first sign-in with the roles their groups
// map to, and the session opens with the most privileged one, on its home
// page; the session is a console session like any other.
func TestOIDCSignInMapsGroupsToRoles(t *testing.T) {
	cl := jarClient()
	if page := get(t, cl, "/console/sign-in", http.StatusOK); !strings.Contains(page, "Sign in with Vendor SSO") ||
		!strings.Contains(page, `href="/console/sign-in/oidc"`) {
		t.Fatalf("the sign-in page offers no OIDC sign-in:\n%s", page)
	}
	status, loc, _ := open(t, cl, stack.baseURL+"/console/sign-in/oidc")
	auth, _ := url.Parse(loc)
	if status != http.StatusFound || !strings.HasPrefix(loc, stack.oidc.Issuer) || auth.Query().Get("code_challenge_method") != "S256" ||
		auth.Query().Get("code_challenge") == "" || auth.Query().Get("state") == "" || auth.Query().Get("nonce") == "" {
		t.Fatalf("start: %d to %s", status, loc)
	}

	admin, status, loc, page := oidcSignIn(t, "ada.admin@vendor.example")
	if status != http.StatusSeeOther || loc != "/console/inbox" {
		t.Fatalf("the admin's sign-in: %d to %q\n%s", status, loc, page)
	}
	if status, _, page := open(t, admin, stack.baseURL+"/console/people"); status != http.StatusOK || !strings.Contains(page, "Ada Admin") {
		t.Fatalf("the admin's people page: %d\n%s", status, page)
	}
	if got := vendorUsers(t, "ada.admin@vendor.example"); len(got) != 1 || !got["admin"] {
		t.Errorf("the admin's users: %v", got)
	}

	_, status, loc, _ = oidcSignIn(t, "bo.both@vendor.example")
	if status != http.StatusSeeOther || loc != "/console/cycles" {
		t.Fatalf("a finance and manager person's sign-in: %d to %q (want finance's home)", status, loc)
	}
	if got := vendorUsers(t, "bo.both@vendor.example"); len(got) != 2 || !got["finance"] || !got["channel_manager"] {
		t.Errorf("users of two groups: %v", got)
	}
}

// Roles follow the groups at each sign-in: a role the groups no longer
// grant is deactivated (its token stops at once), one they grant is added.
func TestOIDCRolesRefreshedAtEachSignIn(t *testing.T) {
	tok, err := cliLine("token", "create", "--role", "sales_rep", "--name", "Fay Finance", "--email", "fay.finance@vendor.example")
	if err != nil {
		t.Fatal(err)
	}
	// The seller's token resolves (a seller may not list deals: 403, not 401).
	call(t, http.MethodGet, "/v1/deals", tok, nil).must(t, http.StatusForbidden)
	_, status, loc, _ := oidcSignIn(t, "fay.finance@vendor.example")
	if status != http.StatusSeeOther || loc != "/console/cycles" {
		t.Fatalf("sign-in: %d to %q", status, loc)
	}
	if got := vendorUsers(t, "fay.finance@vendor.example"); len(got) != 2 || !got["finance"] || got["sales_rep"] {
		t.Errorf("users after the sign-in: %v (want finance active, sales_rep dropped)", got)
	}
	call(t, http.MethodGet, "/v1/deals", tok, nil).must(t, http.StatusUnauthorized)
}

// A callback whose state was already used, or that this browser did not
// start, or that carries the provider's error, is a page that says so.
func TestOIDCReplayedStateAndErrorsAreRefused(t *testing.T) {
	cl, back := oidcToCallback(t, "sam.sales@vendor.example")
	if status, loc, _ := open(t, cl, back.String()); status != http.StatusSeeOther || loc != "/console/cosell/engagements" {
		t.Fatalf("sign-in: %d to %q", status, loc)
	}
	// The same callback again, with the state's cookie put back: used.
	base, _ := url.Parse(stack.baseURL + "/console")
	cl.Jar.SetCookies(base, []*http.Cookie{{Name: "dealflow_oidc", Value: back.Query().Get("state"), Path: "/console"}})
	if status, _, page := open(t, cl, back.String()); status != http.StatusBadRequest || !strings.Contains(page, "already used") {
		t.Fatalf("a replayed state: %d\n%s", status, page)
	}
	// In another browser (no cookie): not started here.
	if status, _, page := open(t, jarClient(), back.String()); status != http.StatusBadRequest || !strings.Contains(page, "not started in this browser") {
		t.Fatalf("another browser's callback: %d\n%s", status, page)
	}
	// The provider's error.
	fresh := jarClient()
	_, loc, _ := open(t, fresh, stack.baseURL+"/console/sign-in/oidc")
	u, _ := url.Parse(loc)
	status, _, page := open(t, fresh, stack.baseURL+oidcCallbackPath+"?error=access_denied&error_description=the+user+said+no&state="+
		url.QueryEscape(u.Query().Get("state")))
	if status != http.StatusUnauthorized || !strings.Contains(page, "did not sign you in: the user said no") {
		t.Fatalf("the provider's error: %d\n%s", status, page)
	}
	// A forged code with a good state: the provider refuses the exchange.
	_, loc, _ = open(t, fresh, stack.baseURL+"/console/sign-in/oidc")
	u, _ = url.Parse(loc)
	status, _, page = open(t, fresh, stack.baseURL+oidcCallbackPath+"?code=forged&state="+url.QueryEscape(u.Query().Get("state")))
	if status != http.StatusUnauthorized || !strings.Contains(page, "refused the sign-in") {
		t.Fatalf("a forged code: %d\n%s", status, page)
	}
}

// A person no group maps to a role is refused and nothing is created; a
// deactivated person is refused and their session ends.
func TestOIDCRefusesUnmappedAndDeactivated(t *testing.T) {
	_, status, _, page := oidcSignIn(t, "nia.nogroup@vendor.example")
	if status != http.StatusForbidden || !strings.Contains(page, "none of your groups") {
		t.Fatalf("no group: %d\n%s", status, page)
	}
	if got := vendorUsers(t, "nia.nogroup@vendor.example"); len(got) != 0 {
		t.Errorf("a refused person got users: %v", got)
	}

	manager, status, loc, _ := oidcSignIn(t, "max.manager@vendor.example")
	if status != http.StatusSeeOther || loc != "/console/inbox" {
		t.Fatalf("the manager's sign-in: %d to %q", status, loc)
	}
	var id string
	if err := stack.pool.QueryRow(context.Background(), `SELECT u.id::text FROM users u JOIN people p ON p.id = u.person_id
		WHERE p.email = 'max.manager@vendor.example' AND u.role = 'channel_manager'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	post(t, "/v1/users/"+id+"/deactivate", "admin", nil).must(t, http.StatusOK)
	if status, loc, _ := open(t, manager, stack.baseURL+"/console/inbox"); status != http.StatusSeeOther || loc != "/console/sign-in" {
		t.Fatalf("a deactivated person's session still opens pages: %d to %q", status, loc)
	}
	_, status, _, page = oidcSignIn(t, "max.manager@vendor.example")
	if status != http.StatusForbidden || !strings.Contains(page, "deactivated") {
		t.Fatalf("a deactivated person signs in: %d\n%s", status, page)
	}
	if got := vendorUsers(t, "max.manager@vendor.example"); got["channel_manager"] {
		t.Errorf("the sign-in reactivated an admin's deactivation: %v", got)
	}
}
