package config

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// env returns a getenv that reads only m, never the process environment.
func env(m map[string]string) func(string) string {
	return func(name string) string { return m[name] }
}

// defaults maps each variable in Vars to its documented default.
func defaults(t *testing.T) map[string]string {
	t.Helper()
	d := make(map[string]string, len(Vars))
	for _, v := range Vars {
		if _, dup := d[v.Name]; dup {
			t.Fatalf("Vars lists %s twice", v.Name)
		}
		d[v.Name] = v.Default
	}
	return d
}

// fieldOf reads the Config field a variable sets, as text, so defaults and
// overrides can be compared against the Vars table.
var fieldOf = map[string]func(Config) string{
	"DATABASE_URL":                 func(c Config) string { return c.DatabaseURL },
	"TEMPORAL_ADDRESS":             func(c Config) string { return c.TemporalAddress },
	"TEMPORAL_NAMESPACE":           func(c Config) string { return c.TemporalNamespace },
	"TEMPORAL_TLS":                 func(c Config) string { return strconv.FormatBool(c.TemporalTLS) },
	"TEMPORAL_TLS_CERT":            func(c Config) string { return c.TemporalTLSCert },
	"TEMPORAL_TLS_KEY":             func(c Config) string { return c.TemporalTLSKey },
	"TEMPORAL_TLS_CA":              func(c Config) string { return c.TemporalTLSCA },
	"TEMPORAL_TLS_SERVER_NAME":     func(c Config) string { return c.TemporalTLSServer },
	"TEMPORAL_API_KEY":             func(c Config) string { return c.TemporalAPIKey },
	"DEALFLOW_HTTP_ADDR":           func(c Config) string { return c.HTTPAddr },
	"DEALFLOW_MAX_BODY_BYTES":      func(c Config) string { return strconv.FormatInt(c.MaxBodyBytes, 10) },
	"DEALFLOW_REQUEST_TIMEOUT":     func(c Config) string { return c.RequestTimeout.String() },
	"DEALFLOW_LOG_LEVEL":           func(c Config) string { return c.LogLevel },
	"DEALFLOW_LOG_FORMAT":          func(c Config) string { return c.LogFormat },
	"DEALFLOW_PAYOUT_DIR":          func(c Config) string { return c.PayoutDir },
	"DEALFLOW_RATE_LIMIT":          func(c Config) string { return strconv.FormatFloat(c.RateLimit, 'f', -1, 64) },
	"DEALFLOW_RATE_BURST":          func(c Config) string { return strconv.Itoa(c.RateBurst) },
	"DEALFLOW_METRICS_ADDR":        func(c Config) string { return c.MetricsAddr },
	"DEALFLOW_AUTH_RATE_LIMIT":     func(c Config) string { return strconv.FormatFloat(c.AuthRateLimit, 'f', -1, 64) },
	"DEALFLOW_AUTH_RATE_BURST":     func(c Config) string { return strconv.Itoa(c.AuthRateBurst) },
	"DEALFLOW_AUTH_FAILURE_LIMIT":  func(c Config) string { return strconv.Itoa(c.AuthFailureLimit) },
	"DEALFLOW_AUTH_FAILURE_WINDOW": func(c Config) string { return c.AuthFailureWindow.String() },
	"DEALFLOW_AUTH_BACKOFF":        func(c Config) string { return c.AuthBackoff.String() },
	"DEALFLOW_AUTH_BACKOFF_MAX":    func(c Config) string { return c.AuthBackoffMax.String() },
	"DEALFLOW_TRUSTED_PROXIES":     func(c Config) string { return c.TrustedProxies },
	"DEALFLOW_API_METRICS_ADDR":    func(c Config) string { return c.APIMetricsAddr },
	"DEALFLOW_FREEZE_PARTS":        func(c Config) string { return strconv.Itoa(c.FreezeParts) },
	"DEALFLOW_SMTP_ADDR":           func(c Config) string { return c.SMTPAddr },
	"DEALFLOW_MAIL_FROM":           func(c Config) string { return c.MailFrom },
	"DEALFLOW_CONSOLE_URL":         func(c Config) string { return c.ConsoleURL },
	"DEALFLOW_NOTIFY_SECRET":       func(c Config) string { return c.NotifySecret },
	"DEALFLOW_TOTP_KEY":            func(c Config) string { return c.TOTPKey },
	"DEALFLOW_OIDC_ISSUER":         func(c Config) string { return c.OIDCIssuer },
	"DEALFLOW_OIDC_CLIENT_ID":      func(c Config) string { return c.OIDCClientID },
	"DEALFLOW_OIDC_CLIENT_SECRET":  func(c Config) string { return c.OIDCClientSecret },
	"DEALFLOW_OIDC_REDIRECT_URL":   func(c Config) string { return c.OIDCRedirectURL },
	"DEALFLOW_OIDC_NAME":           func(c Config) string { return c.OIDCName },
	"DEALFLOW_OIDC_GROUPS":         func(c Config) string { return c.OIDCGroups },
	"DEALFLOW_DIGEST_HOUR":         func(c Config) string { return strconv.Itoa(c.DigestHour) },
	"DEALFLOW_DIGEST_TIMEZONE":     func(c Config) string { return c.DigestTimeZone },
}

