package domain

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func month(s string) Period {
	start := day(s + "-01")
	return Period{Start: start, End: start.AddDate(0, 1, 0)}
}

// bookLines writes a cycle's lines as "partner:kind:amount:detail" where
// detail is "deals/noted" for a partner's line, the true-up otherwise.
func bookLines(c CycleAccrual) string {
	var out []string
	for _, l := range c.Lines {
		if l.TrueUp != nil {
			out = append(out, fmt.Sprintf("%s:%s:%d:%d→%d:%d→%d:c%d", l.Partner, l.Kind, l.Amount, l.TrueUp.BasisBefore, l.TrueUp.BasisAfter,
				l.TrueUp.Before, l.TrueUp.After, l.PaidBy))
			continue
		}
		out = append(out, fmt.Sprintf("%s:%s:%d:%d/%d", l.Partner, l.Kind, l.Amount, l.Deals, l.Noted))
	}
	return strings.Join(out, " ")
}

func mustCycle(t *testing.T, b *IncentiveBook, p Period, r IncentiveRules, deals []ReferenceDeal) CycleAccrual {
	t.Helper()
	c, err := b.Cycle(p, r, deals)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The worked examples of docs/incentives.md (and of the accrual tests in
// PostgreSQL), each one cycle of a program starting in January.
func TestIncentiveBookWorkedExamples(t *testing.T) {
	resale := func(id, partner string, amount int64, closed string) ReferenceDeal {
		return ReferenceDeal{ID: id, Partner: partner, Kind: KindResale, Amount: amount, Currency: "USD",
			ProductLines: []string{"firewall"}, Units: 1, ClosedOn: day(closed)}
	}
	referral := func(id string, amount int64, closed string) ReferenceDeal {
		d := resale(id, "a", amount, closed)
		d.Kind = KindReferral
		return d
	}
	tiers := []RebateTier{{Above: 0, RateBP: 500}, {Above: 100, RateBP: 1000}}
	for _, c := range []struct {
		name     string
		kind     IncentiveKind
		rules    IncentiveRules
		deals    []ReferenceDeal
		want     string
		excluded string
		earned   string // per won deal: id:earned:note
	}{
		{name: "marginal: 100 × 5 % + 100 × 10 % = 15", kind: IncentiveRebate, rules: IncentiveRules{Mode: RebateModeMarginal, Tiers: tiers},
			deals: []ReferenceDeal{resale("1", "a", 120, "2030-01-05"), resale("2", "a", 80, "2030-01-06")},
			want:  "a:rebate:15:2/0"},
		{name: "retroactive: 200 × 10 % = 20", kind: IncentiveRebate, rules: IncentiveRules{Mode: RebateModeRetroactive, Tiers: tiers},
			deals: []ReferenceDeal{resale("1", "a", 120, "2030-01-05"), resale("2", "a", 80, "2030-01-06")},
			want:  "a:rebate:20:2/0"},
		{name: "half to even once per line: 12.5 → 12, 17.5 → 18", kind: IncentiveRebate,
			rules: IncentiveRules{Mode: RebateModeRetroactive, Tiers: tiers[:1]},
			deals: []ReferenceDeal{resale("1", "a", 125, "2030-01-05"), resale("2", "a", 125, "2030-01-06"), resale("3", "b", 350, "2030-01-06")},
			want:  "a:rebate:12:2/0 b:rebate:18:1/0"},
		{name: "product lines, another currency, another kind, before the start", kind: IncentiveRebate,
			rules: IncentiveRules{Mode: RebateModeRetroactive, Tiers: []RebateTier{{RateBP: 1000}}, ProductLines: []string{"vpn"}},
			deals: []ReferenceDeal{
				{ID: "1", Partner: "a", Kind: KindResale, Amount: 1000, Currency: "USD", ProductLines: []string{"vpn", "firewall"}, ClosedOn: day("2030-01-10")},
				{ID: "2", Partner: "a", Kind: KindResale, Amount: 5000, Currency: "USD", ProductLines: []string{"firewall"}, ClosedOn: day("2030-01-10")},
				{ID: "3", Partner: "a", Kind: KindResale, Amount: 700, Currency: "EUR", ProductLines: []string{"vpn"}, ClosedOn: day("2030-01-10")},
				{ID: "4", Partner: "a", Kind: KindReferral, Amount: 900, Currency: "USD", ProductLines: []string{"vpn"}, ClosedOn: day("2030-01-10")},
				{ID: "5", Partner: "a", Kind: KindResale, Amount: 800, Currency: "USD", ProductLines: []string{"vpn"}, ClosedOn: day("2029-12-31")},
			},
			want: "a:rebate:100:1/0", excluded: "3:currency EUR"},
		{name: "referral: rate, cap per deal, hold", kind: IncentiveReferral, rules: IncentiveRules{RateBP: 1000, CapPerDeal: 500, HoldDays: 30},
			deals: []ReferenceDeal{referral("1", 3000, "2030-01-01"), referral("2", 8000, "2030-01-01"), referral("3", 9000, "2030-01-02"),
				resale("4", "a", 9000, "2030-01-01")},
			want: "a:referral:800:2/1", earned: "1:300: 2:500:capped at 500"},
		{name: "SPIFF per deal: the budget runs out, earlier close dates win", kind: IncentiveSpiff,
			rules: IncentiveRules{Amount: 100, Per: SpiffPerDeal, Budget: 250},
			deals: []ReferenceDeal{resale("1", "b", 10, "2030-01-28"), resale("2", "a", 10, "2030-01-11"), resale("3", "b", 10, "2030-01-22")},
			want:  "a:spiff:100:1/0 b:spiff:100:2/1", earned: "1:0:budget exhausted 2:100: 3:100:"},
		{name: "SPIFF per unit inside its window", kind: IncentiveSpiff,
			rules: IncentiveRules{Amount: 10, Per: SpiffPerUnit, From: "2030-01-16"},
			deals: []ReferenceDeal{{ID: "1", Partner: "a", Kind: KindResale, Amount: 10, Currency: "USD", Units: 5, ClosedOn: day("2030-01-26")},
				{ID: "2", Partner: "a", Kind: KindResale, Amount: 10, Currency: "USD", Units: 7, ClosedOn: day("2030-01-06")}},
			want: "a:spiff:50:1/0", earned: "1:50:"},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := NewIncentiveBook(c.kind, "USD", day("2030-01-01"))
			got := mustCycle(t, b, month("2030-01"), c.rules, c.deals)
			if s := bookLines(got); s != c.want {
				t.Errorf("lines %q, want %q", s, c.want)
			}
			var ex, earned []string
			for _, f := range got.Excluded {
				ex = append(ex, f.ID+":"+f.Reason)
			}
			for _, f := range got.Won {
				earned = append(earned, fmt.Sprintf("%s:%d:%s", f.ID, f.Earned, f.Note))
			}
			if s := strings.Join(ex, " "); s != c.excluded {
				t.Errorf("excluded %q, want %q", s, c.excluded)
			}
			if s := strings.Join(earned, " "); c.earned != "" && s != c.earned {
				t.Errorf("earned %q, want %q", s, c.earned)
			}
		})
	}
}

