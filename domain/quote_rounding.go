package domain

import (
	"fmt"
	"math/big"
)

// BasisPoints counts hundredths of a percent: 1 % is 100, 100 % is
// MaxBasisPoints. Every discount rate of the quote context is held in them,
// so that no rate is a float.
type BasisPoints = int64

// MaxBasisPoints is 100 %.
const MaxBasisPoints BasisPoints = basisPoints

// FormatBP writes a rate as a percentage with two decimals (550 → "5.50 %").
func FormatBP(bp BasisPoints) string {
	return fmt.Sprintf("%d.%02d %%", bp/100, bp%100)
}

// roundHalfEven is n / MaxBasisPoints rounded half-even (a tie goes to the
// even neighbour: 2.5 → 2, 3.5 → 4) to a whole minor unit, by the same
// exact division incentives use. The waterfall's amounts never exceed
// MaxAmount × MaxBasisPoints, so the quotient always fits.
func roundHalfEven(n *big.Int) int64 {
	q, err := divHalfEven(n, big.NewInt(MaxBasisPoints))
	if err != nil {
		panic(err) // unreachable: amounts are bounded by MaxAmount
	}
	return q
}

// ApplyDiscount is one step of the waterfall: the running amount less bp
// basis points, the result rounded half-even to a whole minor unit.
func ApplyDiscount(running int64, bp BasisPoints) int64 {
	return roundHalfEven(new(big.Int).Mul(big.NewInt(running), big.NewInt(MaxBasisPoints-bp)))
}
