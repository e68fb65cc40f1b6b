package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// postConsoleForm posts a console form and returns its status and body.
func postConsoleForm(t *testing.T, cl *http.Client, path string, form url.Values) (int, string) {
	t.Helper()
	res, err := cl.PostForm(stack.baseURL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b) + res.Header.Get("Location")
}

// Finance creates a SPIFF in the console with product lines picked from
// the catalog and a co-sold attribution filter, and the API lists it with
// the same rules; a bad tier row and a product line not in the catalog
// are refused with the field named, nothing stored; a new version records
// its reason; a partner gets 403.
func TestConsolePrograms(t *testing.T) {
	sfx := strings.ToLower(uniqueName()[5:11])
	line := "progline" + sfx
	products := "sku,name,product_line,unit,discountable,active,min_qty,max_qty,requires,excludes\n" +
		"PROG-" + strings.ToUpper(sfx) + ",Program test," + line + ",seat,true,true,1,1000,,\n"
	if st, body := postQuoteCSV(t, "/v1/quote-catalog/import?kind=products", "admin", products); st != 201 {
		t.Fatalf("products: %d %s", st, body)
	}
	fin, csrf := consoleClient(t, "finance")
	if page := get(t, fin, "/console/programs/new", http.StatusOK); !strings.Contains(page, `value="`+line+`"`) {
		t.Fatal("the form does not offer the catalog's product line")
	}
	code := "console-prog-" + sfx
	form := url.Values{"csrf": {csrf}, "code": {code}, "name": {"Co-sold SPIFF"}, "kind": {"spiff"}, "currency": {"EUR"},
		"period": {"quarter"}, "grace_days": {"5"}, "starts_on": {"2026-01-01"}, "product_lines": {line},
		"amount": {"250.50"}, "per": {"deal"}, "from": {"2026-01-01"}, "to": {"2026-12-31"},
		"influenced_by": {"cosell_engagement", "shared_opportunity"}, "mode": {"retroactive"}, "tier_above": {"x"}}
	st, body := postConsoleForm(t, fin, "/console/programs", form)
	if st != http.StatusSeeOther {
		t.Fatalf("create: %d %s", st, body)
	}
	list := call(t, http.MethodGet, "/v1/incentive-programs", stack.tokens["finance"], nil).must(t, http.StatusOK)
	var found map[string]any
	for _, p := range list.body["programs"].([]any) {
		if m := p.(map[string]any); m["code"] == code {
			found = m
		}
	}
	if found == nil {
		t.Fatal("the API does not list the program")
	}
	rules, _ := json.Marshal(found["rules"])
	want := `{"amount":25050,"attribution":{"influenced_by":["cosell_engagement","shared_opportunity"]},"from":"2026-01-01","per":"deal","product_lines":["` + line + `"],"to":"2026-12-31"}`
	if string(rules) != want || found["currency"] != "EUR" || found["kind"] != "spiff" {
		t.Fatalf("rules %s, want %s (%v)", rules, want, found)
	}

	// A bad tier row and an unknown product line: refused, named, nothing stored.
	bad := url.Values{"csrf": {csrf}, "code": {"console-bad-" + sfx}, "name": {"Bad rebate"}, "kind": {"rebate"}, "currency": {"USD"},
		"period": {"month"}, "grace_days": {"3"}, "starts_on": {"2026-01-01"}, "mode": {"marginal"},
		"tier_above": {"0", "abc"}, "tier_rate": {"5", "7"}, "product_lines": {"nosuchline" + sfx}}
	st, body = postConsoleForm(t, fin, "/console/programs", bad)
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, "Not done") || !strings.Contains(body, "tiers[1].above") ||
		!strings.Contains(body, "not a product line of the catalog") {
		t.Fatalf("bad program: %d %s", st, body)
	}
	for _, p := range call(t, http.MethodGet, "/v1/incentive-programs", stack.tokens["finance"], nil).must(t, http.StatusOK).body["programs"].([]any) {
		if p.(map[string]any)["code"] == "console-bad-"+sfx {
			t.Fatal("a refused program was stored")
		}
	}

	// A new version with its reason; the page shows who, when, why.
	id := found["id"].(string)
	st, body = postConsoleForm(t, fin, "/console/programs/"+id+"/versions", url.Values{"csrf": {csrf}, "product_lines": {line},
		"amount": {"300"}, "per": {"unit"}, "reason": {"Q2 push"}, "sourced_by": {"partner"}})
	if st != http.StatusSeeOther {
		t.Fatalf("version: %d %s", st, body)
	}
	page := get(t, fin, "/console/programs/"+id, http.StatusOK)
	if !strings.Contains(page, `id="version-2"`) || !strings.Contains(page, "Q2 push") || !strings.Contains(page, "Fin Ance") ||
		!strings.Contains(page, "300.00 EUR per unit") {
		t.Fatalf("program page: %s", page)
	}
	if list := get(t, fin, "/console/programs", http.StatusOK); !strings.Contains(list, code) {
		t.Fatal("the list misses the program")
	}

	partner, pcsrf := consoleClient(t, "partnerA")
	get(t, partner, "/console/programs", http.StatusForbidden)
	if st, _ := postConsoleForm(t, partner, "/console/programs", url.Values{"csrf": {pcsrf}, "code": {"x"}}); st != http.StatusForbidden {
		t.Fatalf("partner create: %d", st)
	}
}
