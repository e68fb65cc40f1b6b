package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// Account mapping over the API: partners A and B both know a customer of
// seller Sam's; only A opts in. A reads its own account with the vendor's
// category and nothing of the vendor's record; B reads nothing; Sam sees A
// (not B) on his account with the link to invite A to co-sell; another
// seller sees nothing; the CSV download has the same rows.
func TestAccountMappingScopes(t *testing.T) {
	tok := "Zyx" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")
	call(t, http.MethodPost, "/v1/accounts/import", stack.tokens["manager"], map[string]any{"accounts": []map[string]any{
		{"external_id": tok + "-V", "name": tok + " Robotics GmbH", "domain": tok + "robotics.de", "country": "DE", "owner_type": "direct", "owner_email": "sam@vendor.example"},
	}}).must(t, http.StatusOK)
	postCSV(t, "/v1/mapping/accounts", stack.tokens["partnerA"],
		"external_id,name,domain,country,relation\nA-1,"+tok+" Robotics,https://www."+tok+"robotics.de,DE,customer\n").must(t, http.StatusOK)
	call(t, http.MethodPost, "/v1/mapping/accounts", stack.tokens["partnerB"], map[string]any{"accounts": []map[string]any{
		{"external_id": "B-1", "name": tok + " Robotics AG", "domain": tok + "robotics.de", "relation": "customer"},
	}}).must(t, http.StatusOK)
	call(t, http.MethodPost, "/v1/mapping/accounts", stack.tokens["partnerB"], map[string]any{"accounts": []map[string]any{
		{"external_id": "B-2", "name": "x", "relation": "friend"},
	}}).must(t, http.StatusUnprocessableEntity)
	call(t, http.MethodPut, "/v1/mapping/opt-ins", stack.tokens["partnerA"], map[string]any{"categories": []any{}}).must(t, http.StatusForbidden)
	call(t, http.MethodPut, "/v1/mapping/opt-ins", stack.tokens["adminA"], map[string]any{"categories": []map[string]any{
		{"partner_relation": "customer", "vendor_category": "nonsense"}}}).must(t, http.StatusUnprocessableEntity)
	optIns := call(t, http.MethodPut, "/v1/mapping/opt-ins", stack.tokens["adminA"], map[string]any{"categories": []map[string]any{
		{"partner_relation": "customer", "vendor_category": "customer"}}}).must(t, http.StatusOK)
	// The consent history names the change and who made it; partner B's
	// history is its own (none).
	if h, _ := optIns.body["history"].([]any); len(h) == 0 || h[len(h)-1].(map[string]any)["action"] != "opted_in" ||
		h[len(h)-1].(map[string]any)["actor_name"] == "" {
		t.Fatalf("opt-ins saved: %s", optIns.raw)
	}
	if b := call(t, http.MethodGet, "/v1/mapping/opt-ins", stack.tokens["partnerB"], nil).must(t, http.StatusOK); len(b.body["history"].([]any)) != 0 {
		t.Fatalf("partner B reads a consent history it never made: %s", b.raw)
	}

	a := call(t, http.MethodGet, "/v1/mapping/overlaps?q="+tok, stack.tokens["partnerA"], nil).must(t, http.StatusOK)
	rows := a.body["overlaps"].([]any)
	if len(rows) != 1 || rows[0].(map[string]any)["external_id"] != "A-1" || rows[0].(map[string]any)["vendor_category"] != "customer" {
		t.Fatalf("partner A reads %s", a.raw)
	}
	if strings.Contains(string(a.raw), tok+"-V") || strings.Contains(string(a.raw), "B-1") || strings.Contains(string(a.raw), "sam@") {
		t.Fatalf("partner A reads the vendor's record or partner B's account: %s", a.raw)
	}
	if b := call(t, http.MethodGet, "/v1/mapping/overlaps?q="+tok, stack.tokens["partnerB"], nil).must(t, http.StatusOK); len(b.body["overlaps"].([]any)) != 0 {
		t.Fatalf("partner B, not opted in, reads %s", b.raw)
	}
	csv := call(t, http.MethodGet, "/v1/mapping/overlaps.csv?q="+tok, stack.tokens["partnerA"], nil).must(t, http.StatusOK)
	if lines := strings.Split(strings.TrimSpace(string(csv.raw)), "\n"); len(lines) != 2 || !strings.Contains(lines[1], "A-1") {
		t.Fatalf("partner A's CSV: %s", csv.raw)
	}
	call(t, http.MethodGet, "/v1/mapping/overlaps?vendor_category=lead", stack.tokens["partnerA"], nil).must(t, http.StatusUnprocessableEntity)

	sam := call(t, http.MethodGet, "/v1/cosell/account-partners", stack.tokens["seller"], nil).must(t, http.StatusOK)
	var partners []string
	for _, r := range sam.body["accounts"].([]any) {
		if m := r.(map[string]any); strings.HasPrefix(m["account_name"].(string), tok) {
			partners = append(partners, m["partner_id"].(string))
			if !strings.HasPrefix(m["invite_path"].(string), "/console/cosell/opportunities/new?account=") {
				t.Errorf("invite path %v", m["invite_path"])
			}
		}
	}
	if strings.Join(partners, ",") != stack.partnerA {
		t.Fatalf("seller Sam sees partners %v on his account, want only A (%s)", partners, stack.partnerA)
	}
	if sue := call(t, http.MethodGet, "/v1/mapping/overlaps?q="+tok, stack.tokens["seller2"], nil).must(t, http.StatusOK); len(sue.body["overlaps"].([]any)) != 0 {
		t.Fatalf("seller Sue reads Sam's account's overlaps: %s", sue.raw)
	}
}
