package console

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/internal/config"
	"github.com/dealflow/dealflow/internal/oidcdev"
	"github.com/dealflow/dealflow/internal/testenv"
	"go.temporal.io/sdk/client"
)

// The console's OIDC sign-in against the real provider and PostgreSQL
// (no Temporal needed): the sign-in page links to it, the provider's login
// signs the vendor admin in, the callback opens a session on the admin's
// home page, and a replayed callback is a page saying so, never a 5xx.
func TestOIDCSignInOpensASession(t *testing.T) {
	ctx := context.Background()
	d, err := testenv.NewDatabase(ctx, "console_oidc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	p, err := testenv.StartOIDCProvider(ctx, srv.URL+"/console/sign-in/oidc/callback")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	cfg, err := config.Load(func(name string) string {
		return map[string]string{"DEALFLOW_OIDC_ISSUER": p.Issuer, "DEALFLOW_OIDC_CLIENT_ID": p.ClientID,
			"DEALFLOW_OIDC_CLIENT_SECRET": p.ClientSecret, "DEALFLOW_CONSOLE_URL": srv.URL, "DEALFLOW_OIDC_NAME": "Vendor SSO"}[name]
	})
	if err != nil {
		t.Fatal(err)
	}
	tc, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tc.Close)
	h = served(cfg, d.Pool, tc, nil)

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 20 * time.Second}
	res, err := browser.Get(srv.URL + "/console/sign-in")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(page), "Sign in with Vendor SSO") {
		t.Fatalf("sign-in page:\n%s", page)
	}
	back, err := p.SignIn(ctx, browser, srv.URL+"/console/sign-in/oidc", "ada.admin@vendor.example", oidcdev.DemoPassword,
		srv.URL+"/console/sign-in/oidc/callback")
	if err != nil {
		t.Fatal(err)
	}
	noFollow := &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err = noFollow.Get(back.String())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/console/inbox" {
		t.Fatalf("callback: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	res, err = noFollow.Get(srv.URL + "/console/people")
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(page), "Ada Admin") {
		t.Fatalf("the admin's people page: %d\n%s", res.StatusCode, page)
	}
	res, err = noFollow.Get(back.String())
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(page), "Start again") {
		t.Fatalf("replayed callback: %d\n%s", res.StatusCode, page)
	}
}
