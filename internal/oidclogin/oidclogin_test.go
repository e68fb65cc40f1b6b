package oidclogin

import (
	"context"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/oidcdev"
	"github.com/dealflow/dealflow/internal/testenv"
	"golang.org/x/oauth2"
)

// callback is the redirect URI the provider is started with; the tests
// stop the browser there and hand the code to the relying party.
const callback = "http://127.0.0.1:1/console/sign-in/oidc/callback"

var provider *testenv.OIDCProvider

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	p, err := testenv.StartOIDCProvider(ctx, callback)
	cancel()
	if err != nil {
		println("oidclogin tests need the development OIDC provider:", err.Error())
		os.Exit(1)
	}
	provider = p
	code := m.Run()
	p.Stop()
	os.Exit(code)
}

func rp(clientID, secret string) *RP {
	return New(Settings{Issuer: provider.Issuer, ClientID: clientID, ClientSecret: secret, RedirectURL: callback, Name: "Vendor SSO",
		Groups: map[string]domain.Role{"dealflow-admins": domain.RoleAdmin, "dealflow-managers": domain.RoleChannelManager,
			"dealflow-finance": domain.RoleFinance, "dealflow-sales": domain.RoleSalesRep}})
}

func dealflowRP() *RP { return rp(provider.ClientID, provider.ClientSecret) }

// signIn sends a browser (a client with a cookie jar) to authURL and
// through the provider's login page as username; it returns the code and
// state the provider sends back.
func signIn(t *testing.T, authURL, username string) (code, state string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	back, err := provider.SignIn(context.Background(), &http.Client{Jar: jar, Timeout: 10 * time.Second}, authURL, username, oidcdev.DemoPassword, callback)
	if err != nil {
		t.Fatal(err)
	}
	if back.Query().Get("error") != "" {
		t.Fatalf("the provider answered %s", back)
	}
	return back.Query().Get("code"), back.Query().Get("state")
}

func refusedWith(t *testing.T, err error, want string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v, want a refusal mentioning %q", err, want)
	}
	if !strings.Contains(e.Msg, want) {
		t.Fatalf("refusal %q, want it to mention %q", e.Msg, want)
	}
}

// The whole code flow against the real provider: the authorization request
// carries an S256 PKCE challenge, a state and a nonce; the ID token comes
// back verified with the person's verified e-mail and groups, mapped to
// roles most privileged first.
func TestCodeFlowMapsGroupsToRoles(t *testing.T) {
	r := dealflowRP()
	pd, err := r.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(pd.URL)
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("code_challenge") == pd.Verifier ||
		q.Get("nonce") != pd.Nonce || q.Get("state") != pd.State || !strings.Contains(q.Get("scope"), "groups") {
		t.Fatalf("authorization URL %s", pd.URL)
	}
	code, state := signIn(t, pd.URL, "bo.both@vendor.example")
	if state != pd.State {
		t.Fatalf("state %q came back, want %q", state, pd.State)
	}
	id, err := r.Finish(context.Background(), code, pd.Nonce, pd.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	if id.Email != "bo.both@vendor.example" || id.Name != "Bo Both" || id.Subject != "u-both" {
		t.Errorf("identity %+v", id)
	}
	if !slices.Equal(id.Roles, []domain.Role{domain.RoleFinance, domain.RoleChannelManager}) {
		t.Errorf("roles %v from groups %v, want finance then channel_manager", id.Roles, id.Groups)
	}
	// A code is good once.
	if _, err := r.Finish(context.Background(), code, pd.Nonce, pd.Verifier); err == nil {
		t.Error("the code was exchanged twice")
	}
}

// A group that maps to nothing grants nothing.
func TestUnmappedGroupsGrantNoRole(t *testing.T) {
	r := dealflowRP()
	pd, err := r.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	code, _ := signIn(t, pd.URL, "nia.nogroup@vendor.example")
	id, err := r.Finish(context.Background(), code, pd.Nonce, pd.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	if len(id.Roles) != 0 || !slices.Equal(id.Groups, []string{"staff"}) {
		t.Errorf("roles %v from groups %v, want none", id.Roles, id.Groups)
	}
}

// The code is worth nothing without the PKCE verifier of the request that
// got it: no verifier, or another one, is refused by the provider.
func TestCodeNeedsThePKCEVerifier(t *testing.T) {
	r := dealflowRP()
	for _, verifier := range []string{"", oauth2.GenerateVerifier()} {
		pd, err := r.Start(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		code, _ := signIn(t, pd.URL, "ada.admin@vendor.example")
		_, err = r.Finish(context.Background(), code, pd.Nonce, verifier)
		refusedWith(t, err, "refused the sign-in")
	}
}

// An ID token whose nonce is not the sign-in's is refused.
func TestNonceMustMatch(t *testing.T) {
	r := dealflowRP()
	pd, err := r.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	code, _ := signIn(t, pd.URL, "ada.admin@vendor.example")
	_, err = r.Finish(context.Background(), code, "another-nonce-another-nonce-another-nonce", pd.Verifier)
	refusedWith(t, err, "nonce")
}

// An ID token the same provider issued to another application, and a
// token whose signature is not the provider's, are refused.
func TestTokenOfAnotherAudienceOrForgedIsRefused(t *testing.T) {
	ctx := context.Background()
	p, err := oidc.NewProvider(ctx, provider.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	other := &oauth2.Config{ClientID: provider.OtherClientID, ClientSecret: provider.OtherClientSecret, RedirectURL: callback,
		Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email", "profile", "groups"}}
	verifier, nonce := oauth2.GenerateVerifier(), "nonce-of-the-other-application-0123456789"
	code, _ := signIn(t, other.AuthCodeURL("state-of-the-other-application", oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)),
		"ada.admin@vendor.example")
	tok, err := other.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if _, err := rp(provider.OtherClientID, provider.OtherClientSecret).Verify(ctx, raw, nonce); err != nil {
		t.Fatalf("the other application's own token: %v", err)
	}
	_, err = dealflowRP().Verify(ctx, raw, nonce)
	refusedWith(t, err, "another application")

	parts := strings.Split(raw, ".")
	sig := []byte(parts[2])
	sig[10] ^= 1
	if sig[10] == '-' || sig[10] == '_' { // stay in the base64url alphabet
		sig[10] = 'A'
	}
	_, err = rp(provider.OtherClientID, provider.OtherClientSecret).Verify(ctx, parts[0]+"."+parts[1]+"."+string(sig), nonce)
	refusedWith(t, err, "could not be verified")
}

// A provider that cannot be reached is a refusal that says so, not a
// failure of dealflow's.
func TestUnreachableProviderIsARefusal(t *testing.T) {
	r := New(Settings{Issuer: "http://127.0.0.1:1/", ClientID: "x", ClientSecret: "y", RedirectURL: callback, Name: "Vendor SSO"})
	_, err := r.Start(context.Background())
	refusedWith(t, err, "cannot be reached")
}
