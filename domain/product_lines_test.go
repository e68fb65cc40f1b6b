package domain

import (
	"slices"
	"strings"
	"testing"
)

// Product lines are trimmed, lower-cased and de-duplicated wherever they
// come in, so that a program's "EDR" matches a deal's "edr".
func TestNormalizeProductLines(t *testing.T) {
	got := NormalizeProductLines([]string{" EDR", "edr", "Firewall ", "", "SD-WAN"})
	if want := []string{"edr", "firewall", "", "sd-wan"}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if NormalizeProductLines(nil) != nil {
		t.Fatal("nil in, nil out")
	}
}

// A program's rules are read with their product lines normalised, and a
// product line no deal could ever carry (blank, too long, control
// characters) is refused.
func TestIncentiveRulesProductLines(t *testing.T) {
	r, err := ParseIncentiveRules(IncentiveSpiff, []byte(`{"amount":100,"per":"deal","product_lines":["EDR"," Firewall","edr"]}`))
	if err != nil || !slices.Equal(r.ProductLines, []string{"edr", "firewall"}) {
		t.Fatalf("%+v %v", r, err)
	}
	if !r.AppliesTo([]string{"edr"}) {
		t.Fatal("a SPIFF for EDR does not apply to a deal won with edr")
	}
	for _, bad := range []string{`["  "]`, `["` + strings.Repeat("x", 101) + `"]`, `["a\u0000b"]`, `["a\nb"]`} {
		if _, err := ParseIncentiveRules(IncentiveSpiff, []byte(`{"amount":100,"per":"deal","product_lines":`+bad+`}`)); err == nil ||
			!strings.Contains(err.Error(), "product_lines[0]") {
			t.Errorf("%s accepted: %v", bad, err)
		}
	}
	raw, r, err := CanonicalIncentiveRules(IncentiveRebate,
		[]byte(`{"mode":"marginal","product_lines":["VPN","vpn "],"tiers":[{"above":0,"rate_bp":500}]}`))
	if err != nil || string(raw) != `{"mode":"marginal","product_lines":["vpn"],"tiers":[{"above":0,"rate_bp":500}]}` ||
		!slices.Equal(r.ProductLines, []string{"vpn"}) {
		t.Fatalf("canonical rules %s %+v %v", raw, r, err)
	}
}
