package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/api"
	"github.com/dealflow/dealflow/console"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/config"
	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
)

// badIDs are path parameters no route takes: not ids, ids of nothing,
// ids spelled as uuid.Parse also reads them (of nothing), and bytes a
// path should never carry.
func badIDs(real string) map[string]string {
	return map[string]string{
		"not a uuid": "not-a-uuid", "nil uuid": "00000000-0000-0000-0000-000000000000",
		"upper-case uuid of nothing": strings.ToUpper(uuid.NewString()), "braced uuid of nothing": "%7B" + uuid.NewString() + "%7D",
		"urn uuid of nothing": "urn:uuid:" + uuid.NewString(), "NUL": "%00", "bad UTF-8": "%FF%FE", "a real id and a NUL": real + "%00",
		"long": strings.Repeat("a", 4000), "number": "-1", "huge number": "1e400", "dot segments": "..%2F..%2Fv1%2Fdeals",
	}
}

// badParams are the bad values of path parameter name: badIDs, but of a
// :sku (which a PUT creates) only those no SKU can be (an upper-case uuid
// is a well-formed SKU, and putting it creates a product).
func badParams(name, real string) map[string]string {
	out := badIDs(real)
	if name == "sku" {
		for what, v := range out {
			if u, err := url.PathUnescape(v); err == nil && domain.SKUProblem(u) == "" {
				delete(out, what)
			}
		}
	}
	return out
}

// badQueries are query values no filter takes.
var badQueries = map[string]string{
	"NUL": "%00", "not a uuid": "not-a-uuid", "negative": "-1", "word": "abc", "huge": "99999999999999999999",
	"impossible date": "2026-02-30", "slashes": "x/y/z", "long": strings.Repeat("z", 5000), "bad UTF-8": "%FF%FE",
}

// badQueriesOf are the bad values of query parameter name: badQueries,
// but of a free-text search (?q) only those no search can be (a word, a
// number or a slash is a fine thing to search for).
func badQueriesOf(name string) map[string]string {
	if name != "q" {
		return badQueries
	}
	out := map[string]string{}
	for _, what := range []string{"NUL", "long", "bad UTF-8"} {
		out[what] = badQueries[what]
	}
	return out
}

