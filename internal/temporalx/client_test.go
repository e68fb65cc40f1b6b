package temporalx

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dealflow/dealflow/internal/config"
)

// TLS is off for a plain dev server, on for an API key (Temporal Cloud) or
// an explicit setting, and bad certificate files are reported at start-up.
func TestTLSConfig(t *testing.T) {
	if c, err := tlsConfig(config.Config{}); err != nil || c != nil {
		t.Fatalf("plain: %v, %v", c, err)
	}
	for _, cfg := range []config.Config{{TemporalAPIKey: "k"}, {TemporalTLS: true, TemporalTLSServer: "ns.tmprl.cloud"}} {
		c, err := tlsConfig(cfg)
		if err != nil || c == nil || c.ServerName != cfg.TemporalTLSServer {
			t.Fatalf("%+v: %v, %v", cfg, c, err)
		}
	}
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cfg := range []config.Config{
		{TemporalTLSCA: filepath.Join(dir, "missing.pem")},
		{TemporalTLSCA: notPEM},
		{TemporalTLSCert: notPEM, TemporalTLSKey: notPEM},
	} {
		if _, err := tlsConfig(cfg); err == nil {
			t.Errorf("%+v: accepted", cfg)
		}
	}
}

// Compression is left off only for a frontend on this machine.
func TestLoopback(t *testing.T) {
	for addr, want := range map[string]bool{"127.0.0.1:7233": true, "localhost:7233": true, "[::1]:7233": true,
		"temporal.example.com:7233": false, "10.0.0.5:7233": false, "ns.acct.tmprl.cloud:7233": false} {
		if got := loopback(addr); got != want {
			t.Errorf("loopback(%q) = %v, want %v", addr, got, want)
		}
	}
}
