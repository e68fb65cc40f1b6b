// Package e2e drives the real dealflow binary over HTTP against a Temporal
// dev server and a PostgreSQL database that the harness starts itself. When
// a service cannot start, every test here fails; none is skipped.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/internal/testenv"
	"github.com/jackc/pgx/v5/pgxpool"
)

// stack is what TestMain started, shared by the tests.
var stack struct {
	bin      string // the dealflow binary under test
	env      []string
	baseURL  string
	temporal string        // the dev server's address
	pool     *pgxpool.Pool // direct access, to prove what was (not) written
	partnerA string
	partnerB string
	tokens   map[string]string // role/holder → token
	// payoutDir is where the worker writes payout files.
	payoutDir string
	// devLog collects everything `dealflow dev` logs (at debug level).
	devLog syncBuffer
	// metricsURL is where `dealflow dev` serves /metrics, apart from the API.
	metricsURL string
	// mailpit receives the notification e-mails `dealflow dev` delivers.
	mailpit *testenv.Mailpit
	// oidc is the identity provider vendor staff sign in through.
	oidc *testenv.OIDCProvider
}

// syncBuffer is a bytes.Buffer the dev process writes while tests read.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestMain(m *testing.M) {
	code, err := setUp()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: cannot start the services the tests need:", err)
		os.Exit(1)
	}
	os.Exit(code(m))
}

