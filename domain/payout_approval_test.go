package domain

import (
	"strings"
	"testing"
)

// TestPayoutSecondApproval proves the threshold is the rules' own, else the
// currency's default (two for a currency without one), and that a payout
// at the threshold needs two approvals.
func TestPayoutSecondApproval(t *testing.T) {
	own := IncentiveRules{SecondApprovalAt: 5_000_00}
	for _, tc := range []struct {
		r        IncentiveRules
		currency string
		want     int64
	}{
		{own, "USD", 5_000_00}, {IncentiveRules{}, "USD", 1_000_000_00}, {IncentiveRules{}, "JPY", 150_000_000},
		{IncentiveRules{}, "SEK", 0},
	} {
		if got := tc.r.PayoutSecondApprovalAt(tc.currency); got != tc.want {
			t.Errorf("%+v in %s: %d, want %d", tc.r, tc.currency, got, tc.want)
		}
	}
	for _, tc := range []struct {
		payout, threshold int64
		want              int
	}{{999, 1000, 1}, {1000, 1000, 2}, {1001, 1000, 2}, {0, 0, 2}} {
		if got := PayoutApprovalsRequired(tc.payout, tc.threshold); got != tc.want {
			t.Errorf("payout %d at threshold %d: %d approvals, want %d", tc.payout, tc.threshold, got, tc.want)
		}
	}
	r, err := ParseIncentiveRules(IncentiveReferral, []byte(`{"rate_bp":500,"second_approval_at":250000}`))
	if err != nil || r.SecondApprovalAt != 250000 {
		t.Fatalf("referral rules with second_approval_at: %+v %v", r, err)
	}
	if _, err := ParseIncentiveRules(IncentiveReferral, []byte(`{"rate_bp":500,"second_approval_at":-1}`)); err == nil ||
		!strings.Contains(err.Error(), "second_approval_at") {
		t.Fatalf("a negative threshold: %v", err)
	}
}