// The audit's scenario, cycle by cycle (TestRebateClawbacksTrueUp runs it
// in PostgreSQL): January's revenue of 5,850,000.00 loses its 4,500,000.00
// deal; March corrects two January deals (one line, two deals) and
// reverses February's; April corrects a January deal upwards. True-ups
// are under January's rules even after a new version, and January's lines
// add up to its rebate on its final revenue.
func TestIncentiveBookRebateTrueUps(t *testing.T) {
	rules := IncentiveRules{Mode: RebateModeMarginal, Tiers: auditTiers}
	deal := func(id string, amount int64, closed string) ReferenceDeal {
		return ReferenceDeal{ID: id, Partner: "a", Kind: KindResale, Amount: amount, Currency: "USD", ClosedOn: day(closed)}
	}
	deals := []ReferenceDeal{deal("a", 450_000_000, "2051-01-05"), deal("b", 100_000_000, "2051-01-10"), deal("c", 35_000_000, "2051-01-20")}
	b := NewIncentiveBook(IncentiveRebate, "USD", day("2051-01-01"))
	if got := bookLines(mustCycle(t, b, month("2051-01"), rules, deals)); got != "a:rebate:23100000:3/0" {
		t.Fatalf("january %q", got)
	}
	deals[0].Amount = 0
	deals = append(deals, deal("d", 10_000_000, "2051-02-14"))
	if got := bookLines(mustCycle(t, b, month("2051-02"), rules, deals)); got != "a:rebate:200000:1/0 a:clawback:-19700000:585000000→135000000:23100000→3400000:c0" {
		t.Fatalf("february %q", got)
	}
	deals[1].Amount, deals[2].Amount, deals[3].Amount = 60_000_000, 40_000_000, 0
	later := IncentiveRules{Mode: RebateModeRetroactive, Tiers: []RebateTier{{RateBP: 9000}}} // not what January and February paid under
	mar := mustCycle(t, b, month("2051-03"), later, deals)
	if got := bookLines(mar); got != "a:clawback:-1400000:135000000→100000000:3400000→2000000:c0 a:clawback:-200000:10000000→0:200000→0:c1" {
		t.Fatalf("march %q", got)
	}
	if l := mar.Lines[0]; l.Deals != 2 || l.DealID != "" || l.Basis != -35_000_000 || l.Tier != 0 || l.RateBP != -1 {
		t.Fatalf("march's line for january: %+v", l)
	}
	deals[1].Amount = 90_000_000
	if got := bookLines(mustCycle(t, b, month("2051-04"), later, deals)); got != "a:correction:1200000:100000000→130000000:2000000→3200000:c0" {
		t.Fatalf("april %q", got)
	}
	if final, _, _ := rules.Rebate(130_000_000); final != 23_100_000-19_700_000-1_400_000+1_200_000 {
		t.Fatalf("january's lines do not add up to %d", final)
	}
}

