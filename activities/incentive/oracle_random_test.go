package incentive_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/dealflow/dealflow/domain"
)

// The random programs and deals of TestAccrualOracle: every program kind
// and rebate mode, amounts that land on rounding ties, tier boundaries and
// caps, deals in another currency, of the other kind, without the
// program's product lines, closed before the program starts or in later
// periods, reported late.

// oracleVariants are the program kinds and modes, one scenario each in turn.
var oracleVariants = []struct {
	name string
	kind domain.IncentiveKind
	mode string // rebate mode, SPIFF per
}{
	{"rebate-retroactive", domain.IncentiveRebate, domain.RebateModeRetroactive},
	{"rebate-marginal", domain.IncentiveRebate, domain.RebateModeMarginal},
	{"referral", domain.IncentiveReferral, ""},
	{"spiff-deal", domain.IncentiveSpiff, domain.SpiffPerDeal},
	{"spiff-unit", domain.IncentiveSpiff, domain.SpiffPerUnit},
}

// oracleProductLines are the product lines deals and programs pick from.
var oracleProductLines = []string{"firewall", "vpn", "edr", "sd-wan"}

// oracleRates favour rates whose products with round amounts end in
// exactly half a minor unit (5 %, 2.5 %, 12.5 %, 50 %, 0.5 %, 0.01 %).
var oracleRates = []int64{500, 250, 1250, 5000, 50, 1, 333, 1000, 9999, 10000, 0}

// oracleGen draws one scenario's program rules and deals.
type oracleGen struct {
	r        *rand.Rand
	variant  int
	year     int
	currency string
	// edges are amounts at the edges of the current rules (tier
	// thresholds, caps), ties amounts whose figure ends in exactly half a
	// minor unit under them.
	edges, ties []int64
	// spiff is the SPIFF amount and budget last drawn.
	spiff [2]int64
	// boundaries are the days around which close dates matter whatever
	// the rules (each period's first day, each program's start), ruleDays
	// those the current rules add (the last day a referral's hold lets a
	// deal be paid by a period, a SPIFF window's ends), each with the
	// days beside it: close dates land on them often.
	boundaries, ruleDays []time.Time
	// grain rounds most amounts (1, 10, 50 or 100 minor units): sums of
	// round amounts land on half a minor unit far more often.
	grain int64
}

func (g *oracleGen) kind() domain.IncentiveKind { return oracleVariants[g.variant].kind }

// day is the given day of month m of the scenario's year (m ≤ 0: the
// months before it).
func (g *oracleGen) day(m, d int) time.Time {
	return time.Date(g.year, time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, m-1, d-1)
}

// rules draws a rules version: the variant's mode or basis, or (for a
// later version) now and then the other one. It returns the JSON as
// published and the rules as parsed.
func (g *oracleGen) rules(later bool) (string, domain.IncentiveRules) {
	r := g.r
	v := oracleVariants[g.variant]
	m := map[string]any{}
	mode := v.mode
	if later && r.IntN(3) == 0 {
		mode = map[string]string{domain.RebateModeRetroactive: domain.RebateModeMarginal, domain.RebateModeMarginal: domain.RebateModeRetroactive,
			domain.SpiffPerDeal: domain.SpiffPerUnit, domain.SpiffPerUnit: domain.SpiffPerDeal, "": ""}[mode]
	}
	lines := func() {
		if r.IntN(3) == 0 {
			var pl []string
			for _, l := range oracleProductLines {
				if r.IntN(2) == 0 {
					pl = append(pl, l)
				}
			}
			if len(pl) > 0 {
				pl[0] = " " + pl[0] + " " // stored as published, normalised when read
				if r.IntN(2) == 0 {
					pl[len(pl)-1] = "VPN"
				}
				m["product_lines"] = pl
			}
		}
	}
	g.edges, g.ties = g.edges[:0], g.ties[:0]
	g.ruleDays = g.ruleDays[:0]
	around := func(d time.Time) { g.ruleDays = append(g.ruleDays, d.AddDate(0, 0, -1), d, d.AddDate(0, 0, 1)) }
	switch v.kind {
	case domain.IncentiveRebate:
		m["mode"] = mode
		aboves := []int64{0}
		for range r.IntN(4) {
			aboves = append(aboves, []int64{1, 100, 1_000, 10_000, 12_345, 100_000, 1_000_000, 50_000_000, 1 + r.Int64N(5_000_000)}[r.IntN(9)])
		}
		slices.Sort(aboves)
		aboves = slices.Compact(aboves)
		var tiers []map[string]int64
		for _, a := range aboves {
			rate := g.rate()
			tiers = append(tiers, map[string]int64{"above": a, "rate_bp": rate})
			g.edges = append(g.edges, a, a+1)
			g.ties = append(g.ties, g.tiesOf(rate)...)
		}
		m["tiers"] = tiers
		lines()
	case domain.IncentiveReferral:
		rate := max(g.rate(), 1)
		m["rate_bp"] = rate
		if r.IntN(3) > 0 {
			cap := []int64{1, 5, 500, 12_345, 1_000_000, 1 + r.Int64N(200_000)}[r.IntN(6)]
			m["cap_per_deal"] = cap
			at := cap * 10_000 / rate // the amount whose commission is the cap
			g.edges = append(g.edges, max(at-1, 1), max(at, 1), at+1, at+2)
		}
		hold := []int{0, 0, 1, 10, 30, 45}[r.IntN(6)]
		m["hold_days"] = hold
		for _, b := range g.boundaries {
			around(b.AddDate(0, 0, -hold)) // closed the day before: paid by the period ending at b
		}
		g.ties = append(g.ties, g.tiesOf(rate)...)
	case domain.IncentiveSpiff:
		m["per"] = mode
		if !later || r.IntN(4) == 0 { // a later version mostly keeps the amount and budget
			g.spiff[0] = []int64{1, 100, 2_500, 1 + r.Int64N(100_000)}[r.IntN(4)]
			g.spiff[1] = 0
			if r.IntN(4) > 0 { // enough for a few deals or units: it runs out in some cycle
				g.spiff[1] = g.spiff[0] * (1 + r.Int64N(map[string]int64{domain.SpiffPerDeal: 3, domain.SpiffPerUnit: 15}[mode]))
				if r.IntN(4) == 0 { // and not a multiple of the amount
					g.spiff[1] = max(g.spiff[1]-1-r.Int64N(g.spiff[0]), 1)
				}
			}
		}
		m["amount"] = g.spiff[0]
		if g.spiff[1] > 0 {
			m["budget"] = g.spiff[1]
		}
		if r.IntN(3) == 0 {
			from := g.day(r.IntN(3), 1+r.IntN(28))
			m["from"] = from.Format(time.DateOnly)
			around(from)
		}
		if r.IntN(2) == 0 {
			to := g.day(1+r.IntN(3), 1+r.IntN(28))
			if from, ok := m["from"].(string); ok && to.Format(time.DateOnly) < from {
				to, _ = time.Parse(time.DateOnly, from)
			}
			m["to"] = to.Format(time.DateOnly)
			around(to)
		}
		lines()
	}
	raw, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	rules, err := domain.ParseIncentiveRules(v.kind, raw)
	if err != nil {
		panic(fmt.Sprintf("generated rules %s: %v", raw, err))
	}
	return string(raw), rules
}

