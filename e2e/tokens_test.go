package e2e

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
)

var tokenIDOnStderr = regexp.MustCompile(`token ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})`)

// mintToken runs `dealflow token create` and returns the token (stdout,
// alone) and its id (stderr).
func mintToken(t *testing.T, args ...string) (token, id string) {
	t.Helper()
	out, stderr, err := dealflow(append([]string{"token", "create"}, args...)...)
	if err != nil || strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "dft_") {
		t.Fatalf("token create: %v\nstdout %q\nstderr %s", err, out, stderr)
	}
	m := tokenIDOnStderr.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("token create names no token id on stderr: %s", stderr)
	}
	return strings.TrimSpace(out), m[1]
}

// Finding 10g: an admin finds a token among the tokens (never their
// hashes) and revokes it over the API; the token then answers 401 and the
// console sessions opened with it are over. The CLI revokes by id or by
// the token itself and says what it revoked.
func TestTokenRevocation(t *testing.T) {
	tok, id := mintToken(t, "--role", "channel_manager", "--name", "Rex Revoked", "--email", "rex@"+uniqueDomain())
	stack.tokens["revoked"] = tok
	call(t, http.MethodGet, "/v1/inbox", tok, nil).must(t, http.StatusOK)
	console, _ := consoleClient(t, "revoked")
	get(t, console, "/console/inbox", http.StatusOK)

	call(t, http.MethodGet, "/v1/tokens", stack.tokens["manager"], nil).must(t, http.StatusForbidden)
	list := call(t, http.MethodGet, "/v1/tokens", stack.tokens["admin"], nil).must(t, http.StatusOK)
	if strings.Contains(strings.ToLower(string(list.raw)), "hash") {
		t.Fatalf("the token list shows hashes: %.300s", list.raw)
	}
	var listed map[string]any
	for _, x := range list.body["tokens"].([]any) {
		if e := x.(map[string]any); e["id"] == id {
			listed = e
		}
	}
	if listed == nil || listed["name"] != "Rex Revoked" || listed["role"] != "channel_manager" || listed["created_at"] == nil || listed["revoked_at"] != nil {
		t.Fatalf("token %s in the list: %v", id, listed)
	}

	call(t, http.MethodPost, "/v1/tokens/"+id+"/revoke", stack.tokens["manager"], nil).must(t, http.StatusForbidden)
	rev := call(t, http.MethodPost, "/v1/tokens/"+id+"/revoke", stack.tokens["admin"], nil).must(t, http.StatusOK)
	if rev.str("id") != id || rev.body["revoked_at"] == nil || rev.body["sessions_ended"] != float64(1) {
		t.Fatalf("revoke: %s", rev.raw)
	}
	call(t, http.MethodGet, "/v1/inbox", tok, nil).problem(t, http.StatusUnauthorized, "urn:dealflow:problem:unauthenticated")
	res, err := console.Get(stack.baseURL + "/console/inbox")
	if err != nil || res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/console/sign-in" {
		t.Fatalf("console after revocation: %v %v", res.StatusCode, err)
	}
	res.Body.Close()
	if n := countRows(t, "console_sessions", "token_id = $1 AND ended_at IS NULL", id); n != 0 {
		t.Fatalf("%d console sessions of the revoked token still open", n)
	}
	again := call(t, http.MethodPost, "/v1/tokens/"+id+"/revoke", stack.tokens["admin"], nil).must(t, http.StatusOK)
	if again.body["revoked_at"] != rev.body["revoked_at"] {
		t.Fatalf("revoking again moved revoked_at: %s then %s", rev.raw, again.raw)
	}
	call(t, http.MethodPost, "/v1/tokens/"+uuid.NewString()+"/revoke", stack.tokens["admin"], nil).
		problem(t, http.StatusNotFound, "urn:dealflow:problem:not-found")
	call(t, http.MethodPost, "/v1/tokens/nope/revoke", stack.tokens["admin"], nil).problem(t, http.StatusNotFound, "urn:dealflow:problem:not-found")

	// The CLI: by the token itself, then by id; it prints the id on stdout
	// and on stderr whose token it was.
	byToken, byTokenID := mintToken(t, "--role", "partner_user", "--partner", stack.partnerA, "--name", "Cli Revoked", "--email", "cli@"+uniqueDomain())
	out, stderr, err := dealflow("token", "revoke", "--token", byToken)
	if err != nil || strings.TrimSpace(out) != byTokenID || !strings.Contains(stderr, "Cli Revoked") || !strings.Contains(stderr, "partner_user") {
		t.Fatalf("token revoke --token: %v\nstdout %q\nstderr %s", err, out, stderr)
	}
	call(t, http.MethodGet, "/v1/deals", byToken, nil).must(t, http.StatusUnauthorized)
	byID, byIDID := mintToken(t, "--role", "finance", "--name", "Id Revoked", "--email", "id@"+uniqueDomain())
	if out, stderr, err := dealflow("token", "revoke", "--id", byIDID); err != nil || strings.TrimSpace(out) != byIDID {
		t.Fatalf("token revoke --id: %v\nstdout %q\nstderr %s", err, out, stderr)
	}
	call(t, http.MethodGet, "/v1/cycles", byID, nil).must(t, http.StatusUnauthorized)
	if out, _, err := dealflow("token", "list"); err != nil || !strings.Contains(out, byIDID) || strings.Contains(strings.ToLower(out), "hash") {
		t.Fatalf("token list: %v\n%s", err, out)
	}
	for _, args := range [][]string{{"token", "revoke"}, {"token", "revoke", "--id", "x"}, {"token", "revoke", "--id", byIDID, "--token", byID}} {
		if out, stderr, err := dealflow(args...); exitCode(err) != 2 || out != "" {
			t.Errorf("dealflow %v: exit %d, stdout %q, stderr %s", args, exitCode(err), out, stderr)
		}
	}
	if _, _, err := dealflow("token", "revoke", "--id", uuid.NewString()); exitCode(err) != 1 {
		t.Errorf("revoking an unknown id: exit %d", exitCode(err))
	}
}