// Per-deal true-ups: a referral commission recomputed with its cap on the
// corrected amount, then reversed; a SPIFF given back on reversal, paid
// again on reinstatement, untouched by an amount correction.
func TestIncentiveBookPerDealTrueUps(t *testing.T) {
	for _, c := range []struct {
		kind    IncentiveKind
		dk      Kind
		rules   IncentiveRules
		amounts []int64
		want    []string
		changes []int
	}{
		{IncentiveReferral, KindReferral, IncentiveRules{RateBP: 1000, CapPerDeal: 500}, []int64{3000, 0, 0},
			[]string{"a:clawback:-200:8000→3000:500→300:c0", "a:clawback:-300:3000→0:300→0:c0", ""}, []int{1, 1, 0}},
		{IncentiveSpiff, KindResale, IncentiveRules{Amount: 100, Per: SpiffPerDeal}, []int64{0, 5000, 7000},
			[]string{"a:clawback:-100:8000→0:100→0:c0", "a:correction:100:0→5000:0→100:c0", ""}, []int{1, 1, 1}},
	} {
		b := NewIncentiveBook(c.kind, "USD", day("2055-01-01"))
		deals := []ReferenceDeal{{ID: "1", Partner: "a", Kind: c.dk, Amount: 3000, Currency: "USD", ClosedOn: day("2055-01-10")},
			{ID: "2", Partner: "a", Kind: c.dk, Amount: 8000, Currency: "USD", ClosedOn: day("2055-01-20")}}
		mustCycle(t, b, month("2055-01"), c.rules, deals)
		for i, amount := range c.amounts {
			deals[1].Amount = amount
			got := mustCycle(t, b, month(fmt.Sprintf("2055-%02d", i+2)), c.rules, deals)
			if s := bookLines(got); s != c.want[i] || len(got.Changes) != c.changes[i] {
				t.Fatalf("%s, cycle %d: %q (%d changes), want %q (%d)", c.kind, i+1, s, len(got.Changes), c.want[i], c.changes[i])
			}
		}
	}
}

