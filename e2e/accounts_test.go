package e2e

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// jarClient is a cookie-keeping client that does not follow redirects.
func jarClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func acctForm(t *testing.T, cl *http.Client, path string, form url.Values) *http.Response {
	t.Helper()
	res, err := cl.PostForm(stack.baseURL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

// A partner admin invites a user through the API (the link comes back in
// the answer); the invitee opens the link, sets a password (a common one
// is refused), is signed in; the link works once; the user signs in with
// e-mail and password on the sign-in page and registers a deal in the
// console; a wrong password fails; deactivating the user ends the session.
func TestInviteAcceptPasswordSignInRegister(t *testing.T) {
	email := "inv-" + uuid.NewString()[:8] + "@northwind.example"
	inv := post(t, "/v1/users/invitations", "adminA", map[string]any{"email": email, "name": "Ivy Invited", "role": "partner_user"}).
		must(t, http.StatusCreated)
	link := inv.str("link")
	if !strings.Contains(link, "/console/invitations/accept?token=") {
		t.Fatalf("link %q", link)
	}
	path := strings.TrimPrefix(link, stack.baseURL)

	cl := jarClient()
	m := csrfField.FindStringSubmatch(get(t, cl, path, http.StatusOK))
	tok := strings.SplitN(path, "token=", 2)[1]
	if res := acctForm(t, cl, "/console/invitations/accept", url.Values{"csrf": {m[1]}, "token": {tok},
		"password": {"password1234"}, "password2": {"password1234"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a common password: %d", res.StatusCode)
	}
	m = csrfField.FindStringSubmatch(get(t, cl, path, http.StatusOK))
	const pw = "tangerine-lamp-orbit-42"
	if res := acctForm(t, cl, "/console/invitations/accept", url.Values{"csrf": {m[1]}, "token": {tok},
		"password": {pw}, "password2": {pw}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", res.StatusCode)
	}
	// Single use: a second acceptance is refused.
	again := jarClient()
	m = csrfField.FindStringSubmatch(get(t, again, path, http.StatusOK))
	if res := acctForm(t, again, "/console/invitations/accept", url.Values{"csrf": {m[1]}, "token": {tok},
		"password": {pw + "x"}, "password2": {pw + "x"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("second acceptance: %d", res.StatusCode)
	}

	// Password sign-in: a wrong password fails, the right one signs in.
	user := jarClient()
	m = csrfField.FindStringSubmatch(get(t, user, "/console/sign-in", http.StatusOK))
	if res := acctForm(t, user, "/console/sign-in/password", url.Values{"csrf": {m[1]}, "email": {email}, "password": {"wrong-password-123"}}); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", res.StatusCode)
	}
	m = csrfField.FindStringSubmatch(get(t, user, "/console/sign-in", http.StatusOK))
	if res := acctForm(t, user, "/console/sign-in/password", url.Values{"csrf": {m[1]}, "email": {strings.ToUpper(email)}, "password": {pw}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("password sign-in: %d", res.StatusCode)
	}
	m = csrfField.FindStringSubmatch(get(t, user, "/console/deals", http.StatusOK))
	name := "Invited Co " + uniqueName()
	res := acctForm(t, user, "/console/deals", url.Values{"csrf": {m[1]}, "customer_name": {name},
		"customer_domain": {uniqueDomain()}, "customer_country": {"US"}, "contact_name": {"Jane Doe"}, "contact_email": {"jane@acme.com"},
		"product_lines": {"firewall"}, "amount": {"12500.00"}, "currency": {"USD"}, "expected_close_date": {"2027-03-31"},
		"idempotency_key": {uuid.NewString()}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/console/deals/") {
		t.Fatalf("register a deal: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	get(t, user, res.Header.Get("Location"), http.StatusOK)

	// The partner admin lists the user and deactivates it: the session
	// stops at once.
	id := userID(t, "adminA", email)
	post(t, "/v1/users/"+id+"/deactivate", "adminA", nil).must(t, http.StatusOK)
	if res, _ := user.Get(stack.baseURL + "/console/deals"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a deactivated user's session still opens pages: %d", res.StatusCode)
	}
}

func userID(t *testing.T, who, email string) string {
	t.Helper()
	for _, u := range call(t, http.MethodGet, "/v1/users", stack.tokens[who], nil).must(t, http.StatusOK).body["users"].([]any) {
		if u := u.(map[string]any); u["email"] == email {
			return u["id"].(string)
		}
	}
	return ""
}

// A partner admin can never invite into, see, change or deactivate another
// organization's users, nor invite with a vendor role; a deactivated
// user's API token stops at once.
func TestPartnerAdminScope(t *testing.T) {
	post(t, "/v1/users/invitations", "adminA", map[string]any{"email": "x-" + uuid.NewString()[:8] + "@contoso.example", "name": "X",
		"role": "partner_user", "partner_id": stack.partnerB}).problem(t, 422, "urn:dealflow:problem:validation")
	post(t, "/v1/users/invitations", "adminA", map[string]any{"email": "y-" + uuid.NewString()[:8] + "@northwind.example", "name": "Y",
		"role": "admin"}).problem(t, 422, "urn:dealflow:problem:validation")
	for _, u := range call(t, http.MethodGet, "/v1/users?partner_id="+stack.partnerB, stack.tokens["adminA"], nil).must(t, http.StatusOK).body["users"].([]any) {
		if u.(map[string]any)["partner_id"] != stack.partnerA {
			t.Fatalf("a partner admin saw another organization's user %v", u)
		}
	}
	var boID string
	for _, u := range call(t, http.MethodGet, "/v1/users?partner_id="+stack.partnerB, stack.tokens["admin"], nil).must(t, http.StatusOK).body["users"].([]any) {
		if u := u.(map[string]any); u["email"] == "bo@contoso.example" {
			boID = u["id"].(string)
		}
	}
	if boID == "" {
		t.Fatal("the vendor admin does not see partner B's user")
	}
	post(t, "/v1/users/"+boID+"/deactivate", "adminA", nil).problem(t, 404, "urn:dealflow:problem:not-found")
	call(t, http.MethodPut, "/v1/users/"+boID+"/role", stack.tokens["adminA"], map[string]any{"role": "partner_admin"}).
		problem(t, 404, "urn:dealflow:problem:not-found")
	call(t, http.MethodGet, "/v1/deals", stack.tokens["partnerB"], nil).must(t, http.StatusOK)

	// A vendor admin changes a partner's tier: an event with actor and reason.
	call(t, http.MethodPatch, "/v1/partners/"+stack.partnerB, stack.tokens["admin"], map[string]any{"tier": "platinum", "reason": "QBR upgrade"}).
		must(t, http.StatusOK)
	ev := call(t, http.MethodGet, "/v1/partners/"+stack.partnerB+"/events", stack.tokens["admin"], nil).must(t, http.StatusOK).body["events"].([]any)
	if last := ev[len(ev)-1].(map[string]any); last["kind"] != "tier" || last["new"] != "platinum" || last["reason"] != "QBR upgrade" || last["actor"] != "Root Admin" {
		t.Fatalf("tier event %v", last)
	}
	call(t, http.MethodPatch, "/v1/partners/"+stack.partnerB, stack.tokens["adminA"], map[string]any{"tier": "gold", "reason": "x"}).
		must(t, http.StatusForbidden)
}
