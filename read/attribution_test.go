package read

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
)

// Evidence naming another partner keeps only that it was another
// partner's: the statement's partner never reads its codes.
func TestOwnEvidenceHidesAnotherPartnersCodes(t *testing.T) {
	me, other := uuid.New(), uuid.New()
	mine := json.RawMessage(`{"lead_id":"L","referral_code":"abc123","attributed_partner_id":"` + me.String() + `"}`)
	if got := ownEvidence(mine, me); string(got) != string(mine) {
		t.Fatalf("own evidence changed: %s", got)
	}
	theirs := json.RawMessage(`{"lead_id":"L","source":"form","referral_code":"abc123","attributed_partner_id":"` + other.String() + `"}`)
	got := ownEvidence(theirs, me)
	if strings.Contains(string(got), "abc123") || strings.Contains(string(got), other.String()) || !strings.Contains(string(got), `"other_partner":true`) {
		t.Fatalf("another partner's evidence: %s", got)
	}
	if s := domain.DescribeInfluence(domain.Influence{Kind: domain.InfluenceLead, RefID: "L", Evidence: got}); s != "lead L from another partner's referral link" {
		t.Fatalf("described as %q", s)
	}
}
