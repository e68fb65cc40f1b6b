// Package config reads dealflow's settings from environment variables, each
// with a documented default, so one binary runs unchanged in dev, CI and
// production.
package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config is every setting dealflow reads.
type Config struct {
	DatabaseURL       string
	TemporalAddress   string
	TemporalNamespace string
	TemporalTLS       bool
	TemporalTLSCert   string
	TemporalTLSKey    string
	TemporalTLSCA     string
	TemporalTLSServer string
	TemporalAPIKey    string
	HTTPAddr          string
	MaxBodyBytes      int64
	RequestTimeout    time.Duration
	LogLevel          string
	LogFormat         string
	// PayoutDir is where the worker writes payout files for accounts payable.
	PayoutDir string
	// RateLimit is requests per second per API token; RateBurst how many at once.
	RateLimit float64
	RateBurst int
	// AuthRateLimit is requests per second per client address ahead of any
	// token lookup (API routes that need a token, the console's sign-in);
	// AuthRateBurst how many at once.
	AuthRateLimit float64
	AuthRateBurst int
	// AuthFailureLimit failed authentications from one client address
	// within AuthFailureWindow lock the address out for AuthBackoff, doubled
	// with each further failure after a lockout, up to AuthBackoffMax; an
	// address quiet for AuthBackoffMax after its lockout starts afresh.
	AuthFailureLimit  int
	AuthFailureWindow time.Duration
	AuthBackoff       time.Duration
	AuthBackoffMax    time.Duration
	// TrustedProxies lists (comma-separated) the IP addresses or CIDR ranges
	// of reverse proxies whose X-Forwarded-For names the client; empty: none,
	// the connection's peer is the client.
	TrustedProxies string
	// MetricsAddr is where `dealflow worker` serves /metrics ("" = nowhere).
	MetricsAddr string
	// APIMetricsAddr is where `dealflow serve` and `dealflow dev` serve
	// /metrics, apart from the API's address ("" = nowhere).
	APIMetricsAddr string
	// FreezeParts is how many connections an incentive cycle's freeze
	// reads the deals table on in parallel.
	FreezeParts int
	// SMTPAddr is the host:port of the SMTP server notifications are
	// e-mailed through ("" = e-mail delivery off; the outbox is kept).
	SMTPAddr string
	// MailFrom is the From address of every notification e-mail.
	MailFrom string
	// ConsoleURL is the console's public base URL, for links in e-mails.
	ConsoleURL string
	// NotifySecret signs unsubscribe links ("" = no unsubscribe links, and
	// the unsubscribe route refuses every token).
	NotifySecret string
	// TOTPKey encrypts people's TOTP secrets at rest ("" = TOTP second
	// factors cannot be enrolled or checked).
	TOTPKey string
	// OIDCIssuer is the OpenID Connect provider vendor staff sign in
	// through ("" = no OIDC sign-in); OIDCClientID and OIDCClientSecret the
	// console's client there; OIDCRedirectURL its callback (default: the
	// console URL's /console/sign-in/oidc/callback); OIDCName how the
	// sign-in page names the provider; OIDCGroups maps provider groups to
	// the vendor roles they grant (group=role pairs, comma-separated; read
	// them with OIDCGroupRoles).
	OIDCIssuer, OIDCClientID, OIDCClientSecret, OIDCRedirectURL, OIDCName, OIDCGroups string
	// DigestHour and DigestTimeZone say when the daily digest is sent: at
	// that local hour, the day being the zone's date.
	DigestHour     int
	DigestTimeZone string
}

// OIDCRoles are the roles a provider group may grant: vendor staff's.
var OIDCRoles = []string{"admin", "channel_manager", "finance", "sales_rep"}

// Var documents one environment variable.
type Var struct {
	Name, Default, Help string
}

