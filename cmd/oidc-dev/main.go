// Command oidc-dev runs an OpenID Connect provider for development and
// tests (internal/oidcdev): one confidential client and the demo vendor
// staff (or the users of --users), whose ID tokens carry a groups claim.
// `make run` starts it (scripts/dev.sh); the tests start it with
// internal/testenv.StartOIDCProvider. Not for production.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/dealflow/dealflow/internal/oidcdev"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9998", "address to listen on")
	issuer := flag.String("issuer", "", "issuer URL (default http://<addr>/)")
	clientID := flag.String("client-id", "dealflow", "the client's id")
	secret := flag.String("client-secret", "dealflow-dev-secret", "the client's secret")
	redirects := flag.String("redirect-uri", "http://127.0.0.1:8080/console/sign-in/oidc/callback", "comma-separated redirect URIs the client may use")
	usersFile := flag.String("users", "", "JSON file of users (default: the demo users)")
	var more clientFlags
	flag.Var(&more, "also-client", "another client, id:secret, with the same redirect URIs (repeatable)")
	flag.Parse()
	if *issuer == "" {
		*issuer = "http://" + *addr + "/"
	}
	users := oidcdev.DemoUsers()
	if *usersFile != "" {
		var err error
		if users, err = oidcdev.LoadUsers(*usersFile); err != nil {
			fmt.Fprintln(os.Stderr, "oidc-dev:", err)
			os.Exit(2)
		}
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	clients := []oidcdev.Client{{ID: *clientID, Secret: *secret, RedirectURIs: strings.Split(*redirects, ",")}}
	for _, c := range more {
		id, sec, _ := strings.Cut(c, ":")
		clients = append(clients, oidcdev.Client{ID: id, Secret: sec, RedirectURIs: clients[0].RedirectURIs})
	}
	h, err := oidcdev.New(oidcdev.Config{Issuer: *issuer, Users: users, Log: log, Clients: clients})
	if err != nil {
		fmt.Fprintln(os.Stderr, "oidc-dev:", err)
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "oidc-dev:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "oidc-dev: issuer %s listening on %s\n", *issuer, ln.Addr())
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, "oidc-dev:", err)
		os.Exit(1)
	}
}

// clientFlags collects the repeated --also-client flags.
type clientFlags []string

func (f *clientFlags) String() string { return strings.Join(*f, ",") }

func (f *clientFlags) Set(v string) error {
	if id, sec, ok := strings.Cut(v, ":"); !ok || id == "" || sec == "" {
		return fmt.Errorf("want id:secret")
	}
	*f = append(*f, v)
	return nil
}
