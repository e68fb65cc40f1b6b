package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/cosell"
	"github.com/dealflow/dealflow/workflows/deal"
	"github.com/dealflow/dealflow/workflows/incentive"
	"github.com/dealflow/dealflow/workflows/lead"
	"github.com/dealflow/dealflow/workflows/quote"
	"github.com/google/uuid"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// probeObjects are the objects the probes aim at: a partner organization
// of their own with a deal awaiting review, a partner program, and an
// incentive cycle in review with one of its lines, so that a probe with a
// real id reaches the object (and a write it should not make would show).
type probeObjects struct {
	partner string
	// tokens holds a token per role; the partner roles' are partner's.
	tokens      map[domain.Role]string
	deal        string
	program     string
	incentive   string
	cycle, line string
	// linePartner is the partner of line.
	linePartner string
	// sold is an approved deal of partner's with a co-sell engagement
	// (engagement, assigned to the sales_rep's e-mail) and a draft quote
	// (quote) of product sku.
	sold, engagement, quote, sku string
	// lead is a lead offered to partner alone (its lead profile has
	// leadTag, and the default program's first routing rule gives leads
	// of that tag to partners of that tag).
	lead, leadTag string
	// user is a user of partner's the probes may re-role or deactivate
	// (no probe acts with its token).
	user string
	// webhook is a webhook subscription of partner's, to a URL nothing
	// listens on.
	webhook string
}

func newProbeObjects(t *testing.T) probeObjects {
	t.Helper()
	fx := probeObjects{tokens: map[domain.Role]string{
		domain.RoleChannelManager: stack.tokens["manager"], domain.RoleFinance: stack.tokens["finance"], domain.RoleAdmin: stack.tokens["admin"],
	}}
	var err error
	sellerEmail := fmt.Sprintf("sid.%s@vendor.example", tag())
	if fx.tokens[domain.RoleSalesRep], err = cliLine("token", "create", "--role", string(domain.RoleSalesRep), "--name", "Sid Probe",
		"--email", sellerEmail); err != nil {
		t.Fatal(err)
	}
	if fx.partner, err = cliLine("partner", "create", "--name", "Probe Partner "+tag(), "--type", "reseller", "--tier", "gold"); err != nil {
		t.Fatal(err)
	}
	for _, role := range []domain.Role{domain.RolePartnerUser, domain.RolePartnerAdmin} {
		if fx.tokens[role], err = cliLine("token", "create", "--role", string(role), "--partner", fx.partner, "--name", "Pia Probe",
			"--email", fmt.Sprintf("pia.%s.%s@probe.example", role, tag())); err != nil {
			t.Fatal(err)
		}
	}
	fx.deal = call(t, http.MethodPost, "/v1/deals", fx.tokens[domain.RolePartnerUser], dealBody()).must(t, http.StatusCreated).str("id")
	fx.program = post(t, "/v1/programs", "admin", map[string]any{"name": "Probe program " + tag()}).must(t, http.StatusCreated).str("id")
	fx.cycle = cycleInReview(t)
	fx.incentive = call(t, http.MethodGet, "/v1/cycles/"+fx.cycle, stack.tokens["finance"], nil).must(t, http.StatusOK).str("program_id")
	lines, _ := call(t, http.MethodGet, "/v1/cycles/"+fx.cycle+"/lines", stack.tokens["finance"], nil).must(t, http.StatusOK).body["lines"].([]any)
	if len(lines) == 0 || fx.incentive == "" {
		t.Fatalf("the probes' cycle has no lines or program")
	}
	fx.line = lines[0].(map[string]any)["id"].(string)
	fx.linePartner = lines[0].(map[string]any)["partner_id"].(string)
	fx.soldDeal(t, sellerEmail)
	fx.offeredLead(t)
	email := fmt.Sprintf("uma.%s@probe.example", tag())
	if _, err := cliLine("token", "create", "--role", "partner_user", "--partner", fx.partner, "--name", "Uma Probe", "--email", email); err != nil {
		t.Fatal(err)
	}
	if err := stack.pool.QueryRow(t.Context(), `SELECT u.id::text FROM users u JOIN people p ON p.id = u.person_id WHERE p.email = $1`,
		email).Scan(&fx.user); err != nil {
		t.Fatalf("the probes' user: %v", err)
	}
	fx.webhook = call(t, http.MethodPost, "/v1/webhooks/subscriptions", fx.tokens[domain.RolePartnerAdmin],
		map[string]any{"url": "http://127.0.0.1:9/probe", "event_types": []string{"approved"}}).must(t, http.StatusCreated).str("id")
	return fx
}

