package e2e

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/dealflow/dealflow/api"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/config"
	"github.com/google/uuid"
)

// tokenOf maps each role to a token of the e2e stack (partners of
// organization A).
var tokenOf = map[domain.Role]string{
	domain.RolePartnerUser:    "partnerA",
	domain.RolePartnerAdmin:   "adminA",
	domain.RoleChannelManager: "manager",
	domain.RoleFinance:        "finance",
	domain.RoleAdmin:          "admin",
	domain.RoleSalesRep:       "seller",
}

// validBody is a body each step accepts, so that an object-level check
// reaches the object instead of stopping at validation.
var validBody = map[string]any{
	"approve": map[string]any{"reason": "x"}, "reject": map[string]any{"reason": "x"},
	"request-info": map[string]any{"question": "x"}, "answer-info": map[string]any{"answer": "x"},
	"withdraw": map[string]any{"reason": "x"}, "request-extension": map[string]any{"reason": "x"},
	"decide-extension": map[string]any{"grant": true, "reason": "x"},
	"close-won":        map[string]any{"amount": 100, "currency": "USD", "product_lines": []string{"vpn"}, "close_date": "2026-01-02"},
	"close-lost":       map[string]any{"reason": "x"}, "resolve-conflict": map[string]any{"outcome": "award", "reason": "x"},
	"correct-outcome": map[string]any{"amount": 1, "reason": "x"},
	"cosell":          map[string]any{"type": "proof_of_concept", "need_by": "2099-01-01", "message": "x"},
}

// The authorization matrix, generated from the router so that a new route
// cannot escape it: every route × every role. A role a route does not list
// gets 403 (OWASP API5, function level) and one it lists never does; no
// token gets 401. For every route on a deal, a partner of organization A
// asking about organization B's deal gets 404 and changes nothing (API1,
// object level); so does a partner admin of A on B's webhook
// subscription.
func TestAuthorizationMatrix(t *testing.T) {
	own := submit(t, stack.tokens["partnerA"]).str("id")
	otherHook := otherOrganizationsWebhook(t)
	other := submit(t, stack.tokens["partnerB"]).str("id")
	before := call(t, http.MethodGet, "/v1/deals/"+other+"/timeline", stack.tokens["partnerB"], nil).must(t, http.StatusOK)

	routes := api.NewServer(config.Config{}, nil, nil, nil).Routes()
	checked := 0
	for _, rt := range routes {
		if len(rt.Roles) == 0 {
			continue // health checks: no token needed
		}
		path := func(deal string) string {
			p := strings.ReplaceAll(rt.Path, "/v1/deals/:id", "/v1/deals/"+deal)
			for _, param := range []string{":id", ":line", ":partner"} {
				p = strings.ReplaceAll(p, param, uuid.NewString())
			}
			return p
		}
		var body any
		if rt.Method == http.MethodPost || rt.Method == http.MethodPut {
			body = map[string]any{}
		}
		if r := call(t, rt.Method, path(own), "", body); r.status != http.StatusUnauthorized {
			t.Errorf("%s %s without a token: %d, want 401", rt.Method, rt.Path, r.status)
		}
		for _, role := range domain.TokenRoles {
			r := call(t, rt.Method, path(own), stack.tokens[tokenOf[role]], body)
			allowed := slices.Contains(rt.Roles, role)
			switch {
			case !allowed && r.status != http.StatusForbidden:
				t.Errorf("%s %s as %s: %d, want 403 (not among %v)", rt.Method, rt.Path, role, r.status, rt.Roles)
			case allowed && (r.status == http.StatusForbidden || r.status == http.StatusUnauthorized || r.status >= 500):
				t.Errorf("%s %s as %s: %d (%s), want the route to take it", rt.Method, rt.Path, role, r.status, r.raw)
			}
			checked++
			if allowed && role.IsPartner() && strings.HasPrefix(rt.Path, "/v1/webhooks/subscriptions/:id") {
				p := strings.ReplaceAll(rt.Path, ":id", otherHook.id)
				if r := call(t, rt.Method, p, stack.tokens[tokenOf[role]], webhookBody(rt)); r.status != http.StatusNotFound {
					t.Errorf("%s %s as %s on another organization's subscription: %d (%s), want 404", rt.Method, rt.Path, role, r.status, r.raw)
				}
			}
			if allowed && role.IsPartner() && strings.HasPrefix(rt.Path, "/v1/deals/:id") {
				step := rt.Path[strings.LastIndex(rt.Path, "/")+1:]
				var b any
				if rt.Method == http.MethodPost {
					b = validBody[step]
					if b == nil {
						b = map[string]any{}
					}
				}
				if r := call(t, rt.Method, path(other), stack.tokens[tokenOf[role]], b); r.status != http.StatusNotFound {
					t.Errorf("%s %s as %s on another organization's deal: %d (%s), want 404", rt.Method, rt.Path, role, r.status, r.raw)
				}
			}
		}
	}
	// Object level for the partner scorecards: a partner's users read their
	// own organization's and never another's (404, scoped in SQL).
	for who, own := range map[string]string{"partnerA": stack.partnerA, "adminA": stack.partnerA, "partnerB": stack.partnerB} {
		foreign := stack.partnerB
		if own == stack.partnerB {
			foreign = stack.partnerA
		}
		call(t, http.MethodGet, "/v1/partners/"+own+"/scorecard", stack.tokens[who], nil).must(t, http.StatusOK)
		if r := call(t, http.MethodGet, "/v1/partners/"+foreign+"/scorecard", stack.tokens[who], nil); r.status != http.StatusNotFound {
			t.Errorf("%s reading another organization's scorecard: %d (%s), want 404", who, r.status, r.raw)
		}
	}
	after := call(t, http.MethodGet, "/v1/deals/"+other+"/timeline", stack.tokens["partnerB"], nil).must(t, http.StatusOK)
	if string(after.raw) != string(before.raw) {
		t.Fatalf("organization B's deal changed:\n%s\n%s", before.raw, after.raw)
	}
	otherHook.unchanged(t)
	sharedOpportunityObjects(t)
	t.Logf("%d route × role pairs checked over %d routes", checked, len(routes))
}

