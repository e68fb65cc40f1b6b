package steps

import (
	"testing"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
)

// Rules problems are named per field; a body that is not the rules object
// is one problem of the rules field; lines outside a catalog are named,
// and with no catalog any line passes.
func TestProgramRulesErrorsNameTheirFields(t *testing.T) {
	_, _, errs := CanonicalRules(domain.IncentiveRebate, []byte(`{"mode":"sideways","tiers":[{"above":5,"rate_bp":100},{"above":1,"rate_bp":20000}]}`))
	want := map[string]bool{"rules.mode": true, "rules.tiers[0].above": true, "rules.tiers[1].above": true, "rules.tiers[1].rate_bp": true}
	if len(errs) != len(want) {
		t.Fatalf("errors %v", errs)
	}
	for _, e := range errs {
		if !want[e.Field] {
			t.Fatalf("unexpected field %q in %v", e.Field, errs)
		}
	}
	_, _, errs = CanonicalRules(domain.IncentiveSpiff, []byte(`{"amount":1,"per":"deal","colour":"red"}`))
	if len(errs) != 1 || errs[0].Field != "rules" {
		t.Fatalf("unknown field: %v", errs)
	}
	if got := CatalogLineErrors([]string{"vpn", "nope"}, []string{"vpn"}); len(got) != 1 || got[0] != (web.FieldError{Field: "rules.product_lines[1]",
		Message: `"nope" is not a product line of the catalog`}) {
		t.Fatalf("catalog: %v", got)
	}
	if got := CatalogLineErrors([]string{"anything"}, nil); got != nil {
		t.Fatalf("no catalog: %v", got)
	}
	req := IncentiveProgramRequest{Code: " Q3-Spiff ", Name: "Q3", Kind: "spiff", Currency: "eur", Period: "month", StartsOn: "2026-07-01",
		Rules: []byte(`{"amount":100,"per":"deal","product_lines":[" VPN "]}`)}
	req.Normalize()
	rules, parsed, errs := req.Check(web.NewValidator())
	if len(errs) != 0 || req.Code != "q3-spiff" || req.Currency != "EUR" || string(rules) != `{"amount":100,"per":"deal","product_lines":["vpn"]}` ||
		parsed.ProductLines[0] != "vpn" {
		t.Fatalf("check: %v %s %+v", errs, rules, req)
	}
}
