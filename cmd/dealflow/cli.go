package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/dealflow/dealflow/internal/config"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

// env is what every subcommand gets: configuration, a logger on stderr and
// the two output streams. Stdout carries only a command's result (an id, a
// token) so that shell substitution works; everything else goes to stderr.
type env struct {
	cfg            config.Config
	log            *slog.Logger
	stdout, stderr io.Writer
}

type command struct {
	name, summary string
	envVars       []string // the variables the command reads, for its help
	run           func(ctx context.Context, e env, args []string) error
}

var commands = []command{
	{"serve", "serve the HTTP API", apiVars, cmdServe},
	{"worker", "run the Temporal worker (workflows and activities)", workerVars, cmdWorker},
	{"migrate", "create the database if missing, apply migrations, register Temporal search attributes", workerVars, cmdMigrate},
	{"dev", "migrate, then serve the API and run the worker in one process", apiVars, cmdDev},
	{"partner", "partner create|update: add a partner organization (print its id), or change its type, tier or program with a reason", dbVars, cmdPartner},
	{"user", "user invite|list|deactivate: invite a person (print the single-use link), list an organization's users, deactivate one", dbVars, cmdUser},
	{"token", "token create|revoke|list: mint an API token (printed once; its id on stderr), revoke one (ending its console sessions), list them", dbVars, cmdToken},
	{"import", "import accounts|opportunities FILE: upsert CRM rows from CSV by external id, all or nothing", dbVars, cmdImport},
	{"seed", "seed --synthetic N: fill a benchmark database with synthetic registrations and accounts (COPY)", dbVars, cmdSeed},
	{"bench", "bench conflicts|incentives|intake|quote-approve|queries|notify|mapping|leads|pullback: measure beside the bare baseline, in the same run", workerVars, cmdBench},
	{"rollups", "rollups rebuild: recompute the dashboard rollups from the deals and their events", dbVars, cmdRollups},
	{"mapping", "mapping rebuild: recompute every account-mapping overlap (after a bulk load with dealflow.mapping_defer on)", dbVars, cmdMapping},
	{"ledger", "ledger verify|export: check the incentive ledger's hash chain and balances, or write it as CSV", dbVars, cmdLedger},
	{"openapi", "print the API's OpenAPI 3.1 description (also served at /openapi.json)", nil, cmdOpenAPI},
	{"version", "print the version", nil, cmdVersion},
}

var (
	dbVars       = []string{"DATABASE_URL", "DEALFLOW_LOG_LEVEL", "DEALFLOW_LOG_FORMAT"}
	temporalVars = []string{"TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_TLS", "TEMPORAL_TLS_CERT",
		"TEMPORAL_TLS_KEY", "TEMPORAL_TLS_CA", "TEMPORAL_TLS_SERVER_NAME", "TEMPORAL_API_KEY"}
	workerVars = append(append([]string{}, dbVars...), append(temporalVars, "DEALFLOW_PAYOUT_DIR", "DEALFLOW_METRICS_ADDR", "DEALFLOW_FREEZE_PARTS")...)
	apiVars    = append(append([]string{}, workerVars...),
		"DEALFLOW_HTTP_ADDR", "DEALFLOW_API_METRICS_ADDR", "DEALFLOW_MAX_BODY_BYTES", "DEALFLOW_REQUEST_TIMEOUT", "DEALFLOW_PAYOUT_DIR", "DEALFLOW_RATE_LIMIT", "DEALFLOW_RATE_BURST",
		"DEALFLOW_AUTH_RATE_LIMIT", "DEALFLOW_AUTH_RATE_BURST", "DEALFLOW_AUTH_FAILURE_LIMIT", "DEALFLOW_AUTH_FAILURE_WINDOW",
		"DEALFLOW_AUTH_BACKOFF", "DEALFLOW_AUTH_BACKOFF_MAX", "DEALFLOW_TRUSTED_PROXIES")
)

// errUsage marks an error the user can fix by reading the help (exit 2).
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage())
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	var cmd *command
	for i := range commands {
		if commands[i].name == args[0] {
			cmd = &commands[i]
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "dealflow: unknown command %q; run dealflow --help\n", args[0])
		return 2
	}
	rest := args[1:]
	if helpRequested(rest) {
		fmt.Fprint(stdout, commandHelp(*cmd))
		return 0
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "dealflow: %v\n", err)
		return 2
	}
	e := env{cfg: cfg, log: newLogger(cfg, stderr), stdout: stdout, stderr: stderr}
	if err := cmd.run(ctx, e, rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, commandHelp(*cmd))
			return 0
		}
		fmt.Fprintf(stderr, "dealflow %s: %v\n", cmd.name, err)
		if errors.Is(err, errUsage) {
			return 2
		}
		return 1
	}
	return 0
}

// helpRequested reports whether a command's arguments ask for its help
// (-h, -help or --help anywhere before a "--"), wherever the command's
// action and flags put it: `dealflow partner create --help`.
func helpRequested(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

func usage() string {
	var b strings.Builder
	b.WriteString("dealflow: deal registration and partner incentives on Temporal and PostgreSQL.\n\nUsage:\n  dealflow <command> [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-9s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun `dealflow <command> --help` for a command's flags.\n\n")
	b.WriteString(config.Help())
	return b.String()
}

func commandHelp(c command) string {
	var b strings.Builder
	fmt.Fprintf(&b, "dealflow %s: %s\n", c.name, c.summary)
	if fs := flagsFor(c.name); fs != nil && len(actionsWithFlags[c.name]) == 0 {
		b.WriteString("\nFlags:\n")
		fs.SetOutput(&b)
		fs.PrintDefaults()
	}
	for _, action := range actionsWithFlags[c.name] {
		fs := flagsFor(c.name + " " + action)
		fmt.Fprintf(&b, "\nFlags of `dealflow %s %s`:\n", c.name, action)
		fs.SetOutput(&b)
		fs.PrintDefaults()
	}
	if len(c.envVars) > 0 {
		b.WriteString("\n")
		b.WriteString(config.Help(c.envVars...))
	}
	return b.String()
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func cmdVersion(_ context.Context, e env, _ []string) error {
	fmt.Fprintln(e.stdout, versionString())
	return nil
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
