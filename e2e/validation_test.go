package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

func dealCount(t *testing.T) int {
	t.Helper()
	var n int
	if err := stack.pool.QueryRow(context.Background(), "SELECT count(*) FROM deals").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// with returns the contract body with one change: path "a.b" set to v, or
// removed when v is nil.
func with(path string, v any) map[string]any {
	b := dealBody()
	keys := strings.Split(path, ".")
	m := b
	for _, k := range keys[:len(keys)-1] {
		m = m[k].(map[string]any)
	}
	if v == nil {
		delete(m, keys[len(keys)-1])
	} else {
		m[keys[len(keys)-1]] = v
	}
	return b
}

// Bad input gets a problem+json answer naming each bad field, with the right
// status, and writes nothing.
func TestBadInputWritesNothing(t *testing.T) {
	before := dealCount(t)
	yesterday2 := time.Now().UTC().AddDate(0, 0, -3).Format(time.DateOnly)
	cases := []struct {
		name   string
		body   any
		status int
		typ    string
		field  string // a field the errors must name ("" for none)
	}{
		{"missing customer name", with("customer.name", nil), 422, "urn:dealflow:problem:validation", "customer.name"},
		{"bad domain", with("customer.domain", "not a domain"), 422, "urn:dealflow:problem:validation", "customer.domain"},
		{"bad country", with("customer.country", "USA"), 422, "urn:dealflow:problem:validation", "customer.country"},
		{"bad email", with("contact.email", "jane"), 422, "urn:dealflow:problem:validation", "contact.email"},
		{"no product lines", with("product_lines", []string{}), 422, "urn:dealflow:problem:validation", "product_lines"},
		{"zero amount", with("amount", 0), 422, "urn:dealflow:problem:validation", "amount"},
		{"negative amount", with("amount", -5), 422, "urn:dealflow:problem:validation", "amount"},
		{"fractional amount", with("amount", 12.5), 422, "urn:dealflow:problem:validation", "amount"},
		{"amount as string", with("amount", "1250000"), 422, "urn:dealflow:problem:validation", "amount"},
		{"huge amount", with("amount", int64(1e16)), 422, "urn:dealflow:problem:validation", "amount"},
		{"unknown currency", with("currency", "ABC"), 422, "urn:dealflow:problem:validation", "currency"},
		{"bad date", with("expected_close_date", "31/03/2027"), 422, "urn:dealflow:problem:validation", "expected_close_date"},
		{"past date", with("expected_close_date", yesterday2), 422, "urn:dealflow:problem:validation", "expected_close_date"},
		{"unknown field", with("discount", 10), 422, "urn:dealflow:problem:validation", "discount"},
		{"control characters", with("customer.name", "Acme\u0000Corp"), 422, "urn:dealflow:problem:validation", "customer.name"},
		{"not JSON", "{customer:", 400, "urn:dealflow:problem:malformed-request", ""},
		{"JSON array", "[1,2]", 400, "urn:dealflow:problem:malformed-request", ""},
		{"two objects", `{"notes":"a"} {"notes":"b"}`, 400, "urn:dealflow:problem:malformed-request", ""},
		{"empty body", "", 400, "urn:dealflow:problem:malformed-request", ""},
		{"too large", `{"notes":"` + strings.Repeat("x", 2<<20) + `"}`, 413, "urn:dealflow:problem:body-too-large", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := call(t, http.MethodPost, "/v1/deals", stack.tokens["partnerA"], c.body)
			r.problem(t, c.status, c.typ)
			if c.field != "" && r.fieldErrors()[c.field] == "" {
				t.Fatalf("errors do not name %s: %s", c.field, r.raw)
			}
		})
	}
	// Several bad fields are all reported at once.
	b := with("customer.country", "USA")
	b["currency"] = "usdollar"
	b["amount"] = -1
	r := call(t, http.MethodPost, "/v1/deals", stack.tokens["partnerA"], b)
	if errs := r.fieldErrors(); len(errs) != 3 {
		t.Fatalf("want 3 field errors, got %v", errs)
	}
	// A body that is not JSON at all is 415.
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, stack.baseURL+"/v1/deals",
		strings.NewReader("customer=Acme"))
	req.Header.Set("Authorization", "Bearer "+stack.tokens["partnerA"])
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("form body: %d, want 415", resp.StatusCode)
	}
	if after := dealCount(t); after != before {
		t.Fatalf("bad requests wrote %d deals", after-before)
	}
}

// What people type is normalized: domain reduced to its registrable part,
// codes upper-cased, product lines trimmed and de-duplicated; injection-like
// text is stored and returned verbatim.
func TestInputNormalizedAndStoredVerbatim(t *testing.T) {
	b := dealBody()
	b["customer"] = map[string]any{"name": "  Robert'); DROP TABLE deals;-- ", "domain": "https://Shop.Acme-verbatim.co.uk/en", "country": "gb"}
	b["currency"] = "gbp"
	b["product_lines"] = []string{" Firewall", "firewall", "SD-WAN"}
	b["notes"] = "<script>alert(1)</script>"
	r := call(t, http.MethodPost, "/v1/deals", stack.tokens["partnerA"], b).must(t, http.StatusCreated)
	cust := r.body["customer"].(map[string]any)
	if cust["name"] != "Robert'); DROP TABLE deals;--" || cust["domain"] != "shop.acme-verbatim.co.uk" ||
		cust["registrable_domain"] != "acme-verbatim.co.uk" || cust["country"] != "GB" || r.str("currency") != "GBP" {
		t.Fatalf("normalized = %s", r.raw)
	}
	if pl := r.body["product_lines"].([]any); len(pl) != 2 || pl[0] != "firewall" || pl[1] != "sd-wan" {
		t.Fatalf("product lines = %v", pl)
	}
	if r.str("notes") != "<script>alert(1)</script>" {
		t.Fatalf("notes = %q", r.str("notes"))
	}
}
