package domain

// DefaultPayoutSecondApprovalAt is, per currency, the payout in minor
// units at or above which an incentive cycle needs the approvals of two
// different finance people, when the program's rules do not state
// second_approval_at: 1,000,000.00 in USD, EUR, GBP, CHF, CAD and AUD,
// 150,000,000 JPY (the same ratio as deals' second_approval_at). A
// currency not listed always needs two.
var DefaultPayoutSecondApprovalAt = map[string]int64{
	"USD": 1_000_000_00, "EUR": 1_000_000_00, "GBP": 1_000_000_00, "CHF": 1_000_000_00,
	"CAD": 1_000_000_00, "AUD": 1_000_000_00, "JPY": 150_000_000,
}

// PayoutSecondApprovalAt is the payout, in minor units of currency (the
// program's), at or above which a cycle under these rules needs two
// finance people's approvals: the rules' own second_approval_at, else the
// default for the currency; 0 (every cycle needs two) for a currency
// without a default.
func (r IncentiveRules) PayoutSecondApprovalAt(currency string) int64 {
	if r.SecondApprovalAt > 0 {
		return r.SecondApprovalAt
	}
	return DefaultPayoutSecondApprovalAt[currency]
}

// PayoutApprovalsRequired is how many different finance people must
// approve a cycle that pays out payout: two at or above threshold, else one.
func PayoutApprovalsRequired(payout, threshold int64) int {
	if payout >= threshold {
		return 2
	}
	return 1
}
