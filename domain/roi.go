package domain

import (
	"fmt"
	"math/big"
)

// The return on incentive spend: what a program, a partner or a tier cost
// in incentives against the revenue it won, and an estimate of the revenue
// lift an incentive program brought (a difference-in-differences of
// monthly won revenue). Pure arithmetic on integer minor units of one
// currency; the figures come from db/queries/roi.sql (read.ROI).
//
// Rounding: every figure is computed exactly (big rationals) and rounded
// once, half to even, to a whole minor unit (or a whole basis point for a
// ratio): the rule every incentive figure follows (MulRateHalfEven).

// Thresholds of the lift estimate.
const (
	// ROIMinMonthsBefore and ROIMinMonthsAfter are the fewest whole months
	// the window must hold before and from the program's start month for
	// the lift to be estimated: with fewer, one unusual month decides it.
	ROIMinMonthsBefore = 3
	ROIMinMonthsAfter  = 3
	// ROIFewControls is the number of control partners under which the
	// estimate is given but flagged: a handful of partners' luck moves it.
	ROIFewControls = 5
)

// ROIMethod says how the lift is estimated, in the words the API and the
// console show beside it.
const ROIMethod = "Difference-in-differences of monthly won revenue per partner, in one currency. " +
	"Treated: partners with at least one statement line in a cycle of the program. " +
	"Control: every other partner with a won deal in the currency in the window. " +
	"Before: the window's months before the month of the program's start; after: from that month on. " +
	"Each group's mean is its won revenue summed over its partners and months, divided by partners × months (months without a won deal count as 0). " +
	"Lift per partner-month = (treated after − treated before) − (control after − control before); " +
	"lift over the window = lift per partner-month × treated partners × months after. " +
	"Each figure is exact, then rounded half to even to a minor unit."

// ROICaveats are the limits of the estimate, shown with it everywhere.
var ROICaveats = []string{
	"Parallel trends: the estimate assumes treated partners' revenue would have moved like the control partners' without the program; the monthly means are shown so that the pre-period can be compared, nothing tests it.",
	"Selection: partners are not assigned to programs at random, and a partner counts as treated because the program paid it something, which needs won deals after the start: the estimate leans upward.",
	fmt.Sprintf("Few controls: with fewer than %d control partners the estimate is flagged; with none it is not estimable.", ROIFewControls),
	"Seasonality: before and after cover different calendar months; a seasonal business moves both groups alike only if both are equally seasonal.",
	"Currency: no conversion is done; each currency is computed on its own, and programs paying in another currency are not listed.",
	fmt.Sprintf("Not estimable when the window has fewer than %d months before or %d months from the program's start, or when there are no treated or no control partners.", ROIMinMonthsBefore, ROIMinMonthsAfter),
	"Other programs: a partner may be in several programs at once; each program's estimate credits it with the whole difference.",
	"Tiers are the partners' tiers now, not when the revenue was won.",
}

// DiDInput is the panel of one program's lift: each partner's won revenue
// per month of the window (minor units, one currency), every series the
// same length, and Start, the index of the program's start month (0: the
// program started at or before the window's first month; len: after its
// last).
type DiDInput struct {
	Treated [][]int64
	Control [][]int64
	Start   int
}

// DiDEstimate is a program's lift estimate. When Estimable is false, Reason
// says why and the figures are whatever could be computed.
type DiDEstimate struct {
	Estimable       bool   `json:"estimable"`
	Reason          string `json:"reason,omitempty"`
	TreatedPartners int    `json:"treated_partners"`
	ControlPartners int    `json:"control_partners"`
	MonthsBefore    int    `json:"months_before"`
	MonthsAfter     int    `json:"months_after"`
	// FewControls flags an estimate on fewer than ROIFewControls controls.
	FewControls bool `json:"few_controls"`
	// Mean won revenue per partner-month of each group and period (rounded).
	TreatedBefore int64 `json:"treated_before"`
	TreatedAfter  int64 `json:"treated_after"`
	ControlBefore int64 `json:"control_before"`
	ControlAfter  int64 `json:"control_after"`
	// LiftPerPartnerMonth is the difference-in-differences, computed from
	// the exact means and rounded once.
	LiftPerPartnerMonth int64 `json:"lift_per_partner_month"`
	// Lift is LiftPerPartnerMonth (exact) × treated partners × months after,
	// rounded once: the revenue the estimate credits to the program.
	Lift int64 `json:"lift"`
	// TreatedMonthly and ControlMonthly are each group's mean per partner,
	// month by month (rounded), to judge the parallel-trends assumption.
	TreatedMonthly []int64 `json:"treated_monthly"`
	ControlMonthly []int64 `json:"control_monthly"`
}

