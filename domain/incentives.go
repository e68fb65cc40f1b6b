package domain

import (
	"errors"
	"math/big"
)

// Rates are in basis points: 1 bp = 0.01 %, so 5 % is 500 and 2.5 % is 250.
const basisPoints = 10_000

// ErrOverflow is returned when an amount would not fit in int64 minor units.
var ErrOverflow = errors.New("amount out of range")

// MulRateHalfEven returns amount × rateBP / 10 000 in minor units, rounded
// half to even (banker's rounding) — the line-level rounding rule of every
// incentive — computed exactly, for negative amounts (clawbacks) too.
func MulRateHalfEven(amount, rateBP int64) (int64, error) {
	num := new(big.Int).Mul(big.NewInt(amount), big.NewInt(rateBP))
	return divHalfEven(num, big.NewInt(basisPoints))
}

func divHalfEven(num, den *big.Int) (int64, error) {
	q, r := new(big.Int).QuoRem(num, den, new(big.Int)) // truncates toward zero
	twice := new(big.Int).Abs(r)
	twice.Lsh(twice, 1)
	switch twice.Cmp(new(big.Int).Abs(den)) {
	case 1:
		q.Add(q, big.NewInt(int64(num.Sign()*den.Sign())))
	case 0:
		if q.Bit(0) == 1 {
			q.Add(q, big.NewInt(int64(num.Sign()*den.Sign())))
		}
	}
	if !q.IsInt64() {
		return 0, ErrOverflow
	}
	return q.Int64(), nil
}

// RebateTier pays RateBP on revenue above Above (minor units). Tiers are
// listed by ascending Above, the first at 0.
type RebateTier struct {
	Above  int64 `json:"above"`
	RateBP int64 `json:"rate_bp"`
}

// RebateRetroactive pays the whole revenue at the rate of the highest tier
// reached (revenue strictly above the tier's Above); it returns the amount
// and the index of that tier (-1 when none is reached).
//
// Worked example: tiers above 0 at 5 % and above 100 at 10 %, revenue 200 →
// 200 × 10 % = 20.
func RebateRetroactive(revenue int64, tiers []RebateTier) (int64, int, error) {
	reached := -1
	for i, t := range tiers {
		if revenue > t.Above {
			reached = i
		}
	}
	if reached < 0 {
		return 0, -1, nil
	}
	amount, err := MulRateHalfEven(revenue, tiers[reached].RateBP)
	return amount, reached, err
}

// RebateMarginal pays each slice of revenue at its own tier's rate: the
// slice between a tier's Above and the next tier's Above earns the first
// tier's rate. Each slice is computed exactly and the total rounded once,
// half to even.
//
// Worked example: tiers above 0 at 5 % and above 100 at 10 %, revenue 200 →
// 100 × 5 % + 100 × 10 % = 15.
func RebateMarginal(revenue int64, tiers []RebateTier) (int64, int, error) {
	total := new(big.Int)
	reached := -1
	for i, t := range tiers {
		if revenue <= t.Above {
			break
		}
		top := revenue
		if i+1 < len(tiers) && tiers[i+1].Above < revenue {
			top = tiers[i+1].Above
		}
		slice := new(big.Int).Sub(big.NewInt(top), big.NewInt(t.Above))
		total.Add(total, slice.Mul(slice, big.NewInt(t.RateBP)))
		reached = i
	}
	amount, err := divHalfEven(total, big.NewInt(basisPoints))
	return amount, reached, err
}

// ReferralCommission pays rateBP of a referred deal's won amount, rounded
// half to even, and at most capMinor when capMinor > 0.
func ReferralCommission(wonAmount, rateBP, capMinor int64) (int64, error) {
	c, err := MulRateHalfEven(wonAmount, rateBP)
	if err != nil {
		return 0, err
	}
	if capMinor > 0 && c > capMinor {
		c = capMinor
	}
	return c, nil
}

// SpiffClaim is a closed-won deal that qualifies for a SPIFF.
type SpiffClaim struct {
	DealID    string `json:"deal_id"`
	CloseDate string `json:"close_date"` // YYYY-MM-DD; earlier dates win the budget
	Units     int64  `json:"units"`      // for per-unit SPIFFs; 1 for per-deal ones
}

// SpiffAward is what one claim is paid, or why not.
type SpiffAward struct {
	DealID string `json:"deal_id"`
	Amount int64  `json:"amount"`
	Reason string `json:"reason,omitempty"`
}

// AllocateSpiff pays each claim amountPerUnit × Units in order of close date
// (then deal id, so the order is total and repeatable) while the budget
// lasts: once the rest of the budget cannot pay a claim in full, that claim
// and every later one are paid nothing and say why — a later deal never
// overtakes an earlier one. budget ≤ 0 means no budget. The accrual in
// PostgreSQL (freeze_finish's budget cut) applies the same rule.
func AllocateSpiff(claims []SpiffClaim, amountPerUnit, budget int64) ([]SpiffAward, error) {
	ordered := append([]SpiffClaim(nil), claims...)
	for i := 1; i < len(ordered); i++ { // insertion sort: stable, small inputs per partner
		for j := i; j > 0 && spiffBefore(ordered[j], ordered[j-1]); j-- {
			ordered[j], ordered[j-1] = ordered[j-1], ordered[j]
		}
	}
	left := budget
	exhausted := false
	out := make([]SpiffAward, 0, len(ordered))
	for _, c := range ordered {
		units := max(c.Units, 1)
		amount := new(big.Int).Mul(big.NewInt(amountPerUnit), big.NewInt(units))
		if !amount.IsInt64() {
			return nil, ErrOverflow
		}
		a := amount.Int64()
		switch {
		case budget <= 0:
			out = append(out, SpiffAward{DealID: c.DealID, Amount: a})
		case !exhausted && a <= left:
			left -= a
			out = append(out, SpiffAward{DealID: c.DealID, Amount: a})
		default:
			exhausted = true
			out = append(out, SpiffAward{DealID: c.DealID, Reason: "budget exhausted"})
		}
	}
	return out, nil
}

func spiffBefore(a, b SpiffClaim) bool {
	if a.CloseDate != b.CloseDate {
		return a.CloseDate < b.CloseDate
	}
	return a.DealID < b.DealID
}