func (g *oracleGen) rate() int64 {
	if g.r.IntN(4) == 0 {
		return g.r.Int64N(10_001)
	}
	return oracleRates[g.r.IntN(len(oracleRates))]
}

// tiesOf returns amounts whose product with rate ends in exactly half a
// minor unit (amount × rate ≡ 5000 mod 10000), when there are any.
// Most have an even quotient, where half to even and half up differ.
func (g *oracleGen) tiesOf(rate int64) []int64 {
	var even, odd []int64
	for x := int64(1); x <= 20_000 && len(even)+len(odd) < 8; x++ {
		if x*rate%10_000 == 5_000 {
			t := x + 20_000*g.r.Int64N(1_000) // 20,000 × rate ≡ 0 (mod 20,000): the same tie, the same parity
			if t*rate/10_000%2 == 0 {
				even = append(even, t)
			} else if len(odd) < 2 {
				odd = append(odd, t)
			}
		}
	}
	return append(even, odd...)
}

// amount draws a won amount in minor units.
func (g *oracleGen) amount() int64 {
	r := g.r
	switch n := r.IntN(6); {
	case n == 0 && len(g.edges) > 0:
		return max(g.edges[r.IntN(len(g.edges))], 1)
	case n <= 2 && len(g.ties) > 0:
		return g.ties[r.IntN(len(g.ties))]
	}
	return max(g.roughAmount()/g.grain*g.grain, g.grain)
}

func (g *oracleGen) roughAmount() int64 {
	r := g.r
	switch r.IntN(7) {
	case 0:
		return 1 + r.Int64N(999)
	case 1:
		return 10 * (1 + r.Int64N(100_000))
	case 2:
		return 50 * (1 + r.Int64N(10_000))
	case 3:
		if r.IntN(8) == 0 { // beyond what int64 arithmetic on rates holds
			return domain.MaxAmount - r.Int64N(domain.MaxAmount/10)
		}
		return 1_000_000_000 + r.Int64N(999_000_000_000)
	case 4:
		return 100_00 * (1 + r.Int64N(1_000))
	}
	return 1 + r.Int64N(10_000_000)
}

// deal draws a closed-won deal of one of partners closed in [from, to).
func (g *oracleGen) deal(partners int, from, to time.Time) wonDeal {
	r := g.r
	own := domain.KindResale
	if g.kind() == domain.IncentiveReferral {
		own = domain.KindReferral
	}
	d := wonDeal{partner: r.IntN(partners), kind: own, amount: g.amount(), currency: g.currency, units: 1 + r.Int64N(12)}
	if r.IntN(8) == 0 {
		d.kind = map[domain.Kind]domain.Kind{domain.KindResale: domain.KindReferral, domain.KindReferral: domain.KindResale}[own]
	}
	if r.IntN(7) == 0 {
		d.currency = map[string]string{"USD": "EUR", "EUR": "USD"}[g.currency]
		if r.IntN(3) == 0 {
			d.currency = "JPY"
		}
	}
	d.lines = []string{oracleProductLines[r.IntN(len(oracleProductLines))]}
	if r.IntN(3) == 0 {
		d.lines = append(d.lines, oracleProductLines[r.IntN(len(oracleProductLines))])
		d.lines = slices.Compact(d.lines)
	}
	days := int(to.Sub(from).Hours() / 24)
	closed := from.AddDate(0, 0, r.IntN(max(days, 1)))
	var edges []time.Time
	switch n := r.IntN(6); {
	case n < 2:
		edges = g.boundaries
	case n < 4:
		edges = g.ruleDays
	}
	if len(edges) > 0 {
		if e := edges[r.IntN(len(edges))]; !e.Before(from) && e.Before(to) {
			closed = e
		}
	}
	d.closed = closed.Format(time.DateOnly)
	return d
}
