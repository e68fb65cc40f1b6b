package domain

import "testing"

// auditTiers are the outside audit's marginal tiers, in cents: 2 % up to
// 1,000,000.00, 4 % up to 5,000,000.00, 6 % above.
var auditTiers = []RebateTier{{Above: 0, RateBP: 200}, {Above: 1_000_000_00, RateBP: 400}, {Above: 5_000_000_00, RateBP: 600}}

// TestRebateTrueUpWorkedExamples is the audit's scenario: a partner's
// period revenue of 5,850,000.00 loses a reversed 4,500,000.00 deal. The
// period's rebate is recomputed on 1,350,000.00 under the same rules and the
// difference clawed back, tiers re-evaluated — not the original rebate's
// proportional share (231,000.00 × 4.5 / 5.85 = 177,692.31), which left
// 6 %-tier money on revenue that no longer reaches that tier.
func TestRebateTrueUpWorkedExamples(t *testing.T) {
	for _, c := range []struct {
		mode                  string
		before, after, diff   int64
		tierBefore, tierAfter int
	}{
		// 1,000,000 × 2 % + 4,000,000 × 4 % + 850,000 × 6 % = 231,000;
		// 1,000,000 × 2 % + 350,000 × 4 % = 34,000.
		{RebateModeMarginal, 231_000_00, 34_000_00, -197_000_00, 2, 1},
		// 5,850,000 × 6 % = 351,000; 1,350,000 × 4 % = 54,000.
		{RebateModeRetroactive, 351_000_00, 54_000_00, -297_000_00, 2, 1},
	} {
		r := IncentiveRules{Mode: c.mode, Tiers: auditTiers}
		got, err := RebateTrueUp(r, 5_850_000_00, 1_350_000_00)
		if err != nil {
			t.Fatal(err)
		}
		want := TrueUp{BasisBefore: 5_850_000_00, BasisAfter: 1_350_000_00, Before: c.before, After: c.after, Tier: c.tierAfter}
		if got != want || got.Difference() != c.diff {
			t.Errorf("%s: %+v (difference %d), want %+v (difference %d)", c.mode, got, got.Difference(), want, c.diff)
		}
	}
}

// Corrections of corrections telescope: each true-up recomputes from the
// revenue as last corrected, so what the period paid in the end is the
// rebate on its final revenue, whatever the path.
func TestRebateTrueUpsTelescope(t *testing.T) {
	r := IncentiveRules{Mode: RebateModeMarginal, Tiers: auditTiers}
	paid, _, err := r.Rebate(5_850_000_00)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct{ from, to, diff int64 }{
		{5_850_000_00, 1_350_000_00, -197_000_00}, // the 4,500,000 deal reversed
		{1_350_000_00, 1_000_000_00, -14_000_00},  // two deals corrected in one cycle: −400,000 and +50,000
		{1_000_000_00, 1_300_000_00, 12_000_00},   // one of them corrected again, upwards
	}
	for _, s := range steps {
		tu, err := RebateTrueUp(r, s.from, s.to)
		if err != nil || tu.Difference() != s.diff {
			t.Fatalf("%d → %d: %+v %v, want difference %d", s.from, s.to, tu, err, s.diff)
		}
		paid += tu.Difference()
	}
	final, _, _ := r.Rebate(1_300_000_00)
	if paid != final || final != 32_000_00 {
		t.Fatalf("paid %d in all, the rebate on the final revenue is %d", paid, final)
	}
	// Retroactive, at the boundary: 1,000,000.00 does not exceed the
	// second tier's floor, so the whole revenue earns 2 %.
	retro := IncentiveRules{Mode: RebateModeRetroactive, Tiers: auditTiers}
	if tu, err := RebateTrueUp(retro, 1_350_000_00, 1_000_000_00); err != nil || tu.Before != 54_000_00 || tu.After != 20_000_00 || tu.Tier != 0 {
		t.Fatalf("retroactive at the boundary: %+v %v", tu, err)
	}
}

// A referral's true-up is its deal's own commission recomputed on the
// corrected amount, with the cap; a SPIFF's is the SPIFF the deal earned,
// given back when the deal is reversed and paid again if it is reinstated.
func TestPerDealTrueUps(t *testing.T) {
	ref := IncentiveRules{RateBP: 1000, CapPerDeal: 500}
	for _, c := range []struct{ from, to, before, after int64 }{
		{8000, 3000, 500, 300}, // capped before, not after
		{3000, 0, 300, 0},      // reversed
		{8000, 6000, 500, 500}, // still capped: nothing changes
		{3000, 3500, 300, 350}, // upwards
	} {
		tu, err := ReferralTrueUp(ref, c.from, c.to)
		if err != nil || tu.Before != c.before || tu.After != c.after || tu.BasisBefore != c.from || tu.BasisAfter != c.to {
			t.Errorf("referral %d → %d: %+v %v, want %d → %d", c.from, c.to, tu, err, c.before, c.after)
		}
	}
	for _, c := range []struct{ earned, from, to, diff int64 }{
		{100, 8000, 0, -100}, // reversed: gives back its SPIFF
		{100, 0, 8000, 100},  // reinstated: paid again
		{100, 8000, 5000, 0}, // an amount correction does not change a SPIFF
		{0, 8000, 0, 0},      // it earned nothing (budget exhausted): nothing to give back
	} {
		if tu := SpiffTrueUp(c.earned, c.from, c.to); tu.Difference() != c.diff {
			t.Errorf("SPIFF %d, %d → %d: %+v, want difference %d", c.earned, c.from, c.to, tu, c.diff)
		}
	}
}