// offeredLead makes fx.lead: the probe partner gets a lead profile with a
// tag of its own, the default program a first routing rule taking leads of
// that tag to partners of that tag (the rules after it route every other
// lead as before), and a lead of that tag is created: it is offered to
// the probe partner, and to no one else.
func (fx *probeObjects) offeredLead(t *testing.T) {
	t.Helper()
	mgr := stack.tokens["manager"]
	fx.leadTag = "probe-" + tag()
	call(t, http.MethodPut, "/v1/partners/"+fx.partner+"/lead-profile", mgr, map[string]any{"capacity": 100, "weight": 1,
		"tags": []string{fx.leadTag}}).must(t, http.StatusOK)
	var prog string
	var policy, rules []byte
	if err := stack.pool.QueryRow(t.Context(), `SELECT id::text, lead_policy, lead_rules FROM programs WHERE is_default`).
		Scan(&prog, &policy, &rules); err != nil {
		t.Fatal(err)
	}
	var existing []any
	_ = json.Unmarshal(rules, &existing)
	call(t, http.MethodPut, "/v1/programs/"+prog+"/lead-routing", mgr, map[string]any{"policy": json.RawMessage(policy),
		"rules": append([]any{map[string]any{"name": fx.leadTag, "lead_tags": []string{fx.leadTag}, "partner_tags": []string{fx.leadTag}}},
			existing...)}).must(t, http.StatusOK)
	body := leadBody("probe-lead-" + tag() + ".example.com")
	body["tags"] = []string{fx.leadTag}
	r := call(t, http.MethodPost, "/v1/leads", mgr, body).must(t, http.StatusCreated)
	offers, _ := r.body["offers"].([]any)
	if fx.lead = r.str("id"); r.str("status") != "offered" || len(offers) != 1 || offers[0].(map[string]any)["partner_id"] != fx.partner {
		t.Fatalf("the probes' lead is not offered to the probe partner alone: %s", r.raw)
	}
}

// soldDeal makes fx.sold: a deal of the probe partner's, approved, whose
// customer the seller owns in the CRM (so the co-sell request is routed to
// them), with a co-sell engagement and a draft quote of a product of its
// own.
func (fx *probeObjects) soldDeal(t *testing.T, sellerEmail string) {
	t.Helper()
	body := dealBody()
	fx.sold = call(t, http.MethodPost, "/v1/deals", fx.tokens[domain.RolePartnerUser], body).must(t, http.StatusCreated).str("id")
	post(t, "/v1/deals/"+fx.sold+"/approve", "manager", map[string]string{"reason": "probe"}).must(t, http.StatusOK)
	customer := body["customer"].(map[string]any)
	post(t, "/v1/accounts/import", "manager", map[string]any{"accounts": []map[string]any{{"external_id": "probe-cosell-" + tag(),
		"name": customer["name"], "domain": customer["domain"], "country": "US", "owner_type": "direct", "owner_email": sellerEmail}}}).
		must(t, http.StatusOK)
	eng := call(t, http.MethodPost, "/v1/deals/"+fx.sold+"/cosell", fx.tokens[domain.RolePartnerUser], map[string]any{"type": "proof_of_concept",
		"need_by": time.Now().UTC().AddDate(0, 0, 30).Format(time.DateOnly), "message": "probe"}).must(t, http.StatusCreated)
	if fx.engagement = eng.str("id"); eng.str("assignee_email") != sellerEmail {
		t.Fatalf("the probes' engagement is not the seller's: %s", eng.raw)
	}
	fx.sku = "PROBE-" + tag()
	call(t, http.MethodPut, "/v1/quote-catalog/products/"+fx.sku, stack.tokens["admin"], map[string]any{"name": "Probe seat",
		"product_line": "firewall", "unit": "seat", "discountable": true, "active": true, "min_qty": 1, "max_qty": 1000}).must(t, http.StatusOK)
	post(t, "/v1/quote-catalog/prices", "admin", map[string]any{"sku": fx.sku, "currency": "USD", "effective_from": "2020-01-01",
		"list_price": 10000}).must(t, http.StatusCreated)
	fx.quote = call(t, http.MethodPost, "/v1/deals/"+fx.sold+"/quotes", fx.tokens[domain.RolePartnerUser], map[string]any{"currency": "USD",
		"lines": []map[string]any{{"sku": fx.sku, "quantity": 2}}}).must(t, http.StatusCreated).str("id")
}

var routeParam = regexp.MustCompile(`:([a-z_]+)`)