// Vars lists every environment variable dealflow reads, in help order.
var Vars = []Var{
	{"DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dealflow?sslmode=disable", "PostgreSQL connection URL; the database is created if missing"},
	{"TEMPORAL_ADDRESS", "127.0.0.1:7233", "Temporal frontend host:port"},
	{"TEMPORAL_NAMESPACE", "default", "Temporal namespace"},
	{"TEMPORAL_TLS", "false", "use TLS with the system's roots (implied by the other TLS settings and by TEMPORAL_API_KEY)"},
	{"TEMPORAL_TLS_CERT", "", "client certificate file (PEM) for mTLS"},
	{"TEMPORAL_TLS_KEY", "", "client private key file (PEM) for mTLS"},
	{"TEMPORAL_TLS_CA", "", "CA bundle file (PEM) that signed the server's certificate"},
	{"TEMPORAL_TLS_SERVER_NAME", "", "server name to verify, when it differs from the address"},
	{"TEMPORAL_API_KEY", "", "API key (e.g. Temporal Cloud); sent as a bearer token over TLS"},
	{"DEALFLOW_HTTP_ADDR", "127.0.0.1:8080", "address the API listens on"},
	{"DEALFLOW_MAX_BODY_BYTES", "1048576", "largest request body accepted (larger: 413)"},
	{"DEALFLOW_REQUEST_TIMEOUT", "30s", "how long the API waits for a workflow to answer"},
	{"DEALFLOW_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"DEALFLOW_LOG_FORMAT", "text", "text or json"},
	{"DEALFLOW_PAYOUT_DIR", ".data/payouts", "directory the worker writes accounts-payable payout files (CSV) to"},
	{"DEALFLOW_RATE_LIMIT", "50", "API requests per second per token, per API replica (more: 429 with Retry-After)"},
	{"DEALFLOW_RATE_BURST", "100", "API requests a token may send at once before the rate applies"},
	{"DEALFLOW_AUTH_RATE_LIMIT", "500", "requests per second per client address before the token is looked up (API and console sign-in), per API replica (more: 429 with Retry-After)"},
	{"DEALFLOW_AUTH_RATE_BURST", "1000", "requests a client address may send at once before DEALFLOW_AUTH_RATE_LIMIT applies"},
	{"DEALFLOW_AUTH_FAILURE_LIMIT", "20", "failed authentications (unknown or revoked tokens, failed console sign-ins) from one client address within DEALFLOW_AUTH_FAILURE_WINDOW that lock the address out"},
	{"DEALFLOW_AUTH_FAILURE_WINDOW", "1m", "the window DEALFLOW_AUTH_FAILURE_LIMIT counts failures in"},
	{"DEALFLOW_AUTH_BACKOFF", "30s", "first lockout of a client address (429 with Retry-After); each further failure after a lockout doubles it"},
	{"DEALFLOW_AUTH_BACKOFF_MAX", "15m", "longest lockout; an address quiet that long after its lockout starts afresh"},
	{"DEALFLOW_TRUSTED_PROXIES", "", "comma-separated IPs or CIDR ranges of reverse proxies whose X-Forwarded-For names the client (unset: none; the connection's address is the client)"},
	{"DEALFLOW_METRICS_ADDR", "", "address where `dealflow worker` serves Prometheus /metrics"},
	{"DEALFLOW_API_METRICS_ADDR", "127.0.0.1:9090", "address where `dealflow serve` and `dealflow dev` serve Prometheus /metrics, never on the API's address (off: nowhere)"},
	{"DEALFLOW_SMTP_ADDR", "", "host:port of the SMTP server notification e-mails go through (unset: e-mail delivery off, the outbox is kept)"},
	{"DEALFLOW_MAIL_FROM", "dealflow <noreply@dealflow.localhost>", "From address of notification e-mails"},
	{"DEALFLOW_CONSOLE_URL", "http://127.0.0.1:8080", "the console's public base URL, for links in e-mails"},
	{"DEALFLOW_NOTIFY_SECRET", "", "secret (at least 16 characters) that signs unsubscribe links in e-mails (unset: no unsubscribe links)"},
	{"DEALFLOW_TOTP_KEY", "", "secret (at least 16 characters) that encrypts people's TOTP second-factor secrets at rest (unset: TOTP cannot be enrolled; changing it voids enrolments)"},
	{"DEALFLOW_OIDC_ISSUER", "", "issuer URL of the OpenID Connect provider vendor staff sign in through (unset: no OIDC sign-in)"},
	{"DEALFLOW_OIDC_CLIENT_ID", "dealflow", "the console's client id at the OIDC provider"},
	{"DEALFLOW_OIDC_CLIENT_SECRET", "", "the console's client secret at the OIDC provider (needed with DEALFLOW_OIDC_ISSUER)"},
	{"DEALFLOW_OIDC_REDIRECT_URL", "", "the callback registered at the provider (unset: DEALFLOW_CONSOLE_URL + /console/sign-in/oidc/callback)"},
	{"DEALFLOW_OIDC_NAME", "company sign-in", "how the sign-in page names the OIDC provider (\"Sign in with …\")"},
	{"DEALFLOW_OIDC_GROUPS", "dealflow-admins=admin,dealflow-managers=channel_manager,dealflow-finance=finance,dealflow-sales=sales_rep", "provider group=dealflow role pairs, comma-separated; roles: admin, channel_manager, finance, sales_rep"},
	{"DEALFLOW_DIGEST_HOUR", "8", "local hour (0-23) the daily digest of notifications is sent at"},
	{"DEALFLOW_DIGEST_TIMEZONE", "UTC", "IANA time zone of DEALFLOW_DIGEST_HOUR and of a digest's day"},
	{"DEALFLOW_FREEZE_PARTS", "2", "connections an incentive cycle's freeze reads the deals table on in parallel (about the database server's cores)"},
}

// Load reads the environment through getenv (os.Getenv in production).
func Load(getenv func(string) string) (Config, error) {
	get := func(name string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		for _, v := range Vars {
			if v.Name == name {
				return v.Default
			}
		}
		return ""
	}
	c := Config{
		DatabaseURL:       get("DATABASE_URL"),
		TemporalAddress:   get("TEMPORAL_ADDRESS"),
		TemporalNamespace: get("TEMPORAL_NAMESPACE"),
		TemporalTLSCert:   get("TEMPORAL_TLS_CERT"),
		TemporalTLSKey:    get("TEMPORAL_TLS_KEY"),
		TemporalTLSCA:     get("TEMPORAL_TLS_CA"),
		TemporalTLSServer: get("TEMPORAL_TLS_SERVER_NAME"),
		TemporalAPIKey:    get("TEMPORAL_API_KEY"),
		HTTPAddr:          get("DEALFLOW_HTTP_ADDR"),
		LogLevel:          get("DEALFLOW_LOG_LEVEL"),
		LogFormat:         get("DEALFLOW_LOG_FORMAT"),
		PayoutDir:         get("DEALFLOW_PAYOUT_DIR"),
		MetricsAddr:       get("DEALFLOW_METRICS_ADDR"),
		TrustedProxies:    get("DEALFLOW_TRUSTED_PROXIES"),
		APIMetricsAddr:    get("DEALFLOW_API_METRICS_ADDR"),
		SMTPAddr:          get("DEALFLOW_SMTP_ADDR"),
		MailFrom:          get("DEALFLOW_MAIL_FROM"),
		ConsoleURL:        strings.TrimRight(get("DEALFLOW_CONSOLE_URL"), "/"),
		NotifySecret:      get("DEALFLOW_NOTIFY_SECRET"),
		TOTPKey:           get("DEALFLOW_TOTP_KEY"),
		OIDCIssuer:        get("DEALFLOW_OIDC_ISSUER"),
		OIDCClientID:      get("DEALFLOW_OIDC_CLIENT_ID"),
		OIDCClientSecret:  get("DEALFLOW_OIDC_CLIENT_SECRET"),
		OIDCRedirectURL:   get("DEALFLOW_OIDC_REDIRECT_URL"),
		OIDCName:          get("DEALFLOW_OIDC_NAME"),
		OIDCGroups:        get("DEALFLOW_OIDC_GROUPS"),
		DigestTimeZone:    get("DEALFLOW_DIGEST_TIMEZONE"),
	}
	if strings.EqualFold(c.APIMetricsAddr, "off") {
		c.APIMetricsAddr = ""
	}
	var err error
	if c.TemporalTLS, err = strconv.ParseBool(get("TEMPORAL_TLS")); err != nil {
		return c, fmt.Errorf("TEMPORAL_TLS: %w", err)
	}
	if (c.TemporalTLSCert == "") != (c.TemporalTLSKey == "") {
		return c, fmt.Errorf("TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together")
	}
	if c.MaxBodyBytes, err = strconv.ParseInt(get("DEALFLOW_MAX_BODY_BYTES"), 10, 64); err != nil || c.MaxBodyBytes < 1024 {
		return c, fmt.Errorf("DEALFLOW_MAX_BODY_BYTES: want an integer of at least 1024")
	}
	if c.RequestTimeout, err = time.ParseDuration(get("DEALFLOW_REQUEST_TIMEOUT")); err != nil || c.RequestTimeout <= 0 {
		return c, fmt.Errorf("DEALFLOW_REQUEST_TIMEOUT: want a positive duration such as 30s")
	}
	if c.RateLimit, err = strconv.ParseFloat(get("DEALFLOW_RATE_LIMIT"), 64); err != nil || c.RateLimit <= 0 {
		return c, fmt.Errorf("DEALFLOW_RATE_LIMIT: want a positive number of requests per second")
	}
	if c.RateBurst, err = strconv.Atoi(get("DEALFLOW_RATE_BURST")); err != nil || c.RateBurst < 1 {
		return c, fmt.Errorf("DEALFLOW_RATE_BURST: want a positive integer")
	}
	if c.AuthRateLimit, err = strconv.ParseFloat(get("DEALFLOW_AUTH_RATE_LIMIT"), 64); err != nil || c.AuthRateLimit <= 0 {
		return c, fmt.Errorf("DEALFLOW_AUTH_RATE_LIMIT: want a positive number of requests per second")
	}
	if c.AuthRateBurst, err = strconv.Atoi(get("DEALFLOW_AUTH_RATE_BURST")); err != nil || c.AuthRateBurst < 1 {
		return c, fmt.Errorf("DEALFLOW_AUTH_RATE_BURST: want a positive integer")
	}
	if c.AuthFailureLimit, err = strconv.Atoi(get("DEALFLOW_AUTH_FAILURE_LIMIT")); err != nil || c.AuthFailureLimit < 1 {
		return c, fmt.Errorf("DEALFLOW_AUTH_FAILURE_LIMIT: want a positive integer")
	}
	for name, d := range map[string]*time.Duration{"DEALFLOW_AUTH_FAILURE_WINDOW": &c.AuthFailureWindow,
		"DEALFLOW_AUTH_BACKOFF": &c.AuthBackoff, "DEALFLOW_AUTH_BACKOFF_MAX": &c.AuthBackoffMax} {
		if *d, err = time.ParseDuration(get(name)); err != nil || *d <= 0 {
			return c, fmt.Errorf("%s: want a positive duration such as 30s", name)
		}
	}
	if c.AuthBackoffMax < c.AuthBackoff {
		return c, fmt.Errorf("DEALFLOW_AUTH_BACKOFF_MAX: want at least DEALFLOW_AUTH_BACKOFF (%s)", c.AuthBackoff)
	}
	for _, p := range c.TrustedProxyList() {
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				return c, fmt.Errorf("DEALFLOW_TRUSTED_PROXIES: %q is neither an IP address nor a CIDR range", p)
			}
		}
	}
	if c.FreezeParts, err = strconv.Atoi(get("DEALFLOW_FREEZE_PARTS")); err != nil || c.FreezeParts < 1 || c.FreezeParts > 64 {
		return c, fmt.Errorf("DEALFLOW_FREEZE_PARTS: want an integer from 1 to 64")
	}
	if c.DigestHour, err = strconv.Atoi(get("DEALFLOW_DIGEST_HOUR")); err != nil || c.DigestHour < 0 || c.DigestHour > 23 {
		return c, fmt.Errorf("DEALFLOW_DIGEST_HOUR: want an integer from 0 to 23")
	}
	if _, err := time.LoadLocation(c.DigestTimeZone); err != nil {
		return c, fmt.Errorf("DEALFLOW_DIGEST_TIMEZONE: want an IANA time zone such as Europe/Berlin: %v", err)
	}
	if c.NotifySecret != "" && len(c.NotifySecret) < 16 {
		return c, fmt.Errorf("DEALFLOW_NOTIFY_SECRET: want at least 16 characters")
	}
	if c.TOTPKey != "" && len(c.TOTPKey) < 16 {
		return c, fmt.Errorf("DEALFLOW_TOTP_KEY: want at least 16 characters")
	}
	if _, err := mail.ParseAddress(c.MailFrom); err != nil {
		return c, fmt.Errorf("DEALFLOW_MAIL_FROM: want an address such as \"dealflow <noreply@example.com>\"")
	}
	if err := c.loadOIDC(); err != nil {
		return c, err
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return c, fmt.Errorf("DEALFLOW_LOG_FORMAT: want text or json, not %q", c.LogFormat)
	}
	return c, nil
}

