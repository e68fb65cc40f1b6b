// Package oidclogin signs vendor staff in through the company's OpenID
// Connect provider: the authorization code flow with PKCE (S256), a state
// and a nonce per sign-in, the ID token verified against the provider's
// keys (issuer, audience, expiry, signature, nonce), and the provider's
// groups mapped to dealflow roles (docs/people.md). It is the relying
// party only (github.com/coreos/go-oidc, golang.org/x/oauth2); the console
// keeps the pending sign-ins and opens the session.
package oidclogin

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/config"
	"golang.org/x/oauth2"
)

// Settings are the provider and client dealflow signs in with.
type Settings struct {
	// Issuer is the provider's issuer URL (discovery document at
	// Issuer/.well-known/openid-configuration).
	Issuer                 string
	ClientID, ClientSecret string
	// RedirectURL is dealflow's callback as registered at the provider
	// (…/console/sign-in/oidc/callback).
	RedirectURL string
	// Name is how the sign-in page names the provider.
	Name string
	// Groups maps a provider group to the dealflow role it grants.
	Groups map[string]domain.Role
	// HTTPClient talks to the provider (nil: a client with a 10 s timeout).
	HTTPClient *http.Client
}

// GroupsClaim is the ID token claim that lists the person's groups, and
// the scope asked for it.
const GroupsClaim = "groups"

// Identity is who the provider says signed in.
type Identity struct {
	Subject string
	// Email is lower-cased and verified by the provider.
	Email string
	Name  string
	// Groups are the provider's groups; Roles those that map to a role, most
	// privileged first.
	Groups []string
	Roles  []domain.Role
}

// Error is a sign-in the provider or the token refused; Msg says why in
// words a person can act on.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func refused(format string, args ...any) error { return &Error{fmt.Sprintf(format, args...)} }

// RP is dealflow as a relying party of one provider. It discovers the
// provider on first use (and again after a failure), so dealflow starts
// while the provider is down.
type RP struct {
	s        Settings
	mu       sync.Mutex
	provider *oidc.Provider
}

// New returns the relying party for s.
func New(s Settings) *RP {
	if s.HTTPClient == nil {
		s.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if s.Name == "" {
		s.Name = "your identity provider"
	}
	return &RP{s: s}
}

// Name is how the sign-in page names the provider.
func (r *RP) Name() string { return r.s.Name }

func (r *RP) discover(ctx context.Context) (*oidc.Provider, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.provider != nil {
		return r.provider, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, r.s.HTTPClient), r.s.Issuer)
	if err != nil {
		return nil, refused("%s cannot be reached just now; try again in a moment", r.s.Name)
	}
	r.provider = p
	return p, nil
}

func (r *RP) oauth(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: r.s.ClientID, ClientSecret: r.s.ClientSecret, RedirectURL: r.s.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email", "profile", GroupsClaim}}
}

// Pending is a sign-in on its way to the provider: the console keeps it
// until the provider sends the browser back.
type Pending struct {
	State, Nonce, Verifier string
	// URL is the provider's authorization address to send the browser to.
	URL string
}

// Start begins a sign-in: a fresh state, nonce and PKCE verifier, and the
// authorization URL with the verifier's S256 challenge.
func (r *RP) Start(ctx context.Context) (Pending, error) {
	p, err := r.discover(ctx)
	if err != nil {
		return Pending{}, err
	}
	pd := Pending{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier()}
	pd.URL = r.oauth(p).AuthCodeURL(pd.State, oidc.Nonce(pd.Nonce), oauth2.S256ChallengeOption(pd.Verifier))
	return pd, nil
}