// TestFieldTableCoversVars proves this file's field table names exactly the variables in Vars, so a new variable cannot go untested.
func TestFieldTableCoversVars(t *testing.T) {
	d := defaults(t)
	if len(fieldOf) != len(d) {
		t.Errorf("fieldOf has %d entries, Vars has %d", len(fieldOf), len(d))
	}
	for name := range d {
		if fieldOf[name] == nil {
			t.Errorf("variable %s has no entry in fieldOf", name)
		}
	}
}

// TestLoadDefaults proves an empty environment yields every documented default from Vars.
func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatalf("Load(empty) error = %v", err)
	}
	for _, v := range Vars {
		t.Run(v.Name, func(t *testing.T) {
			get := fieldOf[v.Name]
			if get == nil {
				t.Fatalf("no field known for %s", v.Name)
			}
			want := v.Default
			switch v.Name {
			case "DEALFLOW_REQUEST_TIMEOUT", "DEALFLOW_AUTH_FAILURE_WINDOW", "DEALFLOW_AUTH_BACKOFF", "DEALFLOW_AUTH_BACKOFF_MAX":
				d, err := time.ParseDuration(v.Default)
				if err != nil {
					t.Fatalf("default %q does not parse: %v", v.Default, err)
				}
				want = d.String()
			case "TEMPORAL_TLS":
				b, err := strconv.ParseBool(v.Default)
				if err != nil {
					t.Fatalf("default %q does not parse: %v", v.Default, err)
				}
				want = strconv.FormatBool(b)
			}
			if got := get(c); got != want {
				t.Errorf("%s = %q, want default %q", v.Name, got, want)
			}
		})
	}
}

// TestLoadDefaultsConcrete proves the typed defaults are the values operators rely on.
func TestLoadDefaultsConcrete(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatalf("Load(empty) error = %v", err)
	}
	if c.TemporalTLS {
		t.Error("TemporalTLS defaults to true, want false")
	}
	if c.MaxBodyBytes != 1<<20 {
		t.Errorf("MaxBodyBytes = %d, want %d", c.MaxBodyBytes, 1<<20)
	}
	if c.RequestTimeout != 30*time.Second {
		t.Errorf("RequestTimeout = %v, want 30s", c.RequestTimeout)
	}
	if c.LogFormat != "text" || c.LogLevel != "info" {
		t.Errorf("log = (%q, %q), want (info, text)", c.LogLevel, c.LogFormat)
	}
}

// TestLoadBlankValuesUseDefaults proves empty or whitespace-only variables fall back to their defaults.
func TestLoadBlankValuesUseDefaults(t *testing.T) {
	want, err := Load(env(nil))
	if err != nil {
		t.Fatalf("Load(empty) error = %v", err)
	}
	for _, blank := range []string{"", " ", "\t\n "} {
		t.Run(strconv.Quote(blank), func(t *testing.T) {
			m := map[string]string{}
			for _, v := range Vars {
				m[v.Name] = blank
			}
			got, err := Load(env(m))
			if err != nil {
				t.Fatalf("Load(all %q) error = %v", blank, err)
			}
			if got != want {
				t.Errorf("Load(all %q) = %+v, want defaults %+v", blank, got, want)
			}
		})
	}
}