// A SPIFF's budget spans the program's cycles: what earlier cycles paid
// is spent (a budget all spent pays nothing at all, where AllocateSpiff
// alone would read the 0 left as no budget), what they clawed back is
// free again for later claims, and a reinstated deal is paid even below
// zero.
func TestIncentiveBookSpiffBudgetAcrossCycles(t *testing.T) {
	rules := IncentiveRules{Amount: 100, Per: SpiffPerDeal, Budget: 200}
	deal := func(id string, closed string) ReferenceDeal {
		return ReferenceDeal{ID: id, Partner: "a", Kind: KindResale, Amount: 10, Currency: "USD", ClosedOn: day(closed)}
	}
	b := NewIncentiveBook(IncentiveSpiff, "USD", day("2060-01-01"))
	deals := []ReferenceDeal{deal("1", "2060-01-03"), deal("2", "2060-01-04")}
	if got := bookLines(mustCycle(t, b, month("2060-01"), rules, deals)); got != "a:spiff:200:2/0" {
		t.Fatalf("january %q", got)
	}
	deals = append(deals, deal("3", "2060-02-03"))
	deals[0].Amount = 0
	if got := bookLines(mustCycle(t, b, month("2060-02"), rules, deals)); got != "a:spiff:0:1/1 a:clawback:-100:10→0:100→0:c0" {
		t.Fatalf("february %q", got)
	}
	deals = append(deals, deal("4", "2060-03-03"), deal("5", "2060-03-04"))
	deals[0].Amount = 10
	if got := bookLines(mustCycle(t, b, month("2060-03"), rules, deals)); got != "a:spiff:100:2/1 a:correction:100:0→10:0→100:c0" {
		t.Fatalf("march %q", got)
	}
	if b.spent != 300 {
		t.Fatalf("spent %d of a budget of 200: the reinstated deal is paid", b.spent)
	}
	deals = append(deals, deal("6", "2060-04-03"))
	if got := bookLines(mustCycle(t, b, month("2060-04"), rules, deals)); got != "a:spiff:0:1/1" {
		t.Fatalf("april %q", got)
	}
}

// A deal on hold, a deal reported late and a cycle run after a later
// period's: each deal is frozen once, by the first cycle whose window
// holds it, and a change is trued up only by a cycle of a later period
// than the one that paid it.
func TestIncentiveBookLateDealsHoldAndOrder(t *testing.T) {
	rules := IncentiveRules{RateBP: 1000, HoldDays: 10}
	deal := func(id string, amount int64, closed string) ReferenceDeal {
		return ReferenceDeal{ID: id, Partner: "a", Kind: KindReferral, Amount: amount, Currency: "USD", ClosedOn: day(closed)}
	}
	b := NewIncentiveBook(IncentiveReferral, "USD", day("2061-01-01"))
	deals := []ReferenceDeal{deal("1", 1000, "2061-01-05"), deal("2", 2000, "2061-01-25"), deal("h", 3000, "2061-02-25")}
	feb := mustCycle(t, b, month("2061-02"), rules, deals) // run first: pays january's deals; h is on hold until march
	if got := bookLines(feb); got != "a:referral:300:2/0" {
		t.Fatalf("february %q", got)
	}
	deals = append(deals, deal("3", 4000, "2061-01-07")) // reported late, held until 17 January
	deals[0].Amount = 500
	jan := mustCycle(t, b, month("2061-01"), rules, deals)
	if got := bookLines(jan); got != "a:referral:400:1/0" || len(jan.Changes) != 0 {
		t.Fatalf("january, run after february: %q, %d changes", got, len(jan.Changes))
	}
	if got := bookLines(mustCycle(t, b, month("2061-03"), rules, deals)); got != "a:referral:300:1/0 a:clawback:-50:1000→500:100→50:c0" {
		t.Fatalf("march %q", got)
	}
	if _, err := b.Cycle(month("2061-03"), rules, deals); err == nil {
		t.Fatal("a period run twice")
	}
	if from, before := FreezeWindow(IncentiveSpiff, IncentiveRules{From: "2061-03-05", To: "2061-03-09"}, day("2061-01-01"), day("2061-04-01")); !from.Equal(day("2061-03-05")) || !before.Equal(day("2061-03-10")) {
		t.Fatalf("SPIFF window %s..%s", from, before)
	}
}

