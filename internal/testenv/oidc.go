package testenv

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// OIDCProvider is the development OpenID Connect provider (cmd/oidc-dev,
// zitadel/oidc's OP) on a free loopback port, with the demo users
// (internal/oidcdev.DemoUsers).
type OIDCProvider struct {
	// Issuer is its issuer URL (with the trailing slash); ClientID and
	// ClientSecret the client it serves, which may redirect to the
	// redirect URIs it was started with.
	Issuer, ClientID, ClientSecret string
	// OtherClientID and OtherClientSecret are a second client with the same
	// redirect URIs: its ID tokens are for another audience.
	OtherClientID, OtherClientSecret string
	cmd                              *exec.Cmd
	log                              *syncBuffer
	done                             chan struct{}
}

// OIDCProviderBinary returns the path of the provider: $OIDC_PROVIDER, or
// bin/oidc-dev in the repository (scripts/oidc-provider.sh builds it).
func OIDCProviderBinary() (string, error) {
	if p := os.Getenv("OIDC_PROVIDER"); p != "" {
		return p, nil
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	p := filepath.Join(root, "bin", "oidc-dev")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("no OIDC provider at %s: run scripts/oidc-provider.sh (or make test) to build it", p)
	}
	return p, nil
}

// StartOIDCProvider starts the provider with a client that may redirect to
// redirectURIs, and waits until its discovery document answers.
func StartOIDCProvider(ctx context.Context, redirectURIs ...string) (*OIDCProvider, error) {
	bin, err := OIDCProviderBinary()
	if err != nil {
		return nil, err
	}
	if len(redirectURIs) == 0 {
		return nil, fmt.Errorf("StartOIDCProvider: no redirect URI")
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	p := &OIDCProvider{Issuer: "http://" + addr + "/", ClientID: "dealflow", ClientSecret: "dealflow-test-secret",
		OtherClientID: "other-app", OtherClientSecret: "other-app-secret", log: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, "--addr", addr, "--client-id", p.ClientID, "--client-secret", p.ClientSecret,
		"--redirect-uri", strings.Join(redirectURIs, ","), "--also-client", p.OtherClientID+":"+p.OtherClientSecret)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := p.ready(ctx)
		if err == nil {
			return p, nil
		}
		if time.Now().After(deadline) {
			p.Stop()
			return nil, fmt.Errorf("the OIDC provider did not become ready: %w\n%s", err, p.log.String())
		}
		select {
		case <-p.done:
			p.Stop()
			return nil, fmt.Errorf("the OIDC provider exited:\n%s", p.log.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (p *OIDCProvider) ready(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.Issuer+".well-known/openid-configuration", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("discovery: %s", resp.Status)
	}
	return nil
}

// Log is what the provider has written.
func (p *OIDCProvider) Log() string { return p.log.String() }

// Stop ends the provider.
func (p *OIDCProvider) Stop() {
	if p.cmd.Process != nil {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			<-p.done
		}
	}
}