// openAPIPath is a router path as /openapi.json spells it.
func openAPIPath(path string) string { return routeParam.ReplaceAllString(path, "{$1}") }

// fill puts the probes' objects into a route's path; bad replaces the
// parameter named so (when not "") with a bad value instead.
func (fx probeObjects) fill(path, param, bad string) string {
	return routeParam.ReplaceAllStringFunc(path, func(m string) string {
		if m[1:] == param {
			return bad
		}
		return fx.param(path, m)
	})
}

// param is the probes' object for the parameter m (":id", ":line") of a
// route's path.
func (fx probeObjects) param(path, m string) string {
	switch {
	case m == ":line":
		return fx.line
	case m == ":partner":
		return fx.linePartner
	case m == ":sku":
		return fx.sku
	case strings.HasPrefix(path, "/v1/deals/") && (strings.HasSuffix(path, "/quotes") || strings.HasSuffix(path, "/cosell")):
		return fx.sold
	case strings.HasPrefix(path, "/v1/quotes/"), strings.HasPrefix(path, "/console/quotes/"):
		return fx.quote
	case strings.HasPrefix(path, "/v1/cosell/engagements/"), strings.HasPrefix(path, "/console/cosell/engagements/"):
		return fx.engagement
	case strings.HasPrefix(path, "/v1/leads/"), strings.HasPrefix(path, "/console/leads/"):
		return fx.lead
	case strings.HasPrefix(path, "/v1/users/"):
		return fx.user
	case strings.HasPrefix(path, "/v1/webhooks/subscriptions/"):
		return fx.webhook
	case strings.HasPrefix(path, "/v1/partners/"), strings.HasPrefix(path, "/console/partners/"):
		return fx.partner
	case strings.HasPrefix(path, "/v1/deals/"), strings.HasPrefix(path, "/console/deals/"):
		return fx.deal
	case strings.HasPrefix(path, "/v1/programs/"), strings.HasPrefix(path, "/console/lead-routing/"), strings.HasPrefix(path, "/console/cosell-policy/"):
		return fx.program
	case strings.HasPrefix(path, "/v1/incentive-programs/"), strings.HasPrefix(path, "/console/programs/"):
		return fx.incentive
	case strings.HasPrefix(path, "/v1/cycles/"), strings.HasPrefix(path, "/v1/statements/"),
		strings.HasPrefix(path, "/console/cycles/"), strings.HasPrefix(path, "/console/statements/"):
		return fx.cycle
	case strings.HasPrefix(path, "/v1/statement-lines/"), strings.HasPrefix(path, "/console/statement-lines/"):
		return fx.line
	}
	// Never a real token: a probe must not revoke one.
	return uuid.NewString()
}

// roleFor picks who sends a route's probes: the deal's own partner on a
// deal's steps a partner takes, else the first of the vendor roles (which
// read every organization's objects) the route admits; the engagement's
// seller where only sellers may.
func roleFor(path string, roles []domain.Role) domain.Role {
	prefer := []domain.Role{domain.RoleFinance, domain.RoleChannelManager, domain.RoleAdmin, domain.RolePartnerUser, domain.RolePartnerAdmin,
		domain.RoleSalesRep}
	if strings.HasPrefix(path, "/v1/deals") || strings.HasPrefix(path, "/console/deals") {
		prefer = []domain.Role{domain.RolePartnerUser, domain.RolePartnerAdmin, domain.RoleChannelManager, domain.RoleFinance, domain.RoleAdmin}
	}
	for _, r := range prefer {
		for _, allowed := range roles {
			if r == allowed {
				return r
			}
		}
	}
	return ""
}