// TestLoadOverrides proves every variable, when set, replaces its default, with surrounding space trimmed.
func TestLoadOverrides(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want Config
	}{
		{
			name: "everything set",
			env: map[string]string{
				"DATABASE_URL":                 "postgres://app:secret@db.internal:5433/deals?sslmode=require",
				"TEMPORAL_ADDRESS":             "temporal.internal:7233",
				"TEMPORAL_NAMESPACE":           "dealflow-prod",
				"TEMPORAL_TLS":                 "true",
				"TEMPORAL_TLS_CERT":            "/etc/tls/client.pem",
				"TEMPORAL_TLS_KEY":             "/etc/tls/client.key",
				"TEMPORAL_TLS_CA":              "/etc/tls/ca.pem",
				"TEMPORAL_TLS_SERVER_NAME":     "temporal.example.com",
				"TEMPORAL_API_KEY":             "key-123",
				"DEALFLOW_HTTP_ADDR":           ":9090",
				"DEALFLOW_MAX_BODY_BYTES":      "2048",
				"DEALFLOW_REQUEST_TIMEOUT":     "1m30s",
				"DEALFLOW_LOG_LEVEL":           "debug",
				"DEALFLOW_LOG_FORMAT":          "json",
				"DEALFLOW_PAYOUT_DIR":          "/var/lib/dealflow/payouts",
				"DEALFLOW_FREEZE_PARTS":        "4",
				"DEALFLOW_SMTP_ADDR":           "smtp.internal:25",
				"DEALFLOW_MAIL_FROM":           "Deals <deals@example.com>",
				"DEALFLOW_CONSOLE_URL":         "https://deals.example.com/",
				"DEALFLOW_NOTIFY_SECRET":       "0123456789abcdef0123",
				"DEALFLOW_DIGEST_HOUR":         "6",
				"DEALFLOW_DIGEST_TIMEZONE":     "Europe/Berlin",
				"DEALFLOW_AUTH_RATE_LIMIT":     "2.5",
				"DEALFLOW_AUTH_RATE_BURST":     "10",
				"DEALFLOW_AUTH_FAILURE_LIMIT":  "5",
				"DEALFLOW_AUTH_FAILURE_WINDOW": "10m",
				"DEALFLOW_AUTH_BACKOFF":        "1m",
				"DEALFLOW_AUTH_BACKOFF_MAX":    "1h",
				"DEALFLOW_TRUSTED_PROXIES":     "10.0.0.0/8, 192.0.2.1",
				"DEALFLOW_OIDC_ISSUER":         "https://login.example.com/",
				"DEALFLOW_OIDC_CLIENT_ID":      "deals",
				"DEALFLOW_OIDC_CLIENT_SECRET":  "s3cret",
				"DEALFLOW_OIDC_REDIRECT_URL":   "https://deals.example.com/console/sign-in/oidc/callback",
				"DEALFLOW_OIDC_NAME":           "Example SSO",
				"DEALFLOW_OIDC_GROUPS":         "sales-ops=channel_manager",
			},
			want: Config{
				OIDCIssuer:        "https://login.example.com/",
				OIDCClientID:      "deals",
				OIDCClientSecret:  "s3cret",
				OIDCRedirectURL:   "https://deals.example.com/console/sign-in/oidc/callback",
				OIDCName:          "Example SSO",
				OIDCGroups:        "sales-ops=channel_manager",
				PayoutDir:         "/var/lib/dealflow/payouts",
				FreezeParts:       4,
				SMTPAddr:          "smtp.internal:25",
				MailFrom:          "Deals <deals@example.com>",
				ConsoleURL:        "https://deals.example.com",
				NotifySecret:      "0123456789abcdef0123",
				DigestHour:        6,
				DigestTimeZone:    "Europe/Berlin",
				RateLimit:         50,
				RateBurst:         100,
				APIMetricsAddr:    "127.0.0.1:9090",
				AuthRateLimit:     2.5,
				AuthRateBurst:     10,
				AuthFailureLimit:  5,
				AuthFailureWindow: 10 * time.Minute,
				AuthBackoff:       time.Minute,
				AuthBackoffMax:    time.Hour,
				TrustedProxies:    "10.0.0.0/8, 192.0.2.1",
				DatabaseURL:       "postgres://app:secret@db.internal:5433/deals?sslmode=require",
				TemporalAddress:   "temporal.internal:7233",
				TemporalNamespace: "dealflow-prod",
				TemporalTLS:       true,
				TemporalTLSCert:   "/etc/tls/client.pem",
				TemporalTLSKey:    "/etc/tls/client.key",
				TemporalTLSCA:     "/etc/tls/ca.pem",
				TemporalTLSServer: "temporal.example.com",
				TemporalAPIKey:    "key-123",
				HTTPAddr:          ":9090",
				MaxBodyBytes:      2048,
				RequestTimeout:    90 * time.Second,
				LogLevel:          "debug",
				LogFormat:         "json",
			},
		},
		{
			name: "values trimmed",
			env: map[string]string{
				"DATABASE_URL":             "  postgres://x/y \n",
				"TEMPORAL_TLS":             " 1 ",
				"DEALFLOW_MAX_BODY_BYTES":  "\t4096",
				"DEALFLOW_REQUEST_TIMEOUT": " 5s ",
				"DEALFLOW_LOG_FORMAT":      " json ",
			},
			want: Config{
				DatabaseURL:       "postgres://x/y",
				TemporalAddress:   "127.0.0.1:7233",
				TemporalNamespace: "default",
				TemporalTLS:       true,
				HTTPAddr:          "127.0.0.1:8080",
				MaxBodyBytes:      4096,
				RequestTimeout:    5 * time.Second,
				LogLevel:          "info",
				LogFormat:         "json",
				PayoutDir:         ".data/payouts",
				FreezeParts:       2,
				MailFrom:          "dealflow <noreply@dealflow.localhost>",
				ConsoleURL:        "http://127.0.0.1:8080",
				OIDCClientID:      "dealflow",
				OIDCName:          "company sign-in",
				OIDCGroups:        "dealflow-admins=admin,dealflow-managers=channel_manager,dealflow-finance=finance,dealflow-sales=sales_rep",
				DigestHour:        8,
				DigestTimeZone:    "UTC",
				RateLimit:         50,
				RateBurst:         100,
				APIMetricsAddr:    "127.0.0.1:9090",
				AuthRateLimit:     500,
				AuthRateBurst:     1000,
				AuthFailureLimit:  20,
				AuthFailureWindow: time.Minute,
				AuthBackoff:       30 * time.Second,
				AuthBackoffMax:    15 * time.Minute,
			},
		},
		{
			name: "smallest body and short timeout",
			env: map[string]string{
				"DEALFLOW_MAX_BODY_BYTES":  "1024",
				"DEALFLOW_REQUEST_TIMEOUT": "250ms",
			},
			want: Config{
				DatabaseURL:       "postgres://postgres@127.0.0.1:5432/dealflow?sslmode=disable",
				TemporalAddress:   "127.0.0.1:7233",
				TemporalNamespace: "default",
				HTTPAddr:          "127.0.0.1:8080",
				MaxBodyBytes:      1024,
				RequestTimeout:    250 * time.Millisecond,
				LogLevel:          "info",
				LogFormat:         "text",
				PayoutDir:         ".data/payouts",
				FreezeParts:       2,
				MailFrom:          "dealflow <noreply@dealflow.localhost>",
				ConsoleURL:        "http://127.0.0.1:8080",
				OIDCClientID:      "dealflow",
				OIDCName:          "company sign-in",
				OIDCGroups:        "dealflow-admins=admin,dealflow-managers=channel_manager,dealflow-finance=finance,dealflow-sales=sales_rep",
				DigestHour:        8,
				DigestTimeZone:    "UTC",
				RateLimit:         50,
				RateBurst:         100,
				APIMetricsAddr:    "127.0.0.1:9090",
				AuthRateLimit:     500,
				AuthRateBurst:     1000,
				AuthFailureLimit:  20,
				AuthFailureWindow: time.Minute,
				AuthBackoff:       30 * time.Second,
				AuthBackoffMax:    15 * time.Minute,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Load(env(tt.env))
			if err != nil {
				t.Fatalf("Load error = %v", err)
			}
			if got != tt.want {
				t.Errorf("Load =\n  %+v\nwant\n  %+v", got, tt.want)
			}
		})
	}
}