// setUp builds the binary, starts Temporal, migrates a new database through
// `dealflow migrate`, creates partners and tokens through the CLI, and runs
// `dealflow dev`. It returns the function that runs the tests and tears down.
func setUp() (func(*testing.M) int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	root, err := testenv.RepoRoot()
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "dealflow-e2e-")
	if err != nil {
		return nil, err
	}
	stack.bin = filepath.Join(tmp, "dealflow")
	build := exec.CommandContext(ctx, "go", "build", "-o", stack.bin, "./cmd/dealflow")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build: %v\n%s", err, out)
	}
	temporal, err := testenv.StartTemporal(ctx)
	if err != nil {
		return nil, err
	}
	dbURL, err := testenv.NewDatabaseURL("e2e")
	if err != nil {
		temporal.Stop()
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		temporal.Stop()
		return nil, err
	}
	stack.baseURL = "http://" + addr
	metricsAddr, err := freeAddr()
	if err != nil {
		temporal.Stop()
		return nil, err
	}
	stack.metricsURL = "http://" + metricsAddr
	stack.temporal = temporal.Address
	if stack.mailpit, err = testenv.StartMailpit(ctx); err != nil {
		temporal.Stop()
		return nil, err
	}
	if stack.oidc, err = testenv.StartOIDCProvider(ctx, stack.baseURL+"/console/sign-in/oidc/callback"); err != nil {
		temporal.Stop()
		stack.mailpit.Stop()
		return nil, err
	}
	stack.env = append(os.Environ(), "DATABASE_URL="+dbURL, "TEMPORAL_ADDRESS="+temporal.Address,
		"TEMPORAL_NAMESPACE=default", "DEALFLOW_HTTP_ADDR="+addr, "DEALFLOW_API_METRICS_ADDR="+metricsAddr, "DEALFLOW_LOG_LEVEL=debug",
		"DEALFLOW_PAYOUT_DIR="+filepath.Join(tmp, "payouts"), "DEALFLOW_RATE_LIMIT=2000", "DEALFLOW_RATE_BURST=4000",
		"DEALFLOW_SMTP_ADDR="+stack.mailpit.SMTPAddr, "DEALFLOW_MAIL_FROM=dealflow <noreply@vendor.example>",
		"DEALFLOW_CONSOLE_URL="+stack.baseURL, "DEALFLOW_NOTIFY_SECRET=e2e-unsubscribe-secret",
		"DEALFLOW_TOTP_KEY=e2e-totp-key-0123456789",
		"DEALFLOW_OIDC_ISSUER="+stack.oidc.Issuer, "DEALFLOW_OIDC_CLIENT_ID="+stack.oidc.ClientID,
		"DEALFLOW_OIDC_CLIENT_SECRET="+stack.oidc.ClientSecret, "DEALFLOW_OIDC_NAME=Vendor SSO")
	stack.payoutDir = filepath.Join(tmp, "payouts")
	teardown := func() {
		temporal.Stop()
		stack.mailpit.Stop()
		stack.oidc.Stop()
		if stack.pool != nil {
			stack.pool.Close()
		}
		_ = db.DropDatabase(context.Background(), dbURL)
		os.RemoveAll(tmp)
	}
	fail := func(err error) (func(*testing.M) int, error) { teardown(); return nil, err }

	if _, stderr, err := dealflow("migrate"); err != nil {
		return fail(fmt.Errorf("dealflow migrate: %v\n%s", err, stderr))
	}
	if stack.pool, err = db.Connect(ctx, dbURL); err != nil {
		return fail(err)
	}
	if stack.partnerA, err = cliLine("partner", "create", "--name", "Northwind Resellers", "--type", "reseller", "--tier", "Gold"); err != nil {
		return fail(err)
	}
	if stack.partnerB, err = cliLine("partner", "create", "--name", "Contoso MSP", "--type", "msp", "--tier", "silver"); err != nil {
		return fail(err)
	}
	stack.tokens = map[string]string{}
	for key, args := range map[string][]string{
		// Each holder is a person of its own (its own e-mail): the tests
		// that need two approvers use two people.
		"partnerA":  {"--role", "partner_user", "--partner", stack.partnerA, "--name", "Pat Partner", "--email", "pat@northwind.example"},
		"adminA":    {"--role", "partner_admin", "--partner", stack.partnerA, "--name", "Ada Admin", "--email", "ada@northwind.example"},
		"partnerB":  {"--role", "partner_user", "--partner", stack.partnerB, "--name", "Bo Other", "--email", "bo@contoso.example"},
		"manager":   {"--role", "channel_manager", "--name", "Morgan Manager", "--email", "morgan@vendor.example"},
		"finance":   {"--role", "finance", "--name", "Fin Ance", "--email", "fin@vendor.example"},
		"finance2":  {"--role", "finance", "--name", "Fay Finance", "--email", "fay@vendor.example"},
		"admin":     {"--role", "admin", "--name", "Root Admin", "--email", "root@vendor.example"},
		"managerB2": {"--role", "channel_manager", "--name", "Mia Manager", "--email", "mia@vendor.example"},
		"seller":    {"--role", "sales_rep", "--name", "Sam Seller", "--email", "sam@vendor.example"},
		"seller2":   {"--role", "sales_rep", "--name", "Sue Seller", "--email", "sue@vendor.example"},
	} {
		if stack.tokens[key], err = cliLine(append([]string{"token", "create"}, args...)...); err != nil {
			return fail(err)
		}
	}

	devLog := &stack.devLog
	dev := exec.Command(stack.bin, "dev")
	dev.Env = stack.env
	dev.Stdout, dev.Stderr = devLog, devLog
	dev.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := dev.Start(); err != nil {
		return fail(err)
	}
	stopDev := func() {
		_ = dev.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = dev.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = dev.Process.Kill()
		}
	}
	if err := waitReady(ctx, stack.baseURL+"/readyz"); err != nil {
		stopDev()
		return fail(fmt.Errorf("dealflow dev never became ready: %v\n%s", err, devLog.String()))
	}
	return func(m *testing.M) int {
		code := m.Run()
		stopDev()
		if code != 0 {
			fmt.Fprintf(os.Stderr, "--- dealflow dev log ---\n%s\n--- temporal log ---\n%s\n", devLog.String(), temporal.Log())
		}
		teardown()
		return code
	}, nil
}

// dealflow runs the binary with the stack's environment.
func dealflow(args ...string) (stdout, stderr string, err error) {
	var out, errb bytes.Buffer
	cmd := exec.Command(stack.bin, args...)
	cmd.Env = stack.env
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// cliLine runs a command that must print exactly one line on stdout.
func cliLine(args ...string) (string, error) {
	out, stderr, err := dealflow(args...)
	if err != nil {
		return "", fmt.Errorf("dealflow %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
		return "", fmt.Errorf("dealflow %s printed %q on stdout; want one line", strings.Join(args, " "), out)
	}
	return strings.TrimSuffix(out, "\n"), nil
}

func waitReady(ctx context.Context, url string) error {
	var last error
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		last = err
		select {
		case <-ctx.Done():
			return last
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