// probeBodies are valid bodies of every route that takes one (by method
// and OpenAPI path): the probes change one position at a time, so that
// the change is the only thing wrong.
func probeBodies(fx probeObjects) map[string]any {
	lastMonth := time.Date(time.Now().UTC().Year(), time.Now().UTC().Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0).Format(time.DateOnly)
	id := tag()
	policy := map[string]any{"auto_approve": map[string]any{"enabled": false, "min_tier": "gold", "max_amount": map[string]any{"USD": 5_000_000}},
		"kinds": map[string]any{"reseller": []string{"resale"}}, "protection": map[string]any{"days": 90}}
	rules := map[string]any{"amount": 250_00, "per": "deal", "product_lines": []string{"vpn"}}
	out := map[string]any{
		"POST /v1/deals": dealBody(),
		"POST /v1/conflict-checks": map[string]any{"customer": map[string]any{"name": "Probe Customer Corp", "domain": "probe-customer.com", "country": "US"},
			"product_lines": []string{"firewall"}},
		"POST /v1/accounts/import": map[string]any{"accounts": []any{map[string]any{"external_id": "P-" + id, "name": "Probe Account " + id,
			"domain": "probe" + id + ".com", "country": "US", "owner_type": "partner", "owner_partner_id": fx.partner, "reserved_for_direct": false}}},
		"POST /v1/opportunities/import": map[string]any{"opportunities": []any{map[string]any{"external_id": "PO-" + id, "account_name": "Probe Opp " + id,
			"domain": "probeopp" + id + ".com", "country": "US", "owner": "Sam Seller", "stage": "proposal", "status": "open", "amount": 100_000,
			"currency": "USD", "product_lines": []string{"firewall"}, "close_date": "2027-01-31"}}},
		"POST /v1/programs":           map[string]any{"name": "Probe program " + id, "policy": policy},
		"PUT /v1/programs/{id}":       map[string]any{"name": "Probe program " + id + " (renamed)", "policy": policy},
		"POST /v1/cycles":             map[string]any{"program_id": fx.incentive, "period_start": lastMonth},
		"POST /v1/tokens/{id}/revoke": nil,
		"POST /v1/users/invitations": map[string]any{"email": "ivy." + id + "@probe.example", "name": "Ivy Invitee", "role": "partner_user",
			"partner_id": fx.partner},
		"POST /v1/users/{id}/deactivate":      nil,
		"PUT /v1/me/notification-preferences": map[string]any{"email": "immediate"},
		"POST /v1/me/notifications/read-all":  nil, // no body; up_to in the query
		"POST /v1/me/notifications/{id}/read": nil,
		"PUT /v1/users/{id}/role":             map[string]any{"role": "partner_admin"},
		"PATCH /v1/partners/{id}":             map[string]any{"tier": "silver", "reason": "probe"},
		// Sign-in (docs/people.md): the public link requests take no token
		// (the sweep covers routes with roles; e2e/signin_test.go probes
		// these); the caller's own TOTP steps.
		"POST /v1/password-resets":         map[string]any{"email": "probe." + id + "@probe.example"},
		"POST /v1/password-resets/confirm": map[string]any{"token": "dft_probe", "password": "quartz-meadow-lantern-9"},
		"POST /v1/sign-in-links":           map[string]any{"email": "probe." + id + "@probe.example"},
		"POST /v1/me/totp":                 nil,
		"POST /v1/me/totp/confirm":         map[string]any{"code": "123456"},
		"POST /v1/me/totp/disable":         map[string]any{"code": "123456"},
		// Webhooks (docs/webhooks.md): the probe partner's subscription.
		"POST /v1/webhooks/subscriptions": map[string]any{"url": "http://127.0.0.1:9/probe-" + id, "description": "probe",
			"event_types": []string{"approved"}},
		"PATCH /v1/webhooks/subscriptions/{id}": map[string]any{"url": "http://127.0.0.1:9/probe", "description": "probe",
			"event_types": []string{"approved"}, "status": "active"},
		"DELETE /v1/webhooks/subscriptions/{id}":             nil,
		"POST /v1/webhooks/subscriptions/{id}/rotate-secret": map[string]any{"overlap_seconds": 60},
		"POST /v1/webhooks/subscriptions/{id}/replay":        map[string]any{"from_event_id": 1},
		"POST /v1/webhooks/subscriptions/{id}/test":          nil,
		"POST /v1/incentive-programs": map[string]any{"code": "probe-" + id, "name": "Probe SPIFF", "kind": "spiff", "currency": "USD",
			"period": "month", "grace_days": 3, "starts_on": lastMonth, "rules": rules},
		"POST /v1/incentive-programs/{id}/versions":       map[string]any{"rules": rules, "reason": "probe"},
		"POST /v1/cycles/{id}/lines/{line}/adjust":        map[string]any{"amount": 1, "reason": "probe"},
		"POST /v1/cycles/{id}/partners/{partner}/hold":    map[string]any{"reason": "probe"},
		"POST /v1/cycles/{id}/partners/{partner}/release": map[string]any{"reason": "probe"},
		"POST /v1/cycles/{id}/approve":                    map[string]any{"reason": "probe"},
		"POST /v1/deals/{id}/answer-info": map[string]any{"answer": "probe", "changes": map[string]any{
			"contact": map[string]any{"name": "Jo Probe", "email": "jo@probe.example"}, "product_lines": []string{"vpn"}, "amount": 1000,
			"currency": "USD", "expected_close_date": "2027-03-31", "notes": "probe"}},
		"POST /v1/deals/{id}/close-won":         map[string]any{"amount": 100, "currency": "USD", "product_lines": []string{"vpn"}, "units": 1, "close_date": todayDate()},
		"POST /v1/deals/{id}/close-lost":        map[string]any{"reason": "probe", "close_date": todayDate()},
		"POST /v1/deals/{id}/decide-correction": map[string]any{"approve": true, "reason": "probe"},
		// Quotes (docs/quote.md): the probes' quote, its deal, its product.
		"POST /v1/deals/{id}/quotes":    map[string]any{"currency": "USD", "lines": []any{map[string]any{"sku": fx.sku, "quantity": 3, "additional_bp": 100}}},
		"POST /v1/quotes/{id}/submit":   map[string]any{"reason": "probe"},
		"POST /v1/quotes/{id}/approve":  map[string]any{"reason": "probe"},
		"POST /v1/quotes/{id}/reject":   map[string]any{"reason": "probe"},
		"POST /v1/quotes/{id}/withdraw": map[string]any{"reason": "probe"},
		"POST /v1/quotes/{id}/revise": map[string]any{"lines": []any{map[string]any{"sku": fx.sku, "quantity": 4, "additional_bp": 0}},
			"reason": "probe"},
		"POST /v1/quotes/{id}/accept": map[string]any{"po_number": "PO-" + id, "accepted_on": todayDate()},
		"PUT /v1/quote-catalog/products/{sku}": map[string]any{"name": "Probe seat", "product_line": "firewall", "unit": "seat",
			"discountable": true, "active": true, "min_qty": 1, "max_qty": 1000, "requires": []string{}, "excludes": []string{}},
		"POST /v1/quote-catalog/prices": map[string]any{"sku": fx.sku, "currency": "USD", "effective_from": "2021-01-01", "list_price": 12000},
		"POST /v1/quote-catalog/schedules": map[string]any{"sku": fx.sku, "kind": "range",
			"tiers": []any{map[string]any{"from": 1, "bp": 0}, map[string]any{"from": 10, "bp": 500}}},
		"POST /v1/quote-catalog/policy": map[string]any{"registration_bp": 500, "manager_up_to_bp": 1000, "validity_days": 30,
			"reminder_days": 5, "approval_sla_hours": 24, "partner_discounts": []any{map[string]any{"partner_type": "reseller",
				"tier": "gold", "product_line": "firewall", "bp": 1000}}},
		"POST /v1/quote-catalog/import": nil, // CSV (not JSON); its own test sends bad files
		// Co-selling (docs/cosell.md): the probes' engagement, its deal.
		"POST /v1/deals/{id}/cosell": map[string]any{"type": "proof_of_concept",
			"need_by": time.Now().UTC().AddDate(0, 0, 30).Format(time.DateOnly), "message": "probe"},
		"POST /v1/cosell/territories": map[string]any{"seller_email": "probe." + id + "@vendor.example", "country": "NZ",
			"product_line": "vpn"},
		"POST /v1/cosell/engagements/{id}/accept":   map[string]any{"reason": "probe"},
		"POST /v1/cosell/engagements/{id}/decline":  map[string]any{"reason": "probe"},
		"POST /v1/cosell/engagements/{id}/reassign": map[string]any{"seller_email": "probe." + id + "@vendor.example", "reason": "probe"},
		"POST /v1/cosell/engagements/{id}/milestones": map[string]any{"title": "Probe milestone", "side": "partner", "owner": "Pia",
			"due": time.Now().UTC().AddDate(0, 0, 20).Format(time.DateOnly)},
		"POST /v1/cosell/engagements/{id}/complete-milestone": map[string]any{"id": "m1"},
		"POST /v1/cosell/engagements/{id}/notes":              map[string]any{"body": "probe"},
		"POST /v1/cosell/engagements/{id}/stage":              map[string]any{"stage": "qualified", "reason": "probe"},
		"POST /v1/cosell/engagements/{id}/next-steps":         map[string]any{"next_steps": "probe"},
		// Shared opportunities (vendor → partner): shared with the probe
		// partner; the steps aim at an opportunity that does not exist.
		"POST /v1/cosell/opportunities": map[string]any{"customer_name": "Probe Shared " + id, "domain": "probe-shared-" + id + ".example.com",
			"country": "NZ", "product_lines": []string{"firewall"}, "amount": 100000, "currency": "USD", "capabilities": []string{"soc"},
			"expected_close_date": time.Now().UTC().AddDate(0, 2, 0).Format(time.DateOnly), "notes": "probe", "mode": "first_to_accept",
			"partner_ids": []string{fx.partner}, "filters": map[string]any{"partner_types": []string{"reseller"}}},
		"POST /v1/cosell/opportunities/{id}/choose":   map[string]any{"partner_id": fx.partner, "reason": "probe"},
		"POST /v1/cosell/opportunities/{id}/withdraw": map[string]any{"reason": "probe"},
		"POST /v1/cosell/invitations/{id}/accept":     map[string]any{"reason": "probe"},
		"POST /v1/cosell/invitations/{id}/decline":    map[string]any{"reason": "probe"},
		"POST /v1/cosell/invitations/{id}/interest":   map[string]any{"reason": "probe"},
		// Leads and referrals (docs/lead.md): the probes' lead, offered to
		// the probe partner; the probe program's routing; the probe
		// partner's lead profile.
		"POST /v1/leads":                probeLeadBody(fx, "probe-lead-"+id+".example.com"),
		"POST /v1/leads/import":         nil, // CSV (not JSON); its own test sends bad files
		"POST /v1/leads/{id}/accept":    map[string]any{"reason": "probe"},
		"POST /v1/leads/{id}/decline":   map[string]any{"reason": "probe"},
		"POST /v1/leads/{id}/contacted": map[string]any{"reason": "probe"},
		"POST /v1/leads/{id}/reoffer":   map[string]any{"reason": "probe"},
		"POST /v1/leads/{id}/assign":    map[string]any{"partner_id": fx.partner, "reason": "probe"},
		"POST /v1/leads/{id}/close":     map[string]any{"close_reason": "other", "reason": "probe"},
		"POST /v1/leads/{id}/convert": map[string]any{"kind": "vendor_sourced", "partner_id": fx.partner, "amount": 10000, "currency": "USD",
			"expected_close_date": time.Now().UTC().AddDate(0, 2, 0).Format(time.DateOnly), "reason": "probe"},
		"POST /v1/referrals":         probeLeadBody(fx, "probe-referral-"+id+".example.com"),
		"POST /v1/referral-codes":    nil,
		"POST /v1/referral-landings": map[string]any{"url": "https://probe-" + id + ".example.com/landing"},
		"PUT /v1/programs/{id}/cosell-policy": map[string]any{"respond_within_business_days": 2, "remind_after_business_days": 1,
			"milestone_reminder_days": 2, "holidays": []string{"2026-12-25"}, "reason": "probe"},
		"POST /v1/mapping/accounts": map[string]any{"accounts": []any{map[string]any{"external_id": "probe-" + id,
			"name": "Probe Mapping " + id, "domain": "probe-map-" + id + ".example.com", "country": "DE", "relation": "customer"}}},
		"PUT /v1/mapping/opt-ins": map[string]any{"categories": []any{map[string]any{"partner_relation": "customer", "vendor_category": "opportunity"}}},
		"PUT /v1/partners/{id}/lead-profile": map[string]any{"countries": []string{"DE"}, "product_lines": []string{"firewall"},
			"tags": []string{fx.leadTag}, "capacity": 100, "weight": 1},
		"PUT /v1/programs/{id}/lead-routing": map[string]any{"policy": map[string]any{"mode": "broadcast", "broadcast_to": 2,
			"accept_within": "48h", "reminder_at": "24h", "first_contact_within": "120h", "max_offers": 3, "attribution_days": 90,
			"attribution_model": "first"}, "rules": []any{map[string]any{"name": "probe", "countries": []string{"DE"},
			"regions": []string{"EMEA"}, "product_lines": []string{"firewall"}, "lead_tags": []string{"probe"},
			"partner_types": []string{"reseller"}, "min_tier": "gold", "partner_tags": []string{"probe"}}}},
	}
	for step, b := range validBody {
		if _, ok := out["POST /v1/deals/{id}/"+step]; !ok {
			out["POST /v1/deals/{id}/"+step] = b
		}
	}
	return out
}