// TestLoadTemporalTLS proves TEMPORAL_TLS accepts strconv.ParseBool's spellings.
func TestLoadTemporalTLS(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"true", true},
		{"TRUE", true},
		{"True", true},
		{"1", true},
		{"t", true},
		{"false", false},
		{"FALSE", false},
		{"0", false},
		{"f", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := Load(env(map[string]string{"TEMPORAL_TLS": tt.in}))
			if err != nil {
				t.Fatalf("Load(TEMPORAL_TLS=%q) error = %v", tt.in, err)
			}
			if c.TemporalTLS != tt.want {
				t.Errorf("TemporalTLS = %v, want %v", c.TemporalTLS, tt.want)
			}
		})
	}
}

// TestLoadTLSCertAndKeyTogether proves a client certificate and key are accepted only as a pair.
func TestLoadTLSCertAndKeyTogether(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr bool
	}{
		{"neither", map[string]string{}, false},
		{"both", map[string]string{"TEMPORAL_TLS_CERT": "c.pem", "TEMPORAL_TLS_KEY": "k.pem"}, false},
		{"cert only", map[string]string{"TEMPORAL_TLS_CERT": "c.pem"}, true},
		{"key only", map[string]string{"TEMPORAL_TLS_KEY": "k.pem"}, true},
		{"cert with blank key", map[string]string{"TEMPORAL_TLS_CERT": "c.pem", "TEMPORAL_TLS_KEY": "  "}, true},
		{"CA alone", map[string]string{"TEMPORAL_TLS_CA": "ca.pem"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(env(tt.env))
			if (err != nil) != tt.wantErr {
				t.Fatalf("Load error = %v, want error: %v", err, tt.wantErr)
			}
			if err == nil {
				return
			}
			for _, name := range []string{"TEMPORAL_TLS_CERT", "TEMPORAL_TLS_KEY"} {
				if !strings.Contains(err.Error(), name) {
					t.Errorf("error %q does not name %s", err, name)
				}
			}
		})
	}
}

