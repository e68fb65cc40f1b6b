package e2e

import (
	"crypto/sha256"
	"regexp"
	"strings"
	"testing"
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