// Finish exchanges the code the provider sent back for tokens (proving the
// verifier), verifies the ID token and its nonce, and returns the identity
// with its roles.
func (r *RP) Finish(ctx context.Context, code, nonce, verifier string) (Identity, error) {
	p, err := r.discover(ctx)
	if err != nil {
		return Identity{}, err
	}
	tok, err := r.oauth(p).Exchange(oidc.ClientContext(ctx, r.s.HTTPClient), code, oauth2.VerifierOption(verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return Identity{}, refused("%s refused the sign-in (%s); start again", r.s.Name, re.ErrorCode)
		}
		return Identity{}, refused("%s cannot be reached just now; try again in a moment", r.s.Name)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Identity{}, refused("%s sent no ID token", r.s.Name)
	}
	return r.Verify(ctx, raw, nonce)
}

// Verify checks a raw ID token — signature by the provider's keys, issuer,
// audience (this client), expiry, and nonce — and reads the identity.
func (r *RP) Verify(ctx context.Context, raw, nonce string) (Identity, error) {
	p, err := r.discover(ctx)
	if err != nil {
		return Identity{}, err
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: r.s.ClientID}).Verify(oidc.ClientContext(ctx, r.s.HTTPClient), raw)
	if err != nil {
		return Identity{}, refused("the sign-in could not be verified (%s); start again", shortReason(err))
	}
	if nonce == "" || idt.Nonce != nonce {
		return Identity{}, refused("the sign-in could not be verified (its nonce does not match); start again")
	}
	var claims struct {
		Email         string `json:"email"`
		EmailVerified *bool  `json:"email_verified"`
		Name          string `json:"name"`
		Groups        []string
	}
	var all map[string]any
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, refused("the ID token's claims cannot be read")
	}
	if err := idt.Claims(&all); err != nil {
		return Identity{}, refused("the ID token's claims cannot be read")
	}
	claims.Groups = stringList(all[GroupsClaim])
	email, err := domain.NormalizeEmail(claims.Email)
	if err != nil {
		return Identity{}, refused("%s gave no usable e-mail address for you", r.s.Name)
	}
	if claims.EmailVerified == nil || !*claims.EmailVerified {
		return Identity{}, refused("%s has not verified your e-mail address %s", r.s.Name, email)
	}
	name := strings.TrimSpace(claims.Name)
	if name == "" || domain.TextProblem(name, false) != "" || len(name) > 200 {
		name = email
	}
	return Identity{Subject: idt.Subject, Email: email, Name: name, Groups: claims.Groups, Roles: r.Roles(claims.Groups)}, nil
}

// Roles maps groups to roles, most privileged first, each once.
func (r *RP) Roles(groups []string) []domain.Role {
	var out []domain.Role
	for _, g := range groups {
		if role, ok := r.s.Groups[g]; ok && !slices.Contains(out, role) {
			out = append(out, role)
		}
	}
	slices.SortStableFunc(out, func(a, b domain.Role) int { return rank(a) - rank(b) })
	return out
}

// rank orders vendor roles as the password sign-in does: the most
// privileged role is the one a session opens with.
func rank(r domain.Role) int {
	switch r {
	case domain.RoleAdmin:
		return 0
	case domain.RoleFinance:
		return 1
	case domain.RoleChannelManager:
		return 2
	}
	return 3
}

// stringList reads a claim that is a list of strings or one string.
func stringList(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// shortReason names why go-oidc refused a token without its internals.
func shortReason(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "audience"):
		return "it was issued to another application"
	case strings.Contains(msg, "expired"):
		return "it has expired"
	case strings.Contains(msg, "issuer"):
		return "it comes from another issuer"
	case strings.Contains(msg, "signature"):
		return "its signature is not the provider's"
	}
	return "the ID token is not valid"
}

func random() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// FromConfig is the settings of dealflow's configuration (DEALFLOW_OIDC_*).
func FromConfig(cfg config.Config) Settings {
	groups := map[string]domain.Role{}
	pairs, _ := cfg.OIDCGroupRoles() // checked by config.Load
	for g, r := range pairs {
		groups[g] = domain.Role(r)
	}
	return Settings{Issuer: cfg.OIDCIssuer, ClientID: cfg.OIDCClientID, ClientSecret: cfg.OIDCClientSecret,
		RedirectURL: cfg.OIDCRedirectURL, Name: cfg.OIDCName, Groups: groups}
}