// TestLoadErrors proves each malformed variable is refused with an error naming that variable.
func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantVar string
	}{
		{"TLS not a bool", map[string]string{"TEMPORAL_TLS": "yes"}, "TEMPORAL_TLS"},
		{"notify secret too short", map[string]string{"DEALFLOW_NOTIFY_SECRET": "short"}, "DEALFLOW_NOTIFY_SECRET"},
		{"TOTP key too short", map[string]string{"DEALFLOW_TOTP_KEY": "short"}, "DEALFLOW_TOTP_KEY"},
		{"digest hour out of range", map[string]string{"DEALFLOW_DIGEST_HOUR": "24"}, "DEALFLOW_DIGEST_HOUR"},
		{"digest zone unknown", map[string]string{"DEALFLOW_DIGEST_TIMEZONE": "Mars/Olympus"}, "DEALFLOW_DIGEST_TIMEZONE"},
		{"mail from not an address", map[string]string{"DEALFLOW_MAIL_FROM": "dealflow"}, "DEALFLOW_MAIL_FROM"},
		{"TLS on", map[string]string{"TEMPORAL_TLS": "on"}, "TEMPORAL_TLS"},
		{"TLS number", map[string]string{"TEMPORAL_TLS": "2"}, "TEMPORAL_TLS"},
		{"TLS cert without key", map[string]string{"TEMPORAL_TLS_CERT": "c.pem"}, "TEMPORAL_TLS_CERT"},
		{"body not a number", map[string]string{"DEALFLOW_MAX_BODY_BYTES": "abc"}, "DEALFLOW_MAX_BODY_BYTES"},
		{"body with unit", map[string]string{"DEALFLOW_MAX_BODY_BYTES": "1MB"}, "DEALFLOW_MAX_BODY_BYTES"},
		{"body fractional", map[string]string{"DEALFLOW_MAX_BODY_BYTES": "2048.5"}, "DEALFLOW_MAX_BODY_BYTES"},
		{"body overflows int64", map[string]string{"DEALFLOW_MAX_BODY_BYTES": "99999999999999999999"}, "DEALFLOW_MAX_BODY_BYTES"},
		{"body just too small", map[string]string{"DEALFLOW_MAX_BODY_BYTES": "1023"}, "DEALFLOW_MAX_BODY_BYTES"},
		{"body zero", map[string]string{"DEALFLOW_MAX_BODY_BYTES": "0"}, "DEALFLOW_MAX_BODY_BYTES"},
		{"body negative", map[string]string{"DEALFLOW_MAX_BODY_BYTES": "-4096"}, "DEALFLOW_MAX_BODY_BYTES"},
		{"timeout not a duration", map[string]string{"DEALFLOW_REQUEST_TIMEOUT": "soon"}, "DEALFLOW_REQUEST_TIMEOUT"},
		{"timeout without unit", map[string]string{"DEALFLOW_REQUEST_TIMEOUT": "30"}, "DEALFLOW_REQUEST_TIMEOUT"},
		{"timeout zero", map[string]string{"DEALFLOW_REQUEST_TIMEOUT": "0s"}, "DEALFLOW_REQUEST_TIMEOUT"},
		{"timeout negative", map[string]string{"DEALFLOW_REQUEST_TIMEOUT": "-5s"}, "DEALFLOW_REQUEST_TIMEOUT"},
		{"log format unknown", map[string]string{"DEALFLOW_LOG_FORMAT": "xml"}, "DEALFLOW_LOG_FORMAT"},
		{"log format logfmt", map[string]string{"DEALFLOW_LOG_FORMAT": "logfmt"}, "DEALFLOW_LOG_FORMAT"},
		{"auth rate zero", map[string]string{"DEALFLOW_AUTH_RATE_LIMIT": "0"}, "DEALFLOW_AUTH_RATE_LIMIT"},
		{"auth burst zero", map[string]string{"DEALFLOW_AUTH_RATE_BURST": "0"}, "DEALFLOW_AUTH_RATE_BURST"},
		{"auth failures zero", map[string]string{"DEALFLOW_AUTH_FAILURE_LIMIT": "0"}, "DEALFLOW_AUTH_FAILURE_LIMIT"},
		{"auth window not a duration", map[string]string{"DEALFLOW_AUTH_FAILURE_WINDOW": "60"}, "DEALFLOW_AUTH_FAILURE_WINDOW"},
		{"auth backoff negative", map[string]string{"DEALFLOW_AUTH_BACKOFF": "-1s"}, "DEALFLOW_AUTH_BACKOFF"},
		{"auth backoff max below backoff", map[string]string{"DEALFLOW_AUTH_BACKOFF_MAX": "10s"}, "DEALFLOW_AUTH_BACKOFF_MAX"},
		{"trusted proxy not an address", map[string]string{"DEALFLOW_TRUSTED_PROXIES": "10.0.0.1, proxy.internal"}, "DEALFLOW_TRUSTED_PROXIES"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(env(tt.env))
			if err == nil {
				t.Fatalf("Load(%v) = nil error, want one naming %s", tt.env, tt.wantVar)
			}
			if !strings.Contains(err.Error(), tt.wantVar) {
				t.Errorf("error %q does not name %s", err, tt.wantVar)
			}
		})
	}
}