// publicRoutes are the only API routes that take no token, each for a
// reason: probes and the description; the referral link and the public
// lead form; the e-mailed unsubscribe link (its signed token names the
// person); asking for a password reset or sign-in link and confirming a
// reset (the e-mailed link's token is the credential). A route added
// without roles fails TestOnlyListedRoutesTakeNoToken until it is listed
// here with its reason.
var publicRoutes = map[string]bool{
	"GET /healthz": true, "GET /readyz": true, "GET /openapi.json": true,
	"GET /r/:code": true, "GET /lead-form": true, "POST /lead-form": true,
	"GET /v1/notifications/unsubscribe": true, "POST /v1/notifications/unsubscribe": true,
	"POST /v1/password-resets": true, "POST /v1/password-resets/confirm": true, "POST /v1/sign-in-links": true,
}

// The authorization matrix skips routes without roles; this keeps that
// set to the routes meant to be public, and checks that the sign-in ones
// answer a stranger without a token the same for any address.
func TestOnlyListedRoutesTakeNoToken(t *testing.T) {
	for _, rt := range api.NewServer(config.Config{}, nil, nil, nil).Routes() {
		if key := rt.Method + " " + rt.Path; len(rt.Roles) == 0 && !publicRoutes[key] {
			t.Errorf("%s takes no token and is not in publicRoutes", key)
		}
	}
	for _, path := range []string{"/v1/password-resets", "/v1/sign-in-links"} {
		a := call(t, http.MethodPost, path, "", map[string]any{"email": "nobody-" + uuid.NewString()[:8] + "@northwind.example"}).must(t, http.StatusAccepted)
		b := call(t, http.MethodPost, path, "", map[string]any{"email": "pat@northwind.example"}).must(t, http.StatusAccepted)
		if string(a.raw) != string(b.raw) {
			t.Errorf("%s answers a known and an unknown address differently:\n%s\n%s", path, a.raw, b.raw)
		}
	}
}
