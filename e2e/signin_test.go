package e2e

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/internal/mfa"
	"github.com/google/uuid"
)

// sendForm posts a form and returns the answer with its body.
func visitorForm(t *testing.T, cl *http.Client, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	res, err := cl.PostForm(stack.baseURL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// preCSRF opens a page for visitors and returns its form's CSRF token.
func preCSRF(t *testing.T, cl *http.Client, path string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(get(t, cl, path, http.StatusOK))
	if m == nil {
		t.Fatalf("no csrf field on %s", path)
	}
	return m[1]
}

// invitedPerson invites a person into partner A with role, accepts the
// invitation with a password, and returns the e-mail and password.
func invitedPerson(t *testing.T, role string) (string, string) {
	t.Helper()
	email := "si-" + uuid.NewString()[:8] + "@northwind.example"
	link := post(t, "/v1/users/invitations", "adminA", map[string]any{"email": email, "name": "Sig Nin", "role": role}).
		must(t, http.StatusCreated).str("link")
	path := strings.TrimPrefix(link, stack.baseURL)
	cl := jarClient()
	csrf := preCSRF(t, cl, path)
	const pw = "copper-harbor-violet-71"
	if res, body := visitorForm(t, cl, "/console/invitations/accept", url.Values{"csrf": {csrf}, "token": {strings.SplitN(path, "token=", 2)[1]},
		"password": {pw}, "password2": {pw}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d %s", res.StatusCode, body)
	}
	return email, pw
}

// passwordSignIn signs in on the sign-in page and returns the answer.
func passwordSignIn(t *testing.T, cl *http.Client, email, pw string) *http.Response {
	t.Helper()
	res, _ := visitorForm(t, cl, "/console/sign-in/password", url.Values{"csrf": {preCSRF(t, cl, "/console/sign-in")},
		"email": {email}, "password": {pw}})
	return res
}

var mailedLink = regexp.MustCompile(`https?://\S+\?token=dft_[A-Za-z0-9_-]+`)

// mailedLinkTo waits for the n-th mail to address whose subject holds
// subject and returns the console path of the link in its text.
func mailedLinkTo(t *testing.T, address, subject string, n int) string {
	t.Helper()
	got := mailsTo(t, address, subject, n, 20*time.Second)
	if len(got) < n {
		t.Fatalf("%s received %d mails %q, want %d\n%s", address, len(got), subject, n, stack.devLog.String())
	}
	full, err := stack.mailpit.Message(context.Background(), got[0].ID) // newest first
	if err != nil {
		t.Fatal(err)
	}
	link := mailedLink.FindString(full.Text)
	if !strings.HasPrefix(link, stack.baseURL+"/console/") {
		t.Fatalf("no console link in the mail:\n%s", full.Text)
	}
	if strings.Contains(full.Text, "unsubscribe") {
		t.Fatalf("a personal mail carries an unsubscribe link:\n%s", full.Text)
	}
	return strings.TrimPrefix(link, stack.baseURL)
}

// A partner user who forgot the password asks for a reset on the sign-in
// page (the answer is the same for an unknown address, in the console and
// the API), opens the mailed link (Mailpit), is refused a common password,
// sets a new one: every session ends, the old password stops, the new one
// signs in, and the link is used up (a clear page; the API's confirm
// answers 422 on token).
func TestPasswordResetByMailedLink(t *testing.T) {
	email, oldPW := invitedPerson(t, "partner_user")
	signedIn := jarClient()
	if res := passwordSignIn(t, signedIn, email, oldPW); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in before the reset: %d", res.StatusCode)
	}
	get(t, signedIn, "/console/deals", http.StatusOK)

	cl := jarClient()
	answer := func(address string) (int, string) {
		res, body := visitorForm(t, cl, "/console/password-reset", url.Values{"csrf": {preCSRF(t, cl, "/console/password-reset")}, "email": {address}})
		i := strings.Index(body, `id="link-sent"`)
		if i < 0 {
			t.Fatalf("no confirmation for %s: %d %s", address, res.StatusCode, body)
		}
		return res.StatusCode, strings.ReplaceAll(body[i:], address, "ADDRESS")
	}
	unknown := "nobody-" + uuid.NewString()[:8] + "@northwind.example"
	s1, known := answer(email)
	s2, other := answer(unknown)
	if s1 != http.StatusOK || s1 != s2 || known != other {
		t.Fatalf("the answers differ for a known and an unknown address: %d %d\n%s\n%s", s1, s2, known, other)
	}
	a1 := call(t, http.MethodPost, "/v1/password-resets", "", map[string]any{"email": unknown}).must(t, http.StatusAccepted)
	if string(a1.raw) != string(call(t, http.MethodPost, "/v1/password-resets", "", map[string]any{"email": strings.ToUpper(email)}).must(t, http.StatusAccepted).raw) {
		t.Fatal("the API answers a known and an unknown address differently")
	}
	call(t, http.MethodPost, "/v1/password-resets", "", map[string]any{"email": "not an address"}).problem(t, 422, "urn:dealflow:problem:validation")
	if got := mailsTo(t, unknown, "", 1, time.Second); len(got) != 0 {
		t.Fatalf("an unknown address got mail: %v", got)
	}

	path := mailedLinkTo(t, email, "Reset your dealflow password", 2)
	if !strings.HasPrefix(path, "/console/password-reset/confirm?token=") {
		t.Fatalf("reset link %q", path)
	}
	tok := strings.SplitN(path, "token=", 2)[1]
	csrf := preCSRF(t, cl, path)
	if res, _ := visitorForm(t, cl, "/console/password-reset/confirm", url.Values{"csrf": {csrf}, "token": {tok},
		"password": {"password1234"}, "password2": {"password1234"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a common password: %d", res.StatusCode)
	}
	const newPW = "saffron-glacier-tundra-38"
	res, _ := visitorForm(t, cl, "/console/password-reset/confirm", url.Values{"csrf": {preCSRF(t, cl, path)}, "token": {tok},
		"password": {newPW}, "password2": {newPW}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/console/sign-in?done=") {
		t.Fatalf("reset: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := signedIn.Get(stack.baseURL + "/console/deals"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a session from before the reset still opens pages: %d", res.StatusCode)
	}
	if res := passwordSignIn(t, jarClient(), email, oldPW); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the old password: %d", res.StatusCode)
	}
	if res := passwordSignIn(t, jarClient(), email, newPW); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the new password: %d", res.StatusCode)
	}
	if page := get(t, jarClient(), path, http.StatusGone); !strings.Contains(page, "already been used") {
		t.Fatalf("the used link's page:\n%s", page)
	}
	call(t, http.MethodPost, "/v1/password-resets/confirm", "", map[string]any{"token": tok, "password": newPW + "x"}).problem(t, 422, "urn:dealflow:problem:validation")
	if page := get(t, jarClient(), "/console/password-reset/confirm?token=dft_nothing", http.StatusGone); !strings.Contains(page, "not valid") {
		t.Fatalf("an unknown link's page:\n%s", page)
	}
}

// A one-time sign-in link: asked for by e-mail, mailed (Mailpit), opened
// (a button: opening alone uses nothing), it signs in to the same kind of
// session as a password; a second use gets a clear page.
func TestSignInByMailedLink(t *testing.T) {
	email, _ := invitedPerson(t, "partner_user")
	cl := jarClient()
	if res, body := visitorForm(t, cl, "/console/sign-in-link", url.Values{"csrf": {preCSRF(t, cl, "/console/sign-in-link")}, "email": {email}}); res.StatusCode != http.StatusOK ||
		!strings.Contains(body, `id="link-sent"`) {
		t.Fatalf("request: %d %s", res.StatusCode, body)
	}
	path := mailedLinkTo(t, email, "Sign in to dealflow", 1)
	if !strings.HasPrefix(path, "/console/sign-in-link/open?token=") {
		t.Fatalf("sign-in link %q", path)
	}
	tok := strings.SplitN(path, "token=", 2)[1]
	get(t, jarClient(), path, http.StatusOK) // a mail scanner's visit
	res, _ := visitorForm(t, cl, "/console/sign-in-link/open", url.Values{"csrf": {preCSRF(t, cl, path)}, "token": {tok}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/console/deals" {
		t.Fatalf("open: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	get(t, cl, "/console/deals", http.StatusOK)
	again := jarClient()
	if page := get(t, again, path, http.StatusGone); !strings.Contains(page, "already been used") {
		t.Fatalf("second visit:\n%s", page)
	}
	// Forged form on a used link: refused too.
	csrf := preCSRF(t, again, "/console/sign-in")
	if res, _ := visitorForm(t, again, "/console/sign-in-link/open", url.Values{"csrf": {csrf}, "token": {tok}}); res.StatusCode != http.StatusGone {
		t.Fatalf("second use: %d", res.StatusCode)
	}
}

var (
	secretOnPage   = regexp.MustCompile(`id="totp-secret">([A-Z2-7]+)<`)
	recoveryOnPage = regexp.MustCompile(`<code>([A-Z2-7]{5}-[A-Z2-7]{5})</code>`)
)

// nextCode is a TOTP code of secret for a step after every step used so
// far (the current one when none was), waiting for it when it is ahead of
// the clock by more than the one step of skew allowed.
func nextCode(t *testing.T, secret string, used *int64) string {
	t.Helper()
	step := max(mfa.Step(time.Now()), *used+1)
	for step > mfa.Step(time.Now())+1 {
		time.Sleep(time.Second)
	}
	*used = step
	code, err := mfa.Code(secret, step)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// A partner admin turns on TOTP in the console (secret shown, confirmed
// with a code, recovery codes shown once); the password sign-in then asks
// for a code: the code used already is refused (replay), the next one
// signs in; a recovery code signs in once; the e-mailed link asks for the
// code too; turning TOTP off needs a code.
func TestTOTPEnrolSignInReplayAndRecovery(t *testing.T) {
	email, pw := invitedPerson(t, "partner_admin")
	cl := jarClient()
	if res := passwordSignIn(t, cl, email, pw); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", res.StatusCode)
	}
	page := get(t, cl, "/console/security", http.StatusOK)
	csrf := csrfField.FindStringSubmatch(page)[1]
	res, page := visitorForm(t, cl, "/console/security/totp", url.Values{"csrf": {csrf}})
	m := secretOnPage.FindStringSubmatch(page)
	if res.StatusCode != http.StatusOK || m == nil || !strings.Contains(page, "otpauth://totp/") {
		t.Fatalf("enrol: %d\n%s", res.StatusCode, page)
	}
	secret := m[1]
	if res, _ := visitorForm(t, cl, "/console/security/totp/confirm", url.Values{"csrf": {csrf}, "code": {"000000"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("confirm with a wrong code: %d", res.StatusCode)
	}
	// The wrong code left the enrolment pending: start again.
	_, page = visitorForm(t, cl, "/console/security/totp", url.Values{"csrf": {csrf}})
	secret = secretOnPage.FindStringSubmatch(page)[1]
	var used int64
	confirmed := nextCode(t, secret, &used)
	res, page = visitorForm(t, cl, "/console/security/totp/confirm", url.Values{"csrf": {csrf}, "code": {confirmed}})
	codes := recoveryOnPage.FindAllStringSubmatch(page, -1)
	if res.StatusCode != http.StatusOK || len(codes) != mfa.RecoveryCodeCount {
		t.Fatalf("confirm: %d, %d recovery codes\n%s", res.StatusCode, len(codes), page)
	}

	// The password now leads to the code.
	challenge := func() *http.Client {
		c := jarClient()
		res := passwordSignIn(t, c, email, pw)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/console/sign-in/totp" {
			t.Fatalf("password with TOTP on: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if r, _ := c.Get(stack.baseURL + "/console/deals"); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("a pending second factor opened a page: %d", r.StatusCode)
		}
		return c
	}
	answer := func(c *http.Client, code string) *http.Response {
		res, _ := visitorForm(t, c, "/console/sign-in/totp", url.Values{"csrf": {preCSRF(t, c, "/console/sign-in/totp")}, "code": {code}})
		return res
	}
	c1 := challenge()
	if res := answer(c1, confirmed); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the confirmation's code again (replay): %d", res.StatusCode)
	}
	fresh := nextCode(t, secret, &used)
	if res := answer(c1, fresh); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/console/deals" {
		t.Fatalf("a fresh code: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	get(t, c1, "/console/deals", http.StatusOK)
	if res := answer(challenge(), fresh); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a used code in another sign-in (replay): %d", res.StatusCode)
	}
	c2 := challenge()
	if res := answer(c2, strings.ToLower(codes[0][1])); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a recovery code: %d", res.StatusCode)
	}
	if res := answer(challenge(), codes[0][1]); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a recovery code twice: %d", res.StatusCode)
	}

	// The e-mailed link is a first factor too.
	lc := jarClient()
	visitorForm(t, lc, "/console/sign-in-link", url.Values{"csrf": {preCSRF(t, lc, "/console/sign-in-link")}, "email": {email}})
	path := mailedLinkTo(t, email, "Sign in to dealflow", 1)
	res, _ = visitorForm(t, lc, "/console/sign-in-link/open", url.Values{"csrf": {preCSRF(t, lc, path)}, "token": {strings.SplitN(path, "token=", 2)[1]}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/console/sign-in/totp" {
		t.Fatalf("link with TOTP on: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res := answer(lc, codes[1][1]); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the link's second factor: %d", res.StatusCode)
	}

	// Off, with a code.
	page = get(t, c1, "/console/security", http.StatusOK)
	csrf = csrfField.FindStringSubmatch(page)[1]
	if res, _ := visitorForm(t, c1, "/console/security/totp/disable", url.Values{"csrf": {csrf}, "code": {"111111"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("disable with a wrong code: %d", res.StatusCode)
	}
	if res, _ := visitorForm(t, c1, "/console/security/totp/disable", url.Values{"csrf": {csrf}, "code": {nextCode(t, secret, &used)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", res.StatusCode)
	}
	if res := passwordSignIn(t, jarClient(), email, pw); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/console/deals" {
		t.Fatalf("password after TOTP off: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}

// The API's TOTP steps for a person's token: status, enrol, confirm
// (recovery codes once), disable with a code; a channel manager may not
// enrol (403 from the route table).
func TestTOTPThroughTheAPI(t *testing.T) {
	personToken(t, "totpFinance", "--role", "finance", "--email", "tot."+tag()+"@vendor.example", "--name", "Tot Finance")
	tok := stack.tokens["totpFinance"]
	if st := call(t, http.MethodGet, "/v1/me/totp", tok, nil).must(t, http.StatusOK); st.body["enabled"] != false || st.body["may_enrol"] != true {
		t.Fatalf("status %s", st.raw)
	}
	e := call(t, http.MethodPost, "/v1/me/totp", tok, nil).must(t, http.StatusCreated)
	secret := e.str("secret")
	if secret == "" || !strings.HasPrefix(e.str("uri"), "otpauth://totp/dealflow:") {
		t.Fatalf("enrolment %s", e.raw)
	}
	call(t, http.MethodPost, "/v1/me/totp/confirm", tok, map[string]any{"code": "000000"}).problem(t, 422, "urn:dealflow:problem:validation")
	call(t, http.MethodPost, "/v1/me/totp/disable", tok, map[string]any{"code": "000000"}).problem(t, 409, "urn:dealflow:problem:invalid-transition")
	var used int64
	c := call(t, http.MethodPost, "/v1/me/totp/confirm", tok, map[string]any{"code": nextCode(t, secret, &used)}).must(t, http.StatusOK)
	if codes, _ := c.body["recovery_codes"].([]any); len(codes) != mfa.RecoveryCodeCount {
		t.Fatalf("confirm %s", c.raw)
	}
	call(t, http.MethodPost, "/v1/me/totp", tok, nil).problem(t, 409, "urn:dealflow:problem:invalid-transition")
	off := call(t, http.MethodPost, "/v1/me/totp/disable", tok, map[string]any{"code": nextCode(t, secret, &used)}).must(t, http.StatusOK)
	if off.body["enabled"] != false {
		t.Fatalf("after disable %s", off.raw)
	}
	call(t, http.MethodPost, "/v1/me/totp", stack.tokens["manager"], nil).must(t, http.StatusForbidden)
}

// Issue 17's reliability bullet: deactivating a user stops, at the very
// next request, its API token, a console session opened with that token,
// and one opened with its password.
func TestDeactivationStopsTokensAndSessionsAtOnce(t *testing.T) {
	email, pw := invitedPerson(t, "partner_user")
	personToken(t, "deactivated", "--role", "partner_user", "--partner", stack.partnerA, "--email", email)
	tok := stack.tokens["deactivated"]
	call(t, http.MethodGet, "/v1/deals", tok, nil).must(t, http.StatusOK)
	tokenSession, _ := consoleClient(t, "deactivated")
	pwSession := jarClient()
	if res := passwordSignIn(t, pwSession, email, pw); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("password sign-in: %d", res.StatusCode)
	}
	get(t, pwSession, "/console/deals", http.StatusOK)
	get(t, tokenSession, "/console/deals", http.StatusOK)

	post(t, "/v1/users/"+userID(t, "adminA", email)+"/deactivate", "adminA", nil).must(t, http.StatusOK)
	call(t, http.MethodGet, "/v1/deals", tok, nil).problem(t, http.StatusUnauthorized, "urn:dealflow:problem:unauthenticated")
	for name, cl := range map[string]*http.Client{"token session": tokenSession, "password session": pwSession} {
		if res, _ := cl.Get(stack.baseURL + "/console/deals"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/console/sign-in" {
			t.Fatalf("%s after deactivation: %d %s", name, res.StatusCode, res.Header.Get("Location"))
		}
	}
	if res := passwordSignIn(t, jarClient(), email, pw); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("password sign-in after deactivation: %d", res.StatusCode)
	}
}