// TestLoadLogFormatErrorQuotesValue proves the log-format error shows the rejected value.
func TestLoadLogFormatErrorQuotesValue(t *testing.T) {
	_, err := Load(env(map[string]string{"DEALFLOW_LOG_FORMAT": "xml"}))
	if err == nil || !strings.Contains(err.Error(), `"xml"`) {
		t.Errorf("Load(DEALFLOW_LOG_FORMAT=xml) error = %v, want it to quote \"xml\"", err)
	}
}

// TestLoadReadsOnlyDocumentedVars proves Load asks getenv for every variable in Vars and for nothing undocumented.
func TestLoadReadsOnlyDocumentedVars(t *testing.T) {
	d := defaults(t)
	asked := map[string]bool{}
	if _, err := Load(func(name string) string {
		asked[name] = true
		return ""
	}); err != nil {
		t.Fatalf("Load error = %v", err)
	}
	for name := range asked {
		if _, ok := d[name]; !ok {
			t.Errorf("Load read %s, which Vars does not document", name)
		}
	}
	for name := range d {
		if !asked[name] {
			t.Errorf("Load never read documented variable %s", name)
		}
	}
}

// helpNames returns the variable name at the start of each line of Help's output after the header.
func helpNames(t *testing.T, out string) []string {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if lines[0] != "Environment:" {
		t.Fatalf("first line = %q, want %q", lines[0], "Environment:")
	}
	var names []string
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) == 0 {
			t.Fatalf("blank line in help output %q", out)
		}
		names = append(names, f[0])
	}
	return names
}

