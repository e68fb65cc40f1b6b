package domain

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Worked examples of the lift estimate, each figure computed by hand in
// the comment beside it.
func TestDifferenceInDifferences(t *testing.T) {
	cases := []struct {
		name string
		in   DiDInput
		want DiDEstimate
	}{{
		// Treated A: 1000 a month before, 1600 after. Treated B: 800, 1200,
		// 1000 before (3000) and 1500, 1700, 1600 after (4800).
		// Treated before = (3000 + 3000) / (2 partners × 3 months) = 1000;
		// after = (4800 + 4800) / 6 = 1600.
		// Control C: 1000 before, 1200 after; D: 900, 1100, 1000 (3000) and
		// 1300, 1100, 1200 (3600). Control before = 6000 / 6 = 1000; after
		// = 7200 / 6 = 1200.
		// Lift = (1600 − 1000) − (1200 − 1000) = 400 per partner-month;
		// over the window 400 × 2 treated × 3 months after = 2400.
		name: "worked example: lift 400 per partner-month",
		in: DiDInput{
			Treated: [][]int64{{1000, 1000, 1000, 1600, 1600, 1600}, {800, 1200, 1000, 1500, 1700, 1600}},
			Control: [][]int64{{1000, 1000, 1000, 1200, 1200, 1200}, {900, 1100, 1000, 1300, 1100, 1200}},
			Start:   3,
		},
		want: DiDEstimate{Estimable: true, TreatedPartners: 2, ControlPartners: 2, MonthsBefore: 3, MonthsAfter: 3, FewControls: true,
			TreatedBefore: 1000, TreatedAfter: 1600, ControlBefore: 1000, ControlAfter: 1200, LiftPerPartnerMonth: 400, Lift: 2400,
			// month by month: treated (1000+800)/2 = 900, (1000+1200)/2 = 1100, 1000, (1600+1500)/2 = 1550, 1650, 1600
			TreatedMonthly: []int64{900, 1100, 1000, 1550, 1650, 1600},
			// control (1000+900)/2 = 950, 1050, 1000, 1250, 1150, 1200
			ControlMonthly: []int64{950, 1050, 1000, 1250, 1150, 1200}},
	}, {
		// Treated: 1000 before, 1100 after (+100); control: 1000 before,
		// 1300 after (+300). Lift = 100 − 300 = −200 per partner-month; the
		// program is estimated to have cost revenue: −200 × 1 × 3 = −600.
		name: "negative lift: the controls grew more",
		in: DiDInput{
			Treated: [][]int64{{1000, 1000, 1000, 1100, 1100, 1100}},
			Control: [][]int64{{1000, 1000, 1000, 1300, 1300, 1300}, {1000, 1000, 1000, 1300, 1300, 1300}, {1000, 1000, 1000, 1300, 1300, 1300},
				{1000, 1000, 1000, 1300, 1300, 1300}, {1000, 1000, 1000, 1300, 1300, 1300}},
			Start: 3,
		},
		want: DiDEstimate{Estimable: true, TreatedPartners: 1, ControlPartners: 5, MonthsBefore: 3, MonthsAfter: 3, FewControls: false,
			TreatedBefore: 1000, TreatedAfter: 1100, ControlBefore: 1000, ControlAfter: 1300, LiftPerPartnerMonth: -200, Lift: -600,
			TreatedMonthly: []int64{1000, 1000, 1000, 1100, 1100, 1100}, ControlMonthly: []int64{1000, 1000, 1000, 1300, 1300, 1300}},
	}, {
		// Rounding, a tie: treated after = (1 + 0 + 0 + 1) / 4 = 0.5, every
		// other mean 0: lift 0.5 per partner-month, rounded half to even to
		// 0; over the window 0.5 (exact) × 1 × 4 = 2. Month means 1 and 0.
		name: "rounding: 0.5 goes to even 0, the total is exact",
		in: DiDInput{
			Treated: [][]int64{{0, 0, 0, 0, 1, 0, 0, 1}},
			Control: [][]int64{{0, 0, 0, 0, 0, 0, 0, 0}},
			Start:   4,
		},
		want: DiDEstimate{Estimable: true, TreatedPartners: 1, ControlPartners: 1, MonthsBefore: 4, MonthsAfter: 4, FewControls: true,
			TreatedAfter: 0, LiftPerPartnerMonth: 0, Lift: 2,
			TreatedMonthly: []int64{0, 0, 0, 0, 1, 0, 0, 1}, ControlMonthly: make([]int64, 8)},
	}, {
		// Treated after = (3 + 0 + 0 + 3) / 4 = 1.5 → 2 (half to even);
		// control before = (1 + 0 + 0 + 0) / 4 = 0.25 → 0.
		// Lift = 1.5 − (0 − 0.25) = 1.75 → 2; over the window 1.75 × 4 = 7.
		name: "rounding: 1.5 goes to even 2, 1.75 to 2",
		in: DiDInput{
			Treated: [][]int64{{0, 0, 0, 0, 3, 0, 0, 3}},
			Control: [][]int64{{1, 0, 0, 0, 0, 0, 0, 0}},
			Start:   4,
		},
		want: DiDEstimate{Estimable: true, TreatedPartners: 1, ControlPartners: 1, MonthsBefore: 4, MonthsAfter: 4, FewControls: true,
			TreatedAfter: 2, ControlBefore: 0, LiftPerPartnerMonth: 2, Lift: 7,
			TreatedMonthly: []int64{0, 0, 0, 0, 3, 0, 0, 3}, ControlMonthly: []int64{1, 0, 0, 0, 0, 0, 0, 0}},
	}, {
		// Every partner with revenue is in the program: nothing to compare with.
		name: "not estimable: no control partners",
		in:   DiDInput{Treated: [][]int64{{1, 1, 1, 2, 2, 2}}, Start: 3},
		want: DiDEstimate{Reason: "no control partners: every partner with won revenue in the currency is in the program",
			TreatedPartners: 1, MonthsBefore: 3, MonthsAfter: 3, FewControls: true, TreatedBefore: 1, TreatedAfter: 2,
			TreatedMonthly: []int64{1, 1, 1, 2, 2, 2}, ControlMonthly: make([]int64, 6)},
	}, {
		// The program started at or before the window's first month.
		name: "not estimable: no months before the start",
		in:   DiDInput{Treated: [][]int64{{5, 5, 5}}, Control: [][]int64{{4, 4, 4}}, Start: 0},
		want: DiDEstimate{Reason: "0 month(s) before the program's start in the window; at least 3 needed",
			TreatedPartners: 1, ControlPartners: 1, MonthsAfter: 3, FewControls: true, TreatedAfter: 5, ControlAfter: 4,
			TreatedMonthly: []int64{5, 5, 5}, ControlMonthly: []int64{4, 4, 4}},
	}, {
		name: "not estimable: two months after the start",
		in:   DiDInput{Treated: [][]int64{{5, 5, 5, 6, 6}}, Control: [][]int64{{4, 4, 4, 4, 4}}, Start: 3},
		want: DiDEstimate{Reason: "2 month(s) from the program's start in the window; at least 3 needed",
			TreatedPartners: 1, ControlPartners: 1, MonthsBefore: 3, MonthsAfter: 2, FewControls: true, TreatedBefore: 5, TreatedAfter: 6,
			ControlBefore: 4, ControlAfter: 4, TreatedMonthly: []int64{5, 5, 5, 6, 6}, ControlMonthly: []int64{4, 4, 4, 4, 4}},
	}, {
		name: "not estimable: no treated partners",
		in:   DiDInput{Control: [][]int64{{4, 4, 4, 4, 4, 4}}, Start: 3},
		want: DiDEstimate{Reason: "no treated partners: no partner has a statement line of the program",
			ControlPartners: 1, MonthsBefore: 3, MonthsAfter: 3, FewControls: true, ControlBefore: 4, ControlAfter: 4,
			TreatedMonthly: make([]int64, 6), ControlMonthly: []int64{4, 4, 4, 4, 4, 4}},
	}, {
		// A start after the window's last month is clamped to its end.
		name: "not estimable: the program starts after the window",
		in:   DiDInput{Treated: [][]int64{{1, 1, 1}}, Control: [][]int64{{1, 1, 1}}, Start: 7},
		want: DiDEstimate{Reason: "0 month(s) from the program's start in the window; at least 3 needed",
			TreatedPartners: 1, ControlPartners: 1, MonthsBefore: 3, FewControls: true, TreatedBefore: 1, ControlBefore: 1,
			TreatedMonthly: []int64{1, 1, 1}, ControlMonthly: []int64{1, 1, 1}},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := DifferenceInDifferences(tc.in)
			if !equalEstimate(got, tc.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func equalEstimate(a, b DiDEstimate) bool {
	if !slices.Equal(a.TreatedMonthly, b.TreatedMonthly) || !slices.Equal(a.ControlMonthly, b.ControlMonthly) {
		return false
	}
	a.TreatedMonthly, a.ControlMonthly, b.TreatedMonthly, b.ControlMonthly = nil, nil, nil, nil
	return reflect.DeepEqual(a, b)
}

// Spend per unit of revenue in basis points, by hand.
func TestSpendPerRevenueBP(t *testing.T) {
	cases := []struct {
		spend, revenue, want int64
		ok                   bool
	}{
		{12_345, 1_000_000, 123, true}, // 123.45 bp → 123
		{1, 20_000, 0, true},           // 0.5 bp, a tie → even 0
		{3, 20_000, 2, true},           // 1.5 bp, a tie → even 2
		{50_000, 1_000_000, 500, true}, // 5 % exactly
		{-3, 20_000, -2, true},         // a net clawback: −1.5 → −2
		{100, 0, 0, false},             // no revenue: no ratio
	}
	for _, c := range cases {
		got, ok := SpendPerRevenueBP(c.spend, c.revenue)
		if got != c.want || ok != c.ok {
			t.Errorf("SpendPerRevenueBP(%d, %d) = %d, %v; want %d, %v", c.spend, c.revenue, got, ok, c.want, c.ok)
		}
	}
	r := ROIRow{Accrued: 1, Revenue: 0}.WithRatio()
	if r.SpendPerRevenueBP != nil {
		t.Fatalf("a row without revenue has a ratio: %d", *r.SpendPerRevenueBP)
	}
}

// The caveats name every limit the issue asks the page to state.
func TestROICaveatsNameTheLimits(t *testing.T) {
	all := strings.ToLower(ROIMethod + " " + strings.Join(ROICaveats, " "))
	for _, w := range []string{"parallel trends", "selection", "few controls", "seasonal", "no conversion", "not estimable", "half to even"} {
		if !strings.Contains(all, w) {
			t.Errorf("method and caveats do not mention %q", w)
		}
	}
}