// Whatever the corrections, and in whichever cycles they land, a paid
// period's lines add up to the rules' figure on its final basis: per
// partner for a rebate (under the rules of the cycle that paid it), per
// deal for a referral.
func TestIncentiveBookTrueUpsTelescope(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 13))
	for i := range 200 {
		kind := []IncentiveKind{IncentiveRebate, IncentiveReferral}[i%2]
		draw := func() IncentiveRules {
			if kind == IncentiveReferral {
				return IncentiveRules{RateBP: 1 + r.Int64N(10_000), CapPerDeal: r.Int64N(3) * r.Int64N(50_000)}
			}
			mode := []string{RebateModeMarginal, RebateModeRetroactive}[r.IntN(2)]
			return IncentiveRules{Mode: mode, Tiers: []RebateTier{{RateBP: r.Int64N(10_001)}, {Above: 1 + r.Int64N(500_000), RateBP: r.Int64N(10_001)}}}
		}
		dk := map[IncentiveKind]Kind{IncentiveRebate: KindResale, IncentiveReferral: KindReferral}[kind]
		b := NewIncentiveBook(kind, "USD", day("2070-01-01"))
		var deals []ReferenceDeal
		for j := range 8 {
			deals = append(deals, ReferenceDeal{ID: fmt.Sprint(j), Partner: fmt.Sprint(j % 3), Kind: dk, Amount: 1 + r.Int64N(1_000_000),
				Currency: "USD", ClosedOn: day("2070-01-01").AddDate(0, 0, r.IntN(90))})
		}
		var rules []IncentiveRules
		paid := map[string]int64{} // cycle/partner or deal → what its lines add up to
		for m := range 5 {
			rules = append(rules, draw())
			c := mustCycle(t, b, month(fmt.Sprintf("2070-%02d", m+1)), rules[m], deals)
			for _, l := range c.Lines {
				key := fmt.Sprintf("c%d/%s", m, l.Partner)
				if l.TrueUp != nil {
					key = fmt.Sprintf("c%d/%s", l.PaidBy, l.Partner)
				}
				if kind == IncentiveReferral {
					key = "" // per deal, below
				}
				paid[key] += l.Amount
			}
			for k := range deals {
				if r.IntN(3) == 0 {
					deals[k].Amount = r.Int64N(2) * r.Int64N(1_000_000)
				}
			}
		}
		// the figures on the final bases, as paid and last frozen
		want := map[string]int64{}
		for id, f := range b.frozen {
			var d ReferenceDeal
			for _, x := range deals {
				if x.ID == id {
					d = x
				}
			}
			if kind == IncentiveReferral {
				c, _ := ReferralCommission(f.last, rules[f.cycle].RateBP, rules[f.cycle].CapPerDeal)
				want[""] += c
			} else {
				want[fmt.Sprintf("c%d/%s", f.cycle, d.Partner)] += 0
			}
		}
		if kind == IncentiveRebate {
			for k := range want {
				var c int
				var p string
				fmt.Sscanf(strings.Replace(k, "/", " ", 1), "c%d %s", &c, &p)
				want[k], _, _ = rules[c].Rebate(b.cycles[c].revenue[p])
			}
		}
		if fmt.Sprint(paid) != fmt.Sprint(want) {
			t.Fatalf("scenario %d (%s): lines add up to %v, the rules on the final bases give %v", i, kind, paid, want)
		}
	}
}