// TestHelpAll proves Help with no names lists every variable once, in Vars order, with its help and default.
func TestHelpAll(t *testing.T) {
	out := Help()
	names := helpNames(t, out)
	if len(names) != len(Vars) {
		t.Fatalf("Help() lists %d variables, want %d:\n%s", len(names), len(Vars), out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")[1:]
	for i, v := range Vars {
		if names[i] != v.Name {
			t.Errorf("line %d names %s, want %s", i+1, names[i], v.Name)
		}
		if !strings.Contains(lines[i], v.Help) {
			t.Errorf("line for %s lacks its help text %q", v.Name, v.Help)
		}
		def := v.Default
		if def == "" {
			def = "unset"
		}
		if !strings.HasSuffix(lines[i], "(default: "+def+")") {
			t.Errorf("line for %s = %q, want it to end with (default: %s)", v.Name, lines[i], def)
		}
	}
}

// TestHelpSelected proves Help with names lists only those variables, in Vars order, ignoring unknown names.
func TestHelpSelected(t *testing.T) {
	tests := []struct {
		name  string
		names []string
		want  []string
	}{
		{"one", []string{"DATABASE_URL"}, []string{"DATABASE_URL"}},
		{"prefix of another is not a match", []string{"TEMPORAL_TLS"}, []string{"TEMPORAL_TLS"}},
		{"several in Vars order", []string{"DEALFLOW_LOG_FORMAT", "TEMPORAL_TLS_KEY"}, []string{"TEMPORAL_TLS_KEY", "DEALFLOW_LOG_FORMAT"}},
		{"unknown ignored", []string{"NOPE", "DEALFLOW_HTTP_ADDR"}, []string{"DEALFLOW_HTTP_ADDR"}},
		{"only unknown", []string{"NOPE"}, nil},
		{"case-sensitive", []string{"database_url"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := Help(tt.names...)
			got := helpNames(t, out)
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("Help(%q) lists %q, want %q:\n%s", tt.names, got, tt.want, out)
			}
		})
	}
}

// TestHelpDatabaseURLOnly proves Help("DATABASE_URL") shows that variable's default and mentions no other variable.
func TestHelpDatabaseURLOnly(t *testing.T) {
	out := Help("DATABASE_URL")
	if !strings.Contains(out, "DATABASE_URL") {
		t.Fatalf("Help(DATABASE_URL) = %q, lacks DATABASE_URL", out)
	}
	if !strings.Contains(out, "postgres://postgres@127.0.0.1:5432/dealflow?sslmode=disable") {
		t.Errorf("Help(DATABASE_URL) = %q, lacks the default URL", out)
	}
	for _, v := range Vars {
		if v.Name != "DATABASE_URL" && strings.Contains(out, v.Name) {
			t.Errorf("Help(DATABASE_URL) mentions %s:\n%s", v.Name, out)
		}
	}
}

// /metrics is kept off the API's address (finding 10c): serve and dev
// serve it on DEALFLOW_API_METRICS_ADDR, loopback by default, or nowhere.
func TestAPIMetricsAddr(t *testing.T) {
	for in, want := range map[string]string{"": "127.0.0.1:9090", "10.0.0.5:9100": "10.0.0.5:9100", "off": "", " OFF ": ""} {
		c, err := Load(env(map[string]string{"DEALFLOW_API_METRICS_ADDR": in}))
		if err != nil || c.APIMetricsAddr != want {
			t.Errorf("DEALFLOW_API_METRICS_ADDR=%q: %q, %v; want %q", in, c.APIMetricsAddr, err, want)
		}
	}
}

// TestOIDCSettings proves the OIDC settings are checked: the group mapping
// names vendor roles only, an issuer needs a secret, and the redirect URL
// defaults to the console's callback.
func TestOIDCSettings(t *testing.T) {
	c, err := Load(env(map[string]string{"DEALFLOW_OIDC_ISSUER": "http://127.0.0.1:9998/", "DEALFLOW_OIDC_CLIENT_SECRET": "x"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.OIDCRedirectURL != "http://127.0.0.1:8080/console/sign-in/oidc/callback" {
		t.Errorf("OIDCRedirectURL = %q", c.OIDCRedirectURL)
	}
	roles, err := c.OIDCGroupRoles()
	if err != nil || roles["dealflow-admins"] != "admin" || roles["dealflow-sales"] != "sales_rep" || len(roles) != 4 {
		t.Errorf("OIDCGroupRoles = %v, %v", roles, err)
	}
	for name, e := range map[string]map[string]string{
		"partner role":     {"DEALFLOW_OIDC_GROUPS": "resellers=partner_user"},
		"no role":          {"DEALFLOW_OIDC_GROUPS": "admins"},
		"no secret":        {"DEALFLOW_OIDC_ISSUER": "https://login.example.com"},
		"issuer not a URL": {"DEALFLOW_OIDC_ISSUER": "login.example.com", "DEALFLOW_OIDC_CLIENT_SECRET": "x"},
	} {
		if _, err := Load(env(e)); err == nil {
			t.Errorf("%s: Load accepted %v", name, e)
		}
	}
}
