package domain

// TrueUp is what a correction of a period an earlier cycle paid changes:
// the figure the rules give on the basis as it was and as it is now, both
// under the rules version of the cycle that paid the period, and their
// difference, which the correcting cycle pays (a correction) or claws back
// (a clawback). For a rebate the basis is the partner's revenue in the
// paid period; for a per-deal program, the deal's won amount.
//
// Every true-up recomputes from the basis as last corrected, so the
// true-ups of a period telescope: whatever the order and number of
// corrections, the original line and its true-ups add up to the rules'
// figure on the final basis.
type TrueUp struct {
	BasisBefore int64 `json:"basis_before"`
	BasisAfter  int64 `json:"basis_after"`
	Before      int64 `json:"figure_before"`
	After       int64 `json:"figure_after"`
	// Tier is the rebate tier reached on BasisAfter (0-based; -1: none).
	Tier int `json:"-"`
}

// Difference is what the true-up pays: negative claws back.
func (t TrueUp) Difference() int64 { return t.After - t.Before }

// Rebate is r's rebate on revenue in its mode (RebateRetroactive or
// RebateMarginal) and the tier reached (-1: none).
func (r IncentiveRules) Rebate(revenue int64) (int64, int, error) {
	if r.Mode == RebateModeRetroactive {
		return RebateRetroactive(revenue, r.Tiers)
	}
	return RebateMarginal(revenue, r.Tiers)
}

// RebateTrueUp recomputes a paid period's rebate when the partner's
// revenue in it goes from before to after: the tiers are re-evaluated on
// the corrected revenue, so revenue that no longer reaches a tier no
// longer earns its rate.
//
// Worked example (the audit's): marginal tiers 2 % to 1,000,000, 4 % to
// 5,000,000, 6 % above; revenue 5,850,000 loses a reversed 4,500,000 deal:
// 231,000 → 34,000, a clawback of 197,000 (retroactive: 351,000 → 54,000,
// 297,000).
func RebateTrueUp(r IncentiveRules, before, after int64) (TrueUp, error) {
	was, _, err := r.Rebate(before)
	if err != nil {
		return TrueUp{}, err
	}
	now, tier, err := r.Rebate(after)
	if err != nil {
		return TrueUp{}, err
	}
	return TrueUp{BasisBefore: before, BasisAfter: after, Before: was, After: now, Tier: tier}, nil
}

// ReferralTrueUp recomputes a paid referral commission when its deal's won
// amount goes from before to after: rate, rounding and cap per deal as in
// ReferralCommission.
func ReferralTrueUp(r IncentiveRules, before, after int64) (TrueUp, error) {
	was, err := ReferralCommission(before, r.RateBP, r.CapPerDeal)
	if err != nil {
		return TrueUp{}, err
	}
	now, err := ReferralCommission(after, r.RateBP, r.CapPerDeal)
	if err != nil {
		return TrueUp{}, err
	}
	return TrueUp{BasisBefore: before, BasisAfter: after, Before: was, After: now, Tier: -1}, nil
}

// SpiffTrueUp is a SPIFF's true-up when its deal's won amount goes from
// before to after: a deal earns the SPIFF it was allotted when frozen
// (earned; 0 when the budget was exhausted) while it stays won with a
// positive amount, and nothing once reversed. A reversed deal gives its
// SPIFF back; a reinstated one is paid it again; an amount correction
// changes nothing.
func SpiffTrueUp(earned, before, after int64) TrueUp {
	figure := func(amount int64) int64 {
		if amount > 0 {
			return earned
		}
		return 0
	}
	return TrueUp{BasisBefore: before, BasisAfter: after, Before: figure(before), After: figure(after), Tier: -1}
}