// probeLeadBody is a lead of every field, in the probe program, for
// company domain d.
func probeLeadBody(fx probeObjects, d string) map[string]any {
	b := leadBody(d)
	b["program_id"], b["region"], b["tags"], b["notes"] = fx.program, "EMEA", []string{"probe"}, "probe"
	return b
}

// rowCounts reads what a refused request must not change (not
// notification_reads: POST /v1/me/notifications/read-all takes no body and
// accepts the sweep's probes with filters it does not read, marking the
// probe users' feeds read as asked): the number of
// rows of every table requests write (those the probes' own objects
// scope where other work may write meanwhile), the probes' deal and cycle
// rows as they are, and the histories of their workflows in Temporal
// (historyLength).
func rowCounts(t *testing.T, fx probeObjects, tc client.Client) map[string]string {
	t.Helper()
	out := map[string]string{}
	for name, q := range map[string]string{
		"deals":                             `SELECT count(*)::text FROM deals`,
		"partners":                          `SELECT count(*)::text FROM partners`,
		"programs":                          `SELECT count(*)::text FROM programs`,
		"programs as they are":              `SELECT md5(string_agg(row_to_json(p)::text, ',' ORDER BY id)) FROM programs p`,
		"incentive_programs":                `SELECT count(*)::text FROM incentive_programs`,
		"incentive_program_versions":        `SELECT count(*)::text FROM incentive_program_versions`,
		"accounts":                          `SELECT count(*)::text FROM accounts`,
		"opportunities":                     `SELECT count(*)::text FROM opportunities`,
		"people":                            `SELECT count(*)::text FROM people`,
		"users":                             `SELECT count(*)::text FROM users`,
		"users as they are":                 `SELECT md5(string_agg(row_to_json(u)::text, ',' ORDER BY id)) FROM users u`,
		"invitations":                       `SELECT count(*)::text FROM invitations`,
		"sign_in_links":                     `SELECT count(*)::text || '/' || count(used_at)::text FROM sign_in_links`,
		"recovery_codes":                    `SELECT count(*)::text || '/' || count(used_at)::text FROM recovery_codes`,
		"mfa_challenges":                    `SELECT count(*)::text FROM mfa_challenges`,
		"people with TOTP on":               `SELECT count(totp_enabled_at)::text FROM people`,
		"oidc_sign_ins":                     `SELECT count(*)::text FROM oidc_sign_ins`,
		"oidc_role_drops":                   `SELECT count(*)::text FROM oidc_role_drops`,
		"notification_preferences":          `SELECT md5(string_agg(row_to_json(n)::text, ',' ORDER BY person_id)) FROM notification_preferences n`,
		"notification_digests":              `SELECT count(*)::text FROM notification_digests`,
		"partner_events":                    `SELECT count(*)::text FROM partner_events`,
		"webhook_subscriptions as they are": `SELECT count(*)::text || md5(coalesce(string_agg(row_to_json(w)::text, ',' ORDER BY id), '')) FROM webhook_subscriptions w`,
		"api_tokens (revoked)":              `SELECT count(*)::text || '/' || count(revoked_at)::text FROM api_tokens`,
		"ledger_entries":                    `SELECT count(*)::text FROM ledger_entries`,
		"payouts":                           `SELECT count(*)::text FROM payouts`,
		"quotes as they are":                `SELECT count(*)::text || md5(coalesce(string_agg(row_to_json(q)::text, ',' ORDER BY id), '')) FROM quotes q`,
		"quote_versions":                    `SELECT count(*)::text FROM quote_versions`,
		"quote_events":                      `SELECT count(*)::text FROM quote_events`,
		"quote_products as they are":        `SELECT count(*)::text || md5(coalesce(string_agg(row_to_json(p)::text, ',' ORDER BY sku), '')) FROM quote_products p`,
		"quote_prices":                      `SELECT count(*)::text FROM quote_prices`,
		"quote_schedules":                   `SELECT count(*)::text FROM quote_schedules`,
		"quote_policies":                    `SELECT count(*)::text FROM quote_policies`,
		"engagements as they are":           `SELECT count(*)::text || md5(coalesce(string_agg(row_to_json(e)::text, ',' ORDER BY id), '')) FROM cosell_engagements e`,
		"cosell_events":                     `SELECT count(*)::text FROM cosell_events`,
		"cosell_notifications":              `SELECT count(*)::text FROM cosell_notifications`,
		"cosell_territories":                `SELECT count(*)::text FROM cosell_territories`,
		"cosell_opportunities as they are":  `SELECT count(*)::text || md5(coalesce(string_agg(row_to_json(o)::text, ',' ORDER BY id), '')) FROM cosell_opportunities o`,
		"cosell_invitations as they are":    `SELECT count(*)::text || md5(coalesce(string_agg(row_to_json(i)::text, ',' ORDER BY opportunity_id, partner_id), '')) FROM cosell_invitations i`,
		"cosell_opportunity_events":         `SELECT count(*)::text FROM cosell_opportunity_events`,
		"leads as they are":                 `SELECT count(*)::text || md5(coalesce(string_agg(row_to_json(l)::text, ',' ORDER BY id), '')) FROM leads l`,
		"lead_offers as they are":           `SELECT count(*)::text || md5(coalesce(string_agg(row_to_json(o)::text, ',' ORDER BY lead_id, round, partner_id), '')) FROM lead_offers o`,
		"lead_events":                       `SELECT count(*)::text FROM lead_events`,
		"partner_lead_profiles as they are": `SELECT count(*)::text || md5(coalesce(string_agg(row_to_json(f)::text, ',' ORDER BY partner_id), '')) FROM partner_lead_profiles f`,
		"referral_codes":                    `SELECT count(*)::text FROM referral_codes`,
		"referral_clicks":                   `SELECT count(*)::text FROM referral_clicks`,
		"referral_landings":                 `SELECT count(*)::text FROM referral_landings`,
		"referral_settings as they are":     `SELECT md5(coalesce(string_agg(row_to_json(r)::text, ','), '')) FROM referral_settings r`,
		"the probe partner's deals":         `SELECT count(*)::text FROM deals WHERE partner_id = $1::uuid`,
		"their events":                      `SELECT count(*)::text FROM deal_events WHERE deal_id IN (SELECT id FROM deals WHERE partner_id = $1::uuid)`,
		"their notifications":               `SELECT count(*)::text FROM notifications WHERE deal_id IN (SELECT id FROM deals WHERE partner_id = $1::uuid)`,
		"their deals as they are":           `SELECT md5(string_agg(row_to_json(d)::text, ',' ORDER BY id)) FROM deals d WHERE partner_id = $1::uuid`,
	} {
		var v *string
		args := []any{}
		if strings.Contains(q, "$1") {
			args = append(args, fx.partner)
		}
		if err := stack.pool.QueryRow(t.Context(), q, args...).Scan(&v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if v != nil {
			out[name] = *v
		}
	}
	for name, q := range map[string]string{
		"the probe cycle's events":     `SELECT count(*)::text FROM cycle_events WHERE cycle_id = $1::uuid`,
		"the probe program's cycles":   `SELECT count(*)::text FROM incentive_cycles WHERE program_id = (SELECT program_id FROM incentive_cycles WHERE id = $1::uuid)`,
		"the probe cycle as it is":     `SELECT md5(row_to_json(c)::text) FROM incentive_cycles c WHERE id = $1::uuid`,
		"the probe cycle's statements": `SELECT count(*)::text FROM statements WHERE cycle_id = $1::uuid`,
	} {
		var v *string
		if err := stack.pool.QueryRow(t.Context(), q, fx.cycle).Scan(&v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if v != nil {
			out[name] = *v
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	out["the deal workflow's history"] = fmt.Sprint(historyLength(t, tc, deal.WorkflowID(fx.deal)))
	out["the cycle workflow's history"] = fmt.Sprint(historyLength(t, tc, incentive.CycleWorkflowID(fx.cycle)))
	out["the sold deal workflow's history"] = fmt.Sprint(historyLength(t, tc, deal.WorkflowID(fx.sold)))
	out["the quote workflow's history"] = fmt.Sprint(historyLength(t, tc, quote.WorkflowID(fx.quote)))
	out["the co-sell workflow's history"] = fmt.Sprint(historyLength(t, tc, cosell.WorkflowID(fx.sold)))
	out["the lead workflow's history"] = fmt.Sprint(historyLength(t, tc, lead.WorkflowID(fx.lead)))
	leads, err := tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: fmt.Sprintf(`WorkflowType = %q`, lead.WorkflowType)})
	if err != nil {
		t.Fatalf("count lead workflows: %v", err)
	}
	out["lead workflows"] = fmt.Sprint(leads.Count)
	n, err := tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: fmt.Sprintf(`DealPartnerId = %q`, fx.partner)})
	if err != nil {
		t.Fatalf("count workflows: %v", err)
	}
	out["the probe partner's deal workflows"] = fmt.Sprint(n.Count)
	return out
}

// sameRows fails the test with every count that changed.
func sameRows(t *testing.T, before, after map[string]string) {
	t.Helper()
	var changed []string
	for _, k := range sortedKeys(before) {
		if before[k] != after[k] {
			changed = append(changed, fmt.Sprintf("%s: %s → %s", k, before[k], after[k]))
		}
	}
	if len(changed) > 0 {
		t.Errorf("refused requests wrote:\n%s", strings.Join(changed, "\n"))
	}
}
