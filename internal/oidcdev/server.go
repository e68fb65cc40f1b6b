// Package oidcdev is an OpenID Connect provider for development and tests:
// zitadel/oidc's OpenID Provider (pkg/op, with the in-memory storage and
// login page of its example server) serving one confidential client (the
// dealflow console) and a fixed set of users whose ID tokens carry a
// `groups` claim. It is a real provider — discovery, JWKS, authorization
// with a login page, code exchange with PKCE, signed ID tokens — that
// cmd/oidc-dev runs for `make run` and the tests (internal/testenv).
package oidcdev

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// GroupsScope is the scope that asks for the groups claim; GroupsClaim
// the claim, a list of group names.
const (
	GroupsScope = "groups"
	GroupsClaim = "groups"
)

// Client is a confidential web client (client secret over HTTP Basic)
// allowed to redirect to RedirectURIs.
type Client struct {
	ID, Secret   string
	RedirectURIs []string
}

// Config is what New serves.
type Config struct {
	// Issuer is the provider's URL as clients reach it, with a trailing
	// slash (http://127.0.0.1:9998/).
	Issuer  string
	Clients []Client
	Users   []User
	Log     *slog.Logger
}

// New returns the provider's HTTP handler.
func New(cfg Config) (http.Handler, error) {
	if len(cfg.Clients) == 0 {
		return nil, fmt.Errorf("oidcdev: no client")
	}
	clients := map[string]*storage.Client{}
	for _, c := range cfg.Clients {
		if c.ID == "" || c.Secret == "" || len(c.RedirectURIs) == 0 {
			return nil, fmt.Errorf("oidcdev: client %q needs a secret and a redirect URI", c.ID)
		}
		clients[c.ID] = storage.WebClient(c.ID, c.Secret, c.RedirectURIs...)
	}
	users := newUserStore(cfg.Users)
	st := &groupStorage{Storage: storage.NewStorageWithClients(users, clients), users: users}
	return exampleop.SetupServer(cfg.Issuer, st, cfg.Log, false), nil
}

// groupStorage is the example's storage whose ID tokens and userinfo
// carry the user's e-mail, name and groups when the scopes ask for them.
// (The example client leaves e-mail and profile claims out of an ID token
// issued with an access token; dealflow reads them from the ID token.)
type groupStorage struct {
	*storage.Storage
	users *userStore
}

// GetClientByClientID returns the client, allowed the groups scope.
func (s *groupStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil {
		return nil, err
	}
	return groupsClient{c}, nil
}

// groupsClient is a client that may ask for the groups scope.
type groupsClient struct{ op.Client }

// IsScopeAllowed allows the groups scope besides the standard ones.
func (c groupsClient) IsScopeAllowed(scope string) bool {
	return scope == GroupsScope || c.Client.IsScopeAllowed(scope)
}

// SetUserinfoFromRequest fills an ID token's claims from the scopes the
// client asked for (op.CanSetUserinfoFromRequest).
func (s *groupStorage) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, info, req, scopes); err != nil {
		return err
	}
	return s.addClaims(info, req.GetSubject(), req.GetScopes())
}

// SetUserinfoFromToken fills the userinfo endpoint's answer.
func (s *groupStorage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, origin string) error {
	if err := s.Storage.SetUserinfoFromToken(ctx, info, tokenID, subject, origin); err != nil {
		return err
	}
	if subject == "" {
		subject = info.Subject
	}
	return s.addClaims(info, subject, []string{oidc.ScopeEmail, oidc.ScopeProfile, GroupsScope})
}

func (s *groupStorage) addClaims(info *oidc.UserInfo, subject string, scopes []string) error {
	u := s.users.GetUserByID(subject)
	if u == nil {
		return fmt.Errorf("user %q not found", subject)
	}
	if slices.Contains(scopes, oidc.ScopeEmail) {
		info.Email = u.Email
		info.EmailVerified = oidc.Bool(u.EmailVerified)
	}
	if slices.Contains(scopes, oidc.ScopeProfile) {
		info.Name = u.FirstName + " " + u.LastName
		info.PreferredUsername = u.Username
	}
	if slices.Contains(scopes, GroupsScope) {
		info.AppendClaims(GroupsClaim, s.users.groups[subject])
	}
	return nil
}
