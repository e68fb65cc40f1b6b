package domain

import (
	"math"
	"testing"
)

// TestMulRateHalfEven pins banker's rounding at the line level, for
// clawbacks (negative amounts) too, and refuses overflow.
func TestMulRateHalfEven(t *testing.T) {
	cases := []struct{ amount, bp, want int64 }{
		{10000, 500, 500},                      // 100.00 × 5 % = 5.00
		{250, 1000, 25},                        // exact
		{25, 1000, 2},                          // 2.5 → 2 (even)
		{35, 1000, 4},                          // 3.5 → 4 (even)
		{-25, 1000, -2},                        // -2.5 → -2
		{-35, 1000, -4},                        // -3.5 → -4
		{26, 1000, 3},                          // 2.6 → 3
		{24, 1000, 2},                          // 2.4 → 2
		{1, 4999, 0},                           // 0.4999 → 0
		{1, 5000, 0},                           // 0.5 → 0 (even)
		{3, 5000, 2},                           // 1.5 → 2 (even)
		{999_999_999_999, 333, 33_300_000_000}, // 33 299 999 999.9667 → 33 300 000 000
	}
	for _, c := range cases {
		got, err := MulRateHalfEven(c.amount, c.bp)
		if err != nil || got != c.want {
			t.Errorf("MulRateHalfEven(%d, %d) = %d, %v; want %d", c.amount, c.bp, got, err, c.want)
		}
	}
	if _, err := MulRateHalfEven(math.MaxInt64, 20000); err != ErrOverflow {
		t.Fatalf("overflow: %v", err)
	}
}

// TestRebates is the worked example of shared/docs/domain.md in both modes,
// with boundaries, no tier reached and a single tier.
func TestRebates(t *testing.T) {
	tiers := []RebateTier{{Above: 0, RateBP: 500}, {Above: 100_00, RateBP: 1000}} // $0-100 at 5 %, above $100 at 10 %
	cases := []struct {
		revenue             int64
		marginal, retro     int64
		marginalTier, rTier int
	}{
		{200_00, 15_00, 20_00, 1, 1}, // the worked example: marginal $15, retroactive $20
		{100_00, 5_00, 5_00, 0, 0},   // exactly at the boundary: still the first tier
		{100_01, 5_00, 10_00, 1, 1},  // one cent above: 5.00 + 0.001 → 5.00; retroactive 10.001 → 10.00
		{0, 0, 0, -1, -1},
		{-50_00, 0, 0, -1, -1}, // net negative revenue earns no rebate
		{33, 2, 2, 0, 0},       // 1.65 → 2
	}
	for _, c := range cases {
		m, mt, err := RebateMarginal(c.revenue, tiers)
		if err != nil || m != c.marginal || mt != c.marginalTier {
			t.Errorf("marginal(%d) = %d tier %d, %v; want %d tier %d", c.revenue, m, mt, err, c.marginal, c.marginalTier)
		}
		r, rt, err := RebateRetroactive(c.revenue, tiers)
		if err != nil || r != c.retro || rt != c.rTier {
			t.Errorf("retroactive(%d) = %d tier %d, %v; want %d tier %d", c.revenue, r, rt, err, c.retro, c.rTier)
		}
	}
	three := []RebateTier{{0, 200}, {50_000_00, 300}, {250_000_00, 450}}
	if m, _, _ := RebateMarginal(300_000_00, three); m != 50_000_00*2/100+200_000_00*3/100+50_000_00*45/1000 {
		t.Fatalf("three tiers marginal = %d", m)
	}
}

// TestReferralCommission applies the rate, rounds half to even and caps.
func TestReferralCommission(t *testing.T) {
	cases := []struct{ won, bp, cap, want int64 }{
		{1_000_000_00, 1000, 0, 100_000_00},
		{1_000_000_00, 1000, 25_000_00, 25_000_00},
		{125, 1000, 0, 12},                 // 12.5 → 12
		{-1_000_00, 1000, 500_00, -100_00}, // a reversal's clawback is not capped
	}
	for _, c := range cases {
		if got, err := ReferralCommission(c.won, c.bp, c.cap); err != nil || got != c.want {
			t.Errorf("ReferralCommission(%d, %d, %d) = %d, %v; want %d", c.won, c.bp, c.cap, got, err, c.want)
		}
	}
}

// TestAllocateSpiff: earlier close dates win the budget; once a claim does
// not fit, it and every later one (even a smaller one) are paid nothing.
func TestAllocateSpiff(t *testing.T) {
	claims := []SpiffClaim{
		{DealID: "d3", CloseDate: "2027-01-20", Units: 1},
		{DealID: "d1", CloseDate: "2027-01-05", Units: 1},
		{DealID: "d4", CloseDate: "2027-01-25", Units: 3},
		{DealID: "d2", CloseDate: "2027-01-05", Units: 2},
		{DealID: "d5", CloseDate: "2027-01-30", Units: 1},
		{DealID: "d6", CloseDate: "2027-01-31", Units: 0}, // 0 counts as 1
	}
	got, err := AllocateSpiff(claims, 100_00, 500_00)
	if err != nil {
		t.Fatal(err)
	}
	want := []SpiffAward{
		{DealID: "d1", Amount: 100_00}, {DealID: "d2", Amount: 200_00}, {DealID: "d3", Amount: 100_00},
		{DealID: "d4", Reason: "budget exhausted"}, {DealID: "d5", Reason: "budget exhausted"},
		{DealID: "d6", Reason: "budget exhausted"},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("award %d = %+v, want %+v (all: %+v)", i, got[i], want[i], got)
		}
	}
	free, _ := AllocateSpiff(claims, 100_00, 0)
	var total int64
	for _, a := range free {
		total += a.Amount
	}
	if total != 900_00 {
		t.Fatalf("without a budget: %d", total)
	}
	if _, err := AllocateSpiff([]SpiffClaim{{Units: math.MaxInt64}}, 2, 0); err != ErrOverflow {
		t.Fatalf("overflow: %v", err)
	}
}
