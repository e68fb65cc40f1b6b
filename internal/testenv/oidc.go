package testenv

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
	if err := awaitReady("the OIDC provider", p.done, p.log, func() error { return p.ready(ctx) }, p.Stop); err != nil {
		return nil, err
	}
	return p, nil
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

var loginID = regexp.MustCompile(`name="id" value="([^"]*)"`)

// errStop ends a redirect chain at the URL SignIn was asked to stop at.
var errStop = errors.New("stop")

// SignIn drives the provider's login page the way a browser does: it opens
// authURL with c's cookie jar, posts username and password to the login
// form, and follows the redirects until one leads to a URL starting with
// stop (the client's redirect URI), which it returns without opening.
func (p *OIDCProvider) SignIn(ctx context.Context, c *http.Client, authURL, username, password, stop string) (*url.URL, error) {
	var reached *url.URL
	cl := *c
	cl.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), stop) {
			reached = req.URL
			return errStop
		}
		if len(via) > 20 {
			return errors.New("too many redirects")
		}
		return nil
	}
	get := func(method, target string, form url.Values) (string, error) {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequestWithContext(ctx, method, target, body)
		if err != nil {
			return "", err
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := cl.Do(req)
		if reached != nil {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("%s %s: %s\n%s", method, target, resp.Status, b)
		}
		return string(b), err
	}
	page, err := get(http.MethodGet, authURL, nil)
	if err != nil || reached != nil {
		return reached, err
	}
	m := loginID.FindStringSubmatch(page)
	if m == nil {
		return nil, fmt.Errorf("no login form at %s:\n%s", authURL, page)
	}
	page, err = get(http.MethodPost, p.Issuer+"login/username",
		url.Values{"id": {html.UnescapeString(m[1])}, "username": {username}, "password": {password}})
	if err != nil {
		return nil, err
	}
	if reached == nil {
		return nil, fmt.Errorf("the provider did not sign %s in:\n%s", username, page)
	}
	return reached, nil
}