// TrustedProxyList is TrustedProxies as a list (nil when none).
func (c Config) TrustedProxyList() []string {
	var out []string
	for _, p := range strings.Split(c.TrustedProxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// FromEnv reads the process environment.
func FromEnv() (Config, error) { return Load(os.Getenv) }

// Help renders the variables named in names (all when empty) for --help.
func Help(names ...string) string {
	var b strings.Builder
	b.WriteString("Environment:\n")
	for _, v := range Vars {
		if len(names) > 0 && !slices.Contains(names, v.Name) {
			continue
		}
		def := v.Default
		if def == "" {
			def = "unset"
		}
		fmt.Fprintf(&b, "  %-26s %s (default: %s)\n", v.Name, v.Help, def)
	}
	return b.String()
}

// OIDCGroupRoles is OIDCGroups as a map from group to role; the error
// names the first pair that is not group=role with a vendor role.
func (c Config) OIDCGroupRoles() (map[string]string, error) {
	out := map[string]string{}
	for _, pair := range strings.Split(c.OIDCGroups, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		group, role, ok := strings.Cut(pair, "=")
		group, role = strings.TrimSpace(group), strings.TrimSpace(role)
		if !ok || group == "" || !slices.Contains(OIDCRoles, role) {
			return nil, fmt.Errorf("DEALFLOW_OIDC_GROUPS: want group=role pairs with a role of %s, not %q", strings.Join(OIDCRoles, ", "), pair)
		}
		out[group] = role
	}
	return out, nil
}

// loadOIDC checks the OIDC settings.
func (c *Config) loadOIDC() error {
	if _, err := c.OIDCGroupRoles(); err != nil {
		return err
	}
	if c.OIDCIssuer == "" {
		return nil
	}
	if u, err := url.Parse(c.OIDCIssuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("DEALFLOW_OIDC_ISSUER: want an http(s) URL, not %q", c.OIDCIssuer)
	}
	if c.OIDCClientSecret == "" {
		return fmt.Errorf("DEALFLOW_OIDC_CLIENT_SECRET: needed with DEALFLOW_OIDC_ISSUER")
	}
	if c.OIDCRedirectURL == "" {
		c.OIDCRedirectURL = c.ConsoleURL + "/console/sign-in/oidc/callback"
	}
	if u, err := url.Parse(c.OIDCRedirectURL); err != nil || u.Host == "" {
		return fmt.Errorf("DEALFLOW_OIDC_REDIRECT_URL: want an absolute URL, not %q", c.OIDCRedirectURL)
	}
	return nil
}
