package e2e

import (
	"crypto/sha256"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// The CLI's output contract: ids and tokens alone on stdout (so shell
// substitution works), usage errors on stderr with exit status 2.
func TestCLIContract(t *testing.T) {
	uuidRe := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	if !uuidRe.MatchString(stack.partnerA) {
		t.Fatalf("partner create printed %q", stack.partnerA)
	}
	for k, tok := range stack.tokens {
		if !strings.HasPrefix(tok, "dft_") || len(tok) < 40 {
			t.Fatalf("token %s = %q", k, tok)
		}
	}
	for _, args := range [][]string{
		{"token", "create", "--role", "partner_user"},
		{"token", "create", "--role", "finance", "--partner", stack.partnerA},
		{"token", "create", "--role", "wizard"},
		{"partner", "create", "--name", "X", "--type", "pirate"},
		{"partner", "create", "--type", "reseller"},
		{"partner", "delete"},
		{"frobnicate"},
	} {
		out, stderr, err := dealflow(args...)
		if err == nil || out != "" || stderr == "" {
			t.Errorf("dealflow %v: err=%v stdout=%q stderr=%q; want failure on stderr only", args, err, out, stderr)
		}
		if code := exitCode(err); code != 2 {
			t.Errorf("dealflow %v: exit %d, want 2", args, code)
		}
	}
	// A partner id that does not exist is refused without a token.
	out, _, err := dealflow("token", "create", "--role", "partner_user", "--partner", "00000000-0000-4000-8000-000000000000",
		"--email", "nobody@nowhere.example")
	if err == nil || out != "" {
		t.Fatalf("token for a missing partner: err=%v out=%q", err, out)
	}
	// Tokens are stored only as their SHA-256 hash.
	for k, tok := range stack.tokens {
		var clear, hashed int
		sum := sha256.Sum256([]byte(tok))
		if err := stack.pool.QueryRow(t.Context(), "SELECT count(*) FILTER (WHERE token_hash = $1), count(*) FILTER (WHERE token_hash = $2) FROM api_tokens",
			[]byte(tok), sum[:]).Scan(&clear, &hashed); err != nil {
			t.Fatal(err)
		}
		if clear != 0 || hashed != 1 {
			t.Fatalf("token %s: %d stored in clear, %d by hash", k, clear, hashed)
		}
	}
	help, _, err := dealflow("--help")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"DATABASE_URL", "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_API_KEY", "DEALFLOW_HTTP_ADDR", "serve", "worker", "migrate", "dev", "partner", "token", "version"} {
		if !strings.Contains(help, v) {
			t.Errorf("--help does not mention %s", v)
		}
	}
	serveHelp, _, _ := dealflow("serve", "--help")
	if !strings.Contains(serveHelp, "DEALFLOW_HTTP_ADDR") || !strings.Contains(serveHelp, "TEMPORAL_ADDRESS") {
		t.Errorf("serve --help: %s", serveHelp)
	}
	if v, err := cliLine("version"); err != nil || v == "" {
		t.Fatalf("version: %q %v", v, err)
	}
	// migrate is idempotent: running it again on a current database and
	// namespace succeeds.
	if _, stderr, err := dealflow("migrate"); err != nil {
		t.Fatalf("second migrate: %v\n%s", err, stderr)
	}
}

func exitCode(err error) int {
	if e, ok := err.(interface{ ExitCode() int }); ok {
		return e.ExitCode()
	}
	return -1
}

