package domain

import (
	"math"
	"math/big"
	"strconv"
)

// RoundDecimal rounds x to places decimals the way PostgreSQL's
// round(x::numeric, places) does, so that a match score or a similarity
// printed here reads as the database's (the account map's SQL scoring,
// db/functions/60_mapping.sql): x is first written with 15 significant
// digits (float8 to numeric), and that decimal is rounded half away from
// zero. It differs from math.Round(x·10ⁿ)/10ⁿ only near a tie: 0.845,
// stored as 0.84499999999999997, rounds to 0.85 as the database rounds it.
func RoundDecimal(x float64, places int) float64 {
	scale := math.Pow10(places)
	d := x * scale
	if frac := math.Abs(d - math.Trunc(d)); math.Abs(frac-0.5) > 1e-6 {
		return math.Round(d) / scale // far from a tie: both ways agree
	}
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(x, 'e', 14, 64))
	if !ok {
		return math.Round(d) / scale
	}
	r.Mul(r, new(big.Rat).SetFloat64(scale))
	num, den := new(big.Int).Abs(r.Num()), r.Denom()
	// half away from zero: floor((2·|num| + den) / (2·den))
	q := new(big.Int).Div(new(big.Int).Add(new(big.Int).Lsh(num, 1), den), new(big.Int).Lsh(den, 1))
	f, _ := new(big.Rat).SetFrac(q, new(big.Int).SetInt64(int64(scale))).Float64()
	if r.Sign() < 0 {
		f = -f
	}
	return f
}