// DifferenceInDifferences estimates a program's lift from its panel.
func DifferenceInDifferences(in DiDInput) DiDEstimate {
	months := 0
	for _, s := range append(append([][]int64{}, in.Treated...), in.Control...) {
		months = max(months, len(s))
	}
	start := min(max(in.Start, 0), months)
	e := DiDEstimate{TreatedPartners: len(in.Treated), ControlPartners: len(in.Control),
		MonthsBefore: start, MonthsAfter: months - start}
	e.FewControls = e.ControlPartners < ROIFewControls
	e.TreatedMonthly = monthlyMeans(in.Treated, months)
	e.ControlMonthly = monthlyMeans(in.Control, months)
	tb, ta := groupMean(in.Treated, 0, start), groupMean(in.Treated, start, months)
	cb, ca := groupMean(in.Control, 0, start), groupMean(in.Control, start, months)
	e.TreatedBefore, e.TreatedAfter = ratHalfEven(tb), ratHalfEven(ta)
	e.ControlBefore, e.ControlAfter = ratHalfEven(cb), ratHalfEven(ca)
	switch {
	case e.TreatedPartners == 0:
		e.Reason = "no treated partners: no partner has a statement line of the program"
	case e.ControlPartners == 0:
		e.Reason = "no control partners: every partner with won revenue in the currency is in the program"
	case e.MonthsBefore < ROIMinMonthsBefore:
		e.Reason = fmt.Sprintf("%d month(s) before the program's start in the window; at least %d needed", e.MonthsBefore, ROIMinMonthsBefore)
	case e.MonthsAfter < ROIMinMonthsAfter:
		e.Reason = fmt.Sprintf("%d month(s) from the program's start in the window; at least %d needed", e.MonthsAfter, ROIMinMonthsAfter)
	default:
		e.Estimable = true
	}
	if !e.Estimable {
		return e
	}
	lift := new(big.Rat).Sub(new(big.Rat).Sub(ta, tb), new(big.Rat).Sub(ca, cb))
	e.LiftPerPartnerMonth = ratHalfEven(lift)
	e.Lift = ratHalfEven(lift.Mul(lift, big.NewRat(int64(e.TreatedPartners)*int64(e.MonthsAfter), 1)))
	return e
}

// groupMean is the exact mean per partner-month of series over months
// [from, to); 0 when there is nothing to divide by.
func groupMean(series [][]int64, from, to int) *big.Rat {
	cells := int64(len(series)) * int64(to-from)
	if cells <= 0 {
		return new(big.Rat)
	}
	sum := new(big.Int)
	for _, s := range series {
		for m := from; m < to && m < len(s); m++ {
			sum.Add(sum, big.NewInt(s[m]))
		}
	}
	return new(big.Rat).SetFrac(sum, big.NewInt(cells))
}

// monthlyMeans is each month's mean per partner of series, rounded.
func monthlyMeans(series [][]int64, months int) []int64 {
	out := make([]int64, months)
	for m := range out {
		out[m] = ratHalfEven(groupMean(series, m, m+1))
	}
	return out
}

// ratHalfEven rounds r half to even to a whole number; a figure beyond
// int64 (a panel of sums near MaxInt64) saturates rather than wraps.
func ratHalfEven(r *big.Rat) int64 {
	q, err := divHalfEven(r.Num(), r.Denom())
	if err != nil {
		if r.Sign() < 0 {
			return -1 << 63
		}
		return 1<<63 - 1
	}
	return q
}

// SpendPerRevenueBP is spend / revenue in basis points (1,250 = 12.50 % of
// revenue), exact then rounded half to even; ok is false when there is no
// revenue to divide by.
func SpendPerRevenueBP(spend, revenue int64) (bp int64, ok bool) {
	if revenue <= 0 {
		return 0, false
	}
	return ratHalfEven(new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(spend), big.NewInt(basisPoints)), big.NewInt(revenue))), true
}

// ROIRow is one line of a spend-against-revenue table: a program, a
// partner or a tier, in one currency, over a window of months.
type ROIRow struct {
	// Key identifies the row: a program's code, a partner's id, a tier.
	Key  string `json:"key"`
	Name string `json:"name"`
	// Tier is a partner row's tier now (empty on other rows).
	Tier string `json:"tier,omitempty"`
	// Accrued is what the cycles of the window's months computed, after
	// finance's adjustments; Paid what their payouts paid.
	Accrued int64 `json:"accrued"`
	Paid    int64 `json:"paid"`
	// Revenue is the won revenue the row is measured against.
	Revenue int64 `json:"revenue"`
	// SpendPerRevenueBP is Accrued / Revenue in basis points (null: no revenue).
	SpendPerRevenueBP *int64 `json:"spend_per_revenue_bp"`
}

// WithRatio returns r with its SpendPerRevenueBP computed.
func (r ROIRow) WithRatio() ROIRow {
	if bp, ok := SpendPerRevenueBP(r.Accrued, r.Revenue); ok {
		r.SpendPerRevenueBP = &bp
	} else {
		r.SpendPerRevenueBP = nil
	}
	return r
}

// ROIProgram is a program's row: its spend against the revenue its cycles
// counted, and its lift estimate.
type ROIProgram struct {
	ROIRow
	Kind string `json:"kind"`
	// StartsOn is the program's start (YYYY-MM-DD); its month is the
	// first month "after" of the lift estimate.
	StartsOn string      `json:"starts_on"`
	Lift     DiDEstimate `json:"lift"`
}