// dealflow user invite|list|deactivate and partner update run the API's
// database functions: the invitation link works once in the console, the
// list shows the user, deactivation makes its token answer 401, and a tier
// change is a partner event with the CLI as actor and the reason.
func TestCLIUsersAndPartnerUpdate(t *testing.T) {
	partner, err := cliLine("partner", "create", "--name", "CLI Partner "+uuid.NewString()[:8], "--type", "reseller", "--tier", "gold")
	if err != nil {
		t.Fatal(err)
	}
	email := "cli-" + uuid.NewString()[:8] + "@cli.example"
	link, err := cliLine("user", "invite", "--email", email, "--name", "Cleo Cli", "--role", "partner_admin", "--partner", partner)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, stack.baseURL+"/console/invitations/accept?token=") {
		t.Fatalf("invite printed %q", link)
	}
	var invitations, outbox int
	if err := stack.pool.QueryRow(t.Context(), `SELECT (SELECT count(*) FROM invitations WHERE email = $1 AND partner_id = $2 AND role = 'partner_admin'),
		(SELECT count(*) FROM notifications WHERE audience = 'email:' || $1)`, email, partner).Scan(&invitations, &outbox); err != nil {
		t.Fatal(err)
	}
	if invitations != 1 || outbox != 1 {
		t.Fatalf("%d invitations, %d outbox rows; want 1 and 1", invitations, outbox)
	}
	path := strings.TrimPrefix(link, stack.baseURL)
	cl := jarClient()
	m := csrfField.FindStringSubmatch(get(t, cl, path, http.StatusOK))
	const pw = "marmalade-kettle-comet-77"
	if res := acctForm(t, cl, "/console/invitations/accept", url.Values{"csrf": {m[1]}, "token": {strings.SplitN(path, "token=", 2)[1]},
		"password": {pw}, "password2": {pw}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept the CLI's link: %d", res.StatusCode)
	}

	list, stderr, err := dealflow("user", "list", "--partner", partner)
	if err != nil {
		t.Fatalf("user list: %v\n%s", err, stderr)
	}
	var id string
	for _, line := range strings.Split(list, "\n") {
		if strings.Contains(line, email) && strings.Contains(line, "partner_admin") && strings.Contains(line, partner) {
			id = strings.Fields(line)[0]
		}
	}
	if id == "" || !strings.HasPrefix(list, "ID ") {
		t.Fatalf("user list --partner does not show %s:\n%s", email, list)
	}
	tok, err := cliLine("token", "create", "--role", "partner_admin", "--partner", partner, "--email", email)
	if err != nil {
		t.Fatal(err)
	}
	call(t, http.MethodGet, "/v1/users", tok, nil).must(t, http.StatusOK)
	if out, err := cliLine("user", "deactivate", "--id", id); err != nil || out != id {
		t.Fatalf("user deactivate: %q %v", out, err)
	}
	call(t, http.MethodGet, "/v1/users", tok, nil).must(t, http.StatusUnauthorized)
	list, _, _ = dealflow("user", "list", "--partner", partner)
	for _, line := range strings.Split(list, "\n") {
		if strings.HasPrefix(line, id) && strings.HasSuffix(strings.TrimSpace(line), " -") {
			t.Fatalf("user list after deactivate shows no deactivation:\n%s", list)
		}
	}

	if out, err := cliLine("partner", "update", "--id", partner, "--tier", "Platinum", "--reason", "met the 2026 revenue bar"); err != nil || out != partner {
		t.Fatalf("partner update: %q %v", out, err)
	}
	found := false
	for _, ev := range call(t, http.MethodGet, "/v1/partners/"+partner+"/events", stack.tokens["admin"], nil).must(t, http.StatusOK).body["events"].([]any) {
		ev := ev.(map[string]any)
		if ev["kind"] == "tier" && ev["old"] == "gold" && ev["new"] == "platinum" && ev["actor"] == "dealflow CLI" && ev["reason"] == "met the 2026 revenue bar" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no tier event gold→platinum by the CLI with the reason")
	}

	for _, args := range [][]string{
		{"user"},
		{"user", "invite", "--name", "N", "--role", "admin"},
		{"user", "invite", "--email", "a@b.example", "--name", "N", "--role", "wizard"},
		{"user", "invite", "--email", "a@b.example", "--name", "N", "--role", "partner_user"},
		{"user", "invite", "--email", "a@b.example", "--name", "N", "--role", "admin", "--partner", partner},
		{"user", "invite", "--email", "a@b.example", "--name", "N", "--role", "partner_user", "--partner", "nope"},
		{"user", "list", "--partner", "nope"},
		{"user", "deactivate"},
		{"user", "deactivate", "--id", "12"},
		{"partner", "update", "--id", partner, "--reason", "nothing"},
		{"partner", "update", "--id", partner, "--tier", "gold"},
		{"partner", "update", "--id", "nope", "--tier", "gold", "--reason", "r"},
		{"partner", "update", "--id", partner, "--type", "pirate", "--reason", "r"},
		{"partner", "update", "--tier", "gold", "--reason", "r"},
	} {
		out, stderr, err := dealflow(args...)
		if code := exitCode(err); code != 2 || out != "" || !strings.Contains(stderr, "usage: ") {
			t.Errorf("dealflow %v: exit %d stdout=%q stderr=%q; want exit 2, a message on stderr only", args, code, out, stderr)
		}
	}
}