// The review's fuzz-ish sweep, generated from the router and the served
// /openapi.json so that a route added later is swept too: every route
// gets bad ids in its path and bad values in each of its query filters,
// with every role it admits; every route that takes a body gets bodies
// that are not JSON, not an object, too large, with an unknown field, and,
// one position at a time, a NUL or other control character in every
// string (the 422 must name the field), the wrong JSON type, numbers too
// large, negative or fractional, impossible dates and malformed ids. Every
// console form gets a NUL in each of its fields, and its pages bad ids.
// Every one of these answers a 4xx, and none a 5xx, with nosniff and
// no-store; the rows, the probes' own deal and cycle, and their workflow
// histories are as they were before (issue 12, "Done when"). Values at
// the edge of what a field takes then get no 5xx either.
func TestProbeSweepAnswersNo5xx(t *testing.T) {
	fx := newProbeObjects(t)
	tc, err := client.Dial(client.Options{HostPort: stack.temporal, Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	pr := newProber(t, "127.0.0.5")
	routes := api.NewServer(config.Config{}, nil, nil, nil).Routes()
	doc := pr.send(probe{method: http.MethodGet, path: "/openapi.json", what: "the description"})
	paths, _ := doc.body["paths"].(map[string]any)
	if len(paths) == 0 {
		t.Fatalf("no paths in /openapi.json: %.200s", doc.raw)
	}
	walker := newSchemaWalker(doc.body)
	bodies := probeBodies(fx)
	sessions := map[domain.Role]consoleSession{}
	admitted := map[domain.Role]bool{} // the roles the console admits
	for _, rt := range console.New(config.Config{}, nil, nil, nil, nil).Routes() {
		for _, r := range rt.Roles {
			admitted[r] = true
		}
	}
	for role, tok := range fx.tokens {
		// Every token has been used, and every session opened, before the
		// rows are counted.
		pr.send(probe{method: http.MethodGet, path: "/v1/deals?limit=1", token: tok, what: "warm-up"})
		if !admitted[role] {
			continue
		}
		cl, csrf := pr.consoleAs(tok)
		sessions[role] = consoleSession{cl, csrf}
	}

	before := rowCounts(t, fx, tc)
	nulProbes := 0
	for _, rt := range routes {
		if len(rt.Roles) == 0 {
			continue
		}
		op, _ := paths[openAPIPath(rt.Path)].(map[string]any)[strings.ToLower(rt.Method)].(map[string]any)
		if op == nil {
			t.Errorf("%s %s is not in /openapi.json", rt.Method, rt.Path)
			continue
		}
		var schema map[string]any
		if rb, ok := op["requestBody"].(map[string]any); ok {
			schema, _ = rb["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)
		}
		key := rt.Method + " " + openAPIPath(rt.Path)
		base, known := bodies[key]
		if rt.Method != http.MethodGet && !known {
			t.Errorf("no valid body for %s: add one to probeBodies", key)
			continue
		}
		var baseRaw []byte
		if base != nil {
			baseRaw = jsonBody(base)
		}
		path := fx.fill(rt.Path, "", "")

		// Bad ids in the path, with every role the route admits.
		for _, m := range routeParam.FindAllStringSubmatch(rt.Path, -1) {
			for what, bad := range badParams(m[1], fx.param(rt.Path, m[0])) {
				for _, role := range rt.Roles {
					pr.send(probe{method: rt.Method, path: fx.fill(rt.Path, m[1], bad), token: fx.tokens[role], body: baseRaw,
						what: ":" + m[1] + " " + what + " as " + string(role), refused: true})
				}
			}
		}
		// Bad filters in the query, with every role the route admits.
		params, _ := op["parameters"].([]any)
		for _, p := range params {
			pm := p.(map[string]any)
			if pm["in"] != "query" {
				continue
			}
			for what, bad := range badQueriesOf(pm["name"].(string)) {
				for _, role := range rt.Roles {
					pr.send(probe{method: rt.Method, path: path + "?" + pm["name"].(string) + "=" + bad, token: fx.tokens[role],
						what: "?" + pm["name"].(string) + " " + what + " as " + string(role), refused: true})
				}
			}
		}
		if rt.Method == http.MethodGet {
			continue
		}
		tok := fx.tokens[roleFor(rt.Path, rt.Roles)]
		send := func(body []byte, what string, refused bool, field string) {
			pr.send(probe{method: rt.Method, path: path, token: tok, body: body, what: what, refused: refused, field: field})
		}
		// Bodies that are not one JSON object. An empty body, {} and null
		// are bad only where something is required.
		required := schema != nil && walker.required(schema)
		for what, b := range map[string]string{"not JSON": "customer=Acme", "broken JSON": `{"reason": `, "an array": `[]`,
			"an array of an object": `[{}]`, "a string": `"x"`, "a number": `1`, "two objects": `{} {}`, "a NUL byte": "\x00"} {
			send([]byte(b), what, schema != nil, "")
		}
		if required { // elsewhere they are a valid request (approve, say)
			for what, b := range map[string]string{"empty": "", "{}": "{}", "null": "null"} {
				send([]byte(b), what, true, "")
			}
		}
		if schema == nil {
			continue
		}
		pr.send(probe{method: rt.Method, path: path, token: tok, body: baseRaw, contentType: "text/plain", what: "text/plain", refused: true})
		unknown := map[string]any{}
		_ = json.Unmarshal(baseRaw, &unknown)
		unknown["zz_unknown"] = 1
		send(jsonBody(unknown), "an unknown field", true, "zz_unknown")
		send(bytes.Replace(jsonBody(map[string]any{"pad": strings.Repeat("x", 3<<20)}), []byte(`"pad"`), []byte(`"zz_pad"`), 1),
			"3 MiB", true, "")
		// One position at a time.
		for _, l := range walker.leaves(schema, base) {
			for _, m := range badValues(l) {
				field := ""
				if m.names {
					field = l.field()
					nulProbes++
				}
				send(withValue(base, l.path, m.value), l.path.String()+": "+m.name, true, field)
			}
		}
	}
	// A bad Idempotency-Key.
	for what, key := range map[string]string{"too long": strings.Repeat("k", 201), "a space": "a b", "non-ASCII": "ключ"} {
		pr.send(probe{method: http.MethodPost, path: "/v1/deals", token: fx.tokens[domain.RolePartnerUser], body: jsonBody(dealBody()),
			headers: map[string]string{"Idempotency-Key": key}, what: "Idempotency-Key " + what, refused: true, field: "Idempotency-Key"})
	}
	t.Logf("%d NUL or control-character probes of string positions", nulProbes)
	pr.report("API, bad input")
	consoleSweep(t, pr, fx, doc.body, walker, bodies, sessions)
	pr.report("console, bad input")
	time.Sleep(time.Second) // Temporal's visibility catches up with any start
	sameRows(t, before, rowCounts(t, fx, tc))

	// Values at the edge of what a field takes: any answer but a 5xx.
	for _, rt := range routes {
		key := rt.Method + " " + openAPIPath(rt.Path)
		op, _ := paths[openAPIPath(rt.Path)].(map[string]any)[strings.ToLower(rt.Method)].(map[string]any)
		rb, ok := op["requestBody"].(map[string]any)
		if !ok || len(rt.Roles) == 0 {
			continue
		}
		schema, _ := rb["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)
		for what, b := range map[string]string{"empty": "", "{}": "{}", "null": "null"} {
			pr.send(probe{method: rt.Method, path: fx.fill(rt.Path, "", ""), token: fx.tokens[roleFor(rt.Path, rt.Roles)],
				body: []byte(b), what: what})
		}
		for _, l := range walker.leaves(schema, bodies[key]) {
			for _, m := range oddValues(l) {
				pr.send(probe{method: rt.Method, path: fx.fill(rt.Path, "", ""), token: fx.tokens[roleFor(rt.Path, rt.Roles)],
					body: withValue(bodies[key], l.path, m.value), what: l.path.String() + ": " + m.name})
			}
		}
	}
	pr.report("API, edge values")
}

// consoleSession is a console client signed in, and its CSRF token.
type consoleSession struct {
	cl   *http.Client
	csrf string
}

// consoleSweep sends every console form a NUL (or other bad value) in
// each of its fields and every console page bad ids: the forms answer
// "Not done" naming control characters for free text, the pages a 4xx.
func consoleSweep(t *testing.T, pr *prober, fx probeObjects, doc map[string]any, walker schemaWalker, bodies map[string]any,
	sessions map[domain.Role]consoleSession) {
	t.Helper()
	paths, _ := doc["paths"].(map[string]any)
	for _, rt := range console.New(config.Config{}, nil, nil, nil, nil).Routes() {
		if len(rt.Roles) == 0 || rt.Path == "/console/sign-out" {
			continue
		}
		role := roleFor(rt.Path, rt.Roles)
		cl, csrf := sessions[role].cl, sessions[role].csrf
		for _, m := range routeParam.FindAllStringSubmatch(rt.Path, -1) {
			for what, bad := range badIDs(fx.param(rt.Path, m[0])) {
				var form url.Values
				if rt.Method == http.MethodPost {
					form = url.Values{"csrf": {csrf}}
				}
				status, done := pr.consoleSend(cl, rt.Method, fx.fill(rt.Path, m[1], bad), form, "console :"+m[1]+" "+what)
				if status != http.StatusNotFound && !(status == http.StatusSeeOther && strings.HasPrefix(done, "Not done")) {
					pr.offenders = append(pr.offenders, rt.Method+" "+rt.Path+" with "+what+": neither 404 nor not done")
				}
			}
		}
		if rt.Method != http.MethodPost {
			for what, bad := range badQueries {
				for _, q := range []string{"partner_id", "currency", "status", "done", "cursor", "limit"} {
					pr.consoleSend(cl, rt.Method, fx.fill(rt.Path, "", "")+"?"+q+"="+bad, nil, "console ?"+q+" "+what)
				}
			}
			continue
		}
		path := fx.fill(rt.Path, "", "")
		var fields map[string]bool // field → free text
		base := url.Values{}
		switch rt.Path {
		case "/console/deals":
			fields = map[string]bool{"customer_name": true, "customer_domain": true, "contact_name": true, "notes": true, "product_lines": true,
				"customer_country": false, "contact_email": false, "currency": false, "expected_close_date": false, "amount": false, "kind": false}
			base = url.Values{"customer_name": {uniqueName()}, "customer_domain": {uniqueDomain()}, "customer_country": {"US"},
				"contact_name": {"Jane Doe"}, "contact_email": {"jane@acme.com"}, "product_lines": {"firewall"}, "amount": {"12500.00"},
				"currency": {"USD"}, "expected_close_date": {"2027-03-31"}, "notes": {"n"}, "kind": {"resale"}, "idempotency_key": {uuid.NewString()}}
		case "/console/people/invite":
			fields = map[string]bool{"name": true, "email": false, "role": false}
			base = url.Values{"name": {"Ivy Console"}, "email": {"ivy.console." + tag() + "@probe.example"}, "role": {"partner_user"}}
		case "/console/cosell/opportunities":
			fields = map[string]bool{"customer_name": true, "domain": true, "product_lines": true, "capabilities": true, "notes": true,
				"tiers": true, "tags": true, "filter_product_lines": true, "country": false, "amount": false, "currency": false,
				"expected_close_date": false, "mode": false, "expires_on": false, "partner_ids": false, "filter_country": false}
			base = url.Values{"customer_name": {"Probe Shared Form"}, "domain": {"probe-shared-form.example.com"}, "country": {"NZ"},
				"product_lines": {"firewall"}, "amount": {"100000"}, "currency": {"USD"}, "mode": {"first_to_accept"},
				"expected_close_date": {time.Now().UTC().AddDate(0, 2, 0).Format(time.DateOnly)}, "partner_ids": {fx.partner}}
		case "/console/people/:id/deactivate":
			fields = map[string]bool{}
		case "/console/security/totp":
			fields = map[string]bool{}
		case "/console/security/totp/confirm", "/console/security/totp/disable":
			fields = map[string]bool{"code": false}
			base = url.Values{"code": {"123456"}}
		case "/console/notifications/:id/read":
			fields = map[string]bool{}
		case "/console/notifications/read-all":
			fields = map[string]bool{"up_to": false}
		case "/console/lead-routing/:id/policy":
			fields = map[string]bool{"mode": false, "broadcast_to": false}
			base = url.Values{"mode": {"round_robin"}, "broadcast_to": {"2"}}
		case "/console/lead-routing/:id/rules":
			fields = map[string]bool{"name": true, "regions": true, "product_lines": true, "lead_tags": true, "partner_tags": true,
				"countries": false, "partner_types": false, "min_tier": false}
			base = url.Values{"name": {"probe rule"}, "countries": {"DE"}, "partner_types": {"reseller"}, "min_tier": {"gold"}}
		case "/console/lead-routing/:id/rules/:n/active", "/console/referral-codes":
			fields = map[string]bool{}
		case "/console/lead-profiles":
			fields = map[string]bool{"partner_id": false, "countries": false, "product_lines": true, "tags": true, "capacity": false, "weight": false}
			base = url.Values{"partner_id": {fx.partner}, "capacity": {"5"}, "weight": {"1"}}
		case "/console/leads/new":
			fields = map[string]bool{"company_name": true, "company_domain": true, "region": true, "contact_name": true, "product_lines": true,
				"tags": true, "notes": true, "country": false, "contact_email": false, "amount": false, "currency": false, "program_id": false}
			base = url.Values{"company_name": {"Probe Lead Co"}, "company_domain": {"probe-lead.example.com"}, "country": {"DE"},
				"contact_name": {"Pat Probe"}, "contact_email": {"pat@probe-lead.example.com"}, "product_lines": {"firewall"},
				"amount": {"100.00"}, "currency": {"EUR"}}
		case "/console/leads/import":
			fields = map[string]bool{"program_id": false}
		case "/console/cosell-policy/:id":
			// The API's PUT body as a form: numbers as text, holidays one a
			// line, and the version the form was shown at.
			fields = map[string]bool{"respond_within_business_days": false, "remind_after_business_days": false, "milestone_reminder_days": false,
				"holidays": false, "reason": true, "based_on": false}
			base = url.Values{"respond_within_business_days": {"2"}, "remind_after_business_days": {"1"}, "milestone_reminder_days": {"2"},
				"holidays": {"2030-12-25"}, "reason": {"probe"}}
		case "/console/mapping/accounts":
			// A file upload only (multipart): an url-encoded form has none.
			fields = map[string]bool{"file": false}
		case "/console/mapping/opt-ins":
			// Not the API's PUT body: "relation/category" checkboxes.
			fields = map[string]bool{"category": false}
			base = url.Values{"category": {"customer/opportunity"}}
		case "/console/conflict-check":
			fields = map[string]bool{"customer_name": true, "customer_domain": true, "product_lines": true, "customer_country": false}
			base = url.Values{"customer_name": {"Probe Check Corp"}, "customer_domain": {"probe-check.com"}, "customer_country": {"US"},
				"product_lines": {"firewall"}}
		case "/console/programs":
			fields = map[string]bool{"code": true, "name": true, "kind": false, "currency": false, "period": false, "grace_days": false,
				"starts_on": false, "product_lines": true, "amount": false, "per": false, "from": false, "to": false, "budget": false,
				"sourced_by": false, "influenced_by": false, "second_approval_at": false}
			base = url.Values{"code": {"probe-console-" + tag()}, "name": {"Probe console SPIFF"}, "kind": {"spiff"}, "currency": {"USD"},
				"period": {"month"}, "grace_days": {"3"}, "starts_on": {"2026-01-01"}, "amount": {"1.00"}, "per": {"deal"}}
		case "/console/programs/:id/versions":
			fields = map[string]bool{"reason": true, "product_lines": true, "amount": false, "per": false, "from": false, "to": false,
				"budget": false, "sourced_by": false, "influenced_by": false, "second_approval_at": false}
			base = url.Values{"amount": {"1.00"}, "per": {"deal"}, "reason": {"probe"}}
		default:
			apiPath := openAPIPath(strings.Replace(rt.Path, "/console/", "/v1/", 1))
			// Each step checked: a form without an API twin is reported
			// below, not a panic.
			item, _ := paths[apiPath].(map[string]any)
			op, _ := item["post"].(map[string]any)
			rb, _ := op["requestBody"].(map[string]any)
			content, _ := rb["content"].(map[string]any)
			js, _ := content["application/json"].(map[string]any)
			schema, _ := js["schema"].(map[string]any)
			if schema == nil {
				t.Errorf("console form %s has no API counterpart with a body", rt.Path)
				continue
			}
			fields = map[string]bool{}
			body, _ := bodies["POST "+apiPath].(map[string]any)
			for _, l := range walker.leaves(schema, body) {
				if len(l.path) == 1 && l.typ != "object" {
					fields[l.path.String()] = l.freeText() || l.typ == "array"
				}
			}
			base = formOf(body)
		}
		for f, free := range fields {
			form := url.Values{"csrf": {csrf}}
			for k, v := range base {
				form[k] = v
			}
			form.Set(f, "x\x00")
			status, done := pr.consoleSend(cl, http.MethodPost, path, form, "console "+f+": NUL")
			switch {
			case status == http.StatusSeeOther && !strings.HasPrefix(done, "Not done"):
				pr.offenders = append(pr.offenders, "POST "+rt.Path+" with a NUL in "+f+": "+done)
			case status == http.StatusSeeOther && free && !strings.Contains(done, "control characters"):
				pr.offenders = append(pr.offenders, "POST "+rt.Path+" with a NUL in "+f+" does not say why: "+done)
			case status == http.StatusSeeOther && !strings.Contains(done, " must ") && !strings.Contains(done, " is required"):
				// A workflow's refusal: the form let the bad value through.
				pr.offenders = append(pr.offenders, "POST "+rt.Path+" with a NUL in "+f+" reached the workflow: "+done)
			case status != http.StatusSeeOther && (status < 400 || status >= 500):
				pr.offenders = append(pr.offenders, "POST "+rt.Path+" with a NUL in "+f+": "+http.StatusText(status))
			}
		}
	}
}

// formOf is a step's API body as the console's form sends it: amounts as
// decimals (of a two-decimal currency), yes/no, product lines comma
// separated.
func formOf(body map[string]any) url.Values {
	form := url.Values{}
	for k, v := range body {
		switch v := v.(type) {
		case string:
			form.Set(k, v)
		case bool:
			form.Set(k, map[bool]string{true: "yes", false: "no"}[v])
		case int:
			if k == "amount" {
				form.Set(k, fmt.Sprintf("%d.%02d", v/100, v%100))
			} else {
				form.Set(k, strconv.Itoa(v))
			}
		case []string:
			form.Set(k, strings.Join(v, ","))
		}
	}
	return form
}
