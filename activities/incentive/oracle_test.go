package incentive_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/activities/incentive"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/testenv"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// oracleSeed is TestAccrualOracle's default seed; DEALFLOW_ORACLE_SEED
// draws other programs and deals, DEALFLOW_ORACLE_SCENARIOS more or fewer
// of them.
const (
	oracleSeed      = 20260913
	oracleScenarios = 15
)

// TestAccrualOracle is the property test of the freeze and the accruals in
// PostgreSQL: random programs of every kind and rebate mode, and random
// partners and deals, go through real cycles (OpenCycle, FreezeCycle and
// AccrueCycle, each run twice as a retry would), with corrections,
// reversals, reinstatements, late reports and new rules versions between
// cycles; after each cycle, what it froze (each deal's amount, units,
// earned figure and note, or why it is excluded; each change) and every
// statement line it drafted (partner, kind, deal, basis, deals, rate,
// tier, amount, true-up figures, the line it corrects, detail, order)
// must be what the domain's reference accrual (domain.IncentiveBook)
// computes from the rules alone, to the cent. Each scenario is a program
// of its own in a year of its own, drawn from the seed and its number, so
// that one can be rerun alone (-run TestAccrualOracle/007).
func TestAccrualOracle(t *testing.T) {
	seed := uint64(oracleSeed)
	if s := os.Getenv("DEALFLOW_ORACLE_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("DEALFLOW_ORACLE_SEED: %v", err)
		}
	}
	scenarios := oracleScenarios
	if s := os.Getenv("DEALFLOW_ORACLE_SCENARIOS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 3000 { // two years each from 2101
			t.Fatalf("DEALFLOW_ORACLE_SCENARIOS: 1 to 3000, not %q", s)
		}
		scenarios = n
	}
	own, err := testenv.NewDatabase(context.Background(), "oracle")
	if err != nil {
		t.Fatalf("needs PostgreSQL: %v", err)
	}
	t.Cleanup(own.Close)
	a := incentive.New(own.Pool)
	var cov oracleCoverage
	for i := range scenarios {
		v := oracleVariants[i%len(oracleVariants)]
		name := fmt.Sprintf("%03d-%s", i, v.name)
		t.Run(name, func(t *testing.T) {
			s := &oracleScenario{t: t, pool: own.Pool, a: a, cov: &cov}
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("seed %d, scenario %s; rerun it alone with\n  DEALFLOW_ORACLE_SEED=%d go test ./activities -run 'TestAccrualOracle/%s$'\nwhat happened:\n  %s",
						seed, name, seed, name, strings.Join(s.log, "\n  "))
				}
			})
			s.run(rand.New(rand.NewPCG(seed, uint64(i))), i)
		})
	}
	t.Logf("seed %d, %d scenarios: %s", seed, scenarios, cov)
	if seed == oracleSeed && scenarios >= oracleScenarios {
		cov.mustCoverEverything(t)
	}
}

// oracleScenario is one program's cycles, in PostgreSQL and in the book.
type oracleScenario struct {
	t    *testing.T
	pool *pgxpool.Pool
	a    *incentive.Activities
	cov  *oracleCoverage
	g    *oracleGen
	w    *incentiveWorld
	log  []string

	deals []domain.ReferenceDeal
	paid  []int // the deals a cycle paid something on
	// reverseOne has the next changes reverse a deal a cycle paid.
	reverseOne bool
	// programs are the scenario's programs, of one kind, over the same
	// deals (each freezes and pays them on its own); p is the one at hand.
	programs []*oracleProgram
	p        *oracleProgram
}

// oracleProgram is one program of a scenario, in PostgreSQL and in the book.
type oracleProgram struct {
	name     string
	id       uuid.UUID
	currency string
	startsOn time.Time
	book     *domain.IncentiveBook
	rules    domain.IncentiveRules
	version  int
	cycles   []string // ids, in the order they ran
	versions []int    // the rules version of each
	// paid and given back are the sums of its lines so far, positive
	// and negative.
	paid, givenBack int64
}

func (s *oracleScenario) logf(format string, args ...any) {
	s.log = append(s.log, fmt.Sprintf(format, args...))
}

func (s *oracleScenario) run(r *rand.Rand, i int) {
	t := s.t
	g := &oracleGen{r: r, variant: i % len(oracleVariants), year: 2101 + 2*i, currency: []string{"USD", "EUR"}[r.IntN(2)],
		grain: []int64{1, 10, 50, 100}[r.IntN(4)]}
	s.g = g
	partners := 2 + r.IntN(4)
	s.w = newWorld(t, s.pool, partners)
	period, step := domain.PeriodMonth, 1
	if r.IntN(5) == 0 {
		period, step = domain.PeriodQuarter, 3
	}
	// Periods from January on, now and then skipping one (the next cycle
	// catches its deals up), whose cycle may run last, after later
	// periods' (it pays what they left and trues nothing up).
	periods := []int{0}
	var skipped []int
	more := 1 + r.IntN(3)
	if g.kind() == domain.IncentiveSpiff {
		more = 2 + r.IntN(2) // a budget given back is spent by a cycle after the one that claws it back
	}
	for range more {
		next := periods[len(periods)-1] + 1
		if r.IntN(5) == 0 {
			skipped = append(skipped, next)
			next++
		}
		periods = append(periods, next)
	}
	last := g.day(1+step*(periods[len(periods)-1]+1), 1)
	if len(skipped) > 0 && r.IntN(2) == 0 {
		periods = append(periods, skipped[0])
	}
	for n := range slices.Max(periods) + 2 {
		first := g.day(1+step*n, 1)
		g.boundaries = append(g.boundaries, first.AddDate(0, 0, -1), first)
	}
	startsOn := g.day(1, 1+r.IntN(20))
	s.createProgram("A", g.currency, period, startsOn, false)
	if r.IntN(4) == 0 {
		// a second program of the kind over the same deals, now and then
		// in the other currency: each freezes and pays them on its own
		currency := g.currency
		if r.IntN(3) == 0 {
			currency = map[string]string{"USD": "EUR", "EUR": "USD"}[currency]
		}
		s.createProgram("B", currency, period, g.day(1, 1+r.IntN(20)), true)
	}

	s.win(4+r.IntN(11)+4*bool2int(g.kind() == domain.IncentiveSpiff), partners, g.day(0, 1), last)
	if g.kind() == domain.IncentiveRebate {
		// a partner of its own whose revenue is a tier's threshold, or a
		// minor unit above it
		tiers := s.programs[0].rules.Tiers
		tier := tiers[r.IntN(len(tiers))]
		p, err := dbq.New(s.pool).PartnerCreate(context.Background(), dbq.PartnerCreateParams{Name: t.Name() + " on a threshold",
			Type: "reseller", Tier: "gold"})
		if err != nil {
			t.Fatal(err)
		}
		s.w.partners = append(s.w.partners, p.ID)
		s.winDeal(wonDeal{partner: len(s.w.partners) - 1, kind: domain.KindResale, amount: max(tier.Above+r.Int64N(2), 1),
			currency: g.currency, lines: []string{"vpn", "firewall", "edr", "sd-wan"}, closed: startsOn.Format(time.DateOnly)})
	}
	if g.kind() == domain.IncentiveSpiff && r.IntN(2) == 0 {
		third := g.day(1+step*periods[2], 1)
		s.fitBudget(domain.Period{Start: g.day(1, 1), End: g.day(1+step, 1)}, third, third.AddDate(0, step, 0), partners)
	}
	for c, n := range periods {
		if c > 0 {
			s.between(partners, last)
		}
		first := r.IntN(len(s.programs))
		for k := range s.programs {
			s.p = s.programs[(first+k)%len(s.programs)]
			s.runCycle(domain.Period{Start: g.day(1+step*n, 1), End: g.day(1+step*(n+1), 1)})
		}
	}
}

func bool2int(b bool) int {
	if b {
		return 1
	}
	return 0
}

// fitBudget gives program A's SPIFF (every deal in [from, to) qualifying)
// a budget that the first cycle's first claims spend exactly (or nearly),
// has a deal it paid reversed before the next cycle and wins two deals
// in [from, to), the third cycle's period: what they are paid depends on
// what the clawback gave back.
func (s *oracleScenario) fitBudget(first domain.Period, from, to time.Time, partners int) {
	s.p = s.programs[0]
	rules := s.p.rules
	rules.From, rules.To, rules.ProductLines, rules.Budget = "", "", nil, 0 // every deal claims in full
	trial, err := domain.NewIncentiveBook(domain.IncentiveSpiff, s.p.currency, s.p.startsOn).Cycle(first, rules, s.deals)
	if err != nil || len(trial.Won) == 0 {
		return
	}
	for range 2 { // claims of the third period's, after the reversal's clawback
		d := s.g.deal(partners, from, to)
		d.kind, d.currency = domain.KindResale, s.p.currency
		s.winDeal(d)
	}
	won := trial.Won
	slices.SortFunc(won, func(x, y domain.FrozenDeal) int {
		if c := x.ClosedOn.Compare(y.ClosedOn); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	var budget int64
	for _, f := range won[:1+s.g.r.IntN(len(won))] {
		budget += f.Earned
	}
	budget += s.g.r.Int64N(s.p.rules.Amount) * s.g.r.Int64N(2)
	rules.Budget = budget
	raw, err := json.Marshal(rules)
	if err != nil {
		s.t.Fatal(err)
	}
	s.g.spiff[1] = budget
	s.publish(string(raw), rules)
	s.reverseOne = true
}

// createProgram publishes a program and its first rules version, and
// makes it the one at hand.
func (s *oracleScenario) createProgram(name, currency, period string, startsOn time.Time, later bool) {
	t := s.t
	p, err := dbq.New(s.pool).IncentiveProgramCreate(context.Background(), dbq.IncentiveProgramCreateParams{Code: "o-" + uuid.NewString()[:8],
		Name: t.Name() + " " + name, Kind: string(s.g.kind()), Currency: currency, Period: period, GraceDays: 7, StartsOn: startsOn,
		CreatedBy: "oracle"})
	if err != nil {
		t.Fatal(err)
	}
	s.g.boundaries = append(s.g.boundaries, startsOn.AddDate(0, 0, -1), startsOn)
	s.p = &oracleProgram{name: name, id: p.ID, currency: currency, startsOn: startsOn, book: domain.NewIncentiveBook(s.g.kind(), currency, startsOn)}
	s.programs = append(s.programs, s.p)
	s.logf("program %s: %s in %s by %s from %s", name, s.g.kind(), currency, period, startsOn.Format(time.DateOnly))
	s.publish(s.g.rules(later))
}

// publish adds a rules version to the program at hand; its cycles opened
// from now on compute with it.
func (s *oracleScenario) publish(raw string, rules domain.IncentiveRules) {
	v, err := dbq.New(s.pool).IncentiveProgramVersionCreate(context.Background(), dbq.IncentiveProgramVersionCreateParams{
		ProgramID: s.p.id, Rules: []byte(raw), Reason: "oracle", CreatedBy: "oracle"})
	if err != nil {
		s.t.Fatal(err)
	}
	s.p.rules, s.p.version = rules, int(v.Version)
	s.logf("program %s, rules version %d: %s", s.p.name, v.Version, raw)
}

// win records n random deals closed in [from, to).
func (s *oracleScenario) win(n, partners int, from, to time.Time) {
	for range n {
		s.winDeal(s.g.deal(partners, from, to))
	}
}

// winDeal records d.
func (s *oracleScenario) winDeal(d wonDeal) {
	s.w.win(d)
	id := s.w.deals[len(s.w.deals)-1]
	closed, _ := time.Parse(time.DateOnly, d.closed)
	s.deals = append(s.deals, domain.ReferenceDeal{ID: id.String(), Partner: s.w.partners[d.partner].String(), Kind: d.kind,
		Amount: d.amount, Currency: d.currency, ProductLines: d.lines, Units: max(d.units, 1), ClosedOn: closed})
	s.logf("won d%d: p%d %s %d %s %v ×%d closed %s", len(s.deals)-1, d.partner, d.kind, d.amount, d.currency, d.lines, d.units, d.closed)
}

// between changes the world between two cycles: corrections, reversals
// and reinstatements of random deals, new deals (some reported late), now
// and then a new rules version.
func (s *oracleScenario) between(partners int, last time.Time) {
	r := s.g.r
	for range r.IntN(6) {
		k := r.IntN(len(s.deals))
		if len(s.paid) > 0 && r.IntN(4) > 0 { // mostly deals a cycle paid: they are trued up
			k = s.paid[r.IntN(len(s.paid))]
		}
		d := &s.deals[k]
		amount := s.g.amount()
		switch {
		case d.Amount == 0 && r.IntN(4) == 0: // stays reversed
			continue
		case d.Amount > 0 && r.IntN(10) < 3:
			amount = 0
		case r.IntN(10) == 0:
			amount = d.Amount // corrected to what it was: nothing changes
		}
		s.w.correct(s.w.deals[k], amount)
		s.logf("corrected d%d: %d → %d", k, d.Amount, amount)
		d.Amount = amount
	}
	if s.reverseOne && len(s.paid) > 0 {
		k := s.paid[r.IntN(len(s.paid))]
		s.w.correct(s.w.deals[k], 0)
		s.logf("corrected d%d: %d → 0", k, s.deals[k].Amount)
		s.deals[k].Amount, s.reverseOne = 0, false
	}
	s.win(r.IntN(6), partners, s.g.day(0, 1), last)
	if len(s.programs[0].cycles) == 1 || r.IntN(3) == 0 { // the first cycle's true-ups are under its version, not the latest
		s.p = s.programs[r.IntN(len(s.programs))]
		s.publish(s.g.rules(true))
	}
}

// runCycle runs the cycle of period in PostgreSQL and in the book, and
// compares them.
func (s *oracleScenario) runCycle(period domain.Period) {
	t := s.t
	t.Helper()
	start, end := period.Start.Format(time.DateOnly), period.End.Format(time.DateOnly)
	s.logf("program %s: cycle c%d of %s (rules version %d)", s.p.name, len(s.p.cycles), period, s.p.version)
	id := s.w.cycle(s.a, s.p.id, start, end)
	s.p.cycles = append(s.p.cycles, id)
	s.p.versions = append(s.p.versions, s.p.version)
	want, err := s.p.book.Cycle(period, s.p.rules, s.deals)
	if err != nil {
		t.Fatal(err)
	}
	s.cov.count(s, want)
	for _, l := range want.Lines {
		if l.Amount > 0 {
			s.p.paid += l.Amount
		} else {
			s.p.givenBack += l.Amount
		}
	}
	for _, f := range want.Won {
		if f.Earned > 0 || s.g.kind() == domain.IncentiveRebate {
			s.paid = append(s.paid, slices.IndexFunc(s.deals, func(d domain.ReferenceDeal) bool { return d.ID == f.ID }))
		}
	}
	for _, c := range []struct {
		what      string
		got, want []string
	}{
		{"frozen deals", s.sqlInputs(id), s.wantInputs(want)},
		{"changes", s.sqlChanges(id), s.wantChanges(want)},
		{"lines", s.sqlLines(id), s.wantLines(want)},
		{"totals", s.sqlTotals(id), s.wantTotals(want)},
	} {
		if strings.Join(c.got, "\n") != strings.Join(c.want, "\n") {
			t.Fatalf("program %s, cycle c%d of %s, %s: PostgreSQL and the domain disagree\n%s", s.p.name, len(s.p.cycles)-1, period, c.what,
				diff(c.got, c.want))
		}
	}
}

// diff lists the rows only PostgreSQL has (-) and only the domain has (+).
func diff(got, want []string) string {
	var b strings.Builder
	in := func(x string, xs []string) bool {
		for _, y := range xs {
			if x == y {
				return true
			}
		}
		return false
	}
	for _, x := range got {
		if !in(x, want) {
			fmt.Fprintf(&b, "  - SQL:    %s\n", x)
		}
	}
	for _, x := range want {
		if !in(x, got) {
			fmt.Fprintf(&b, "  + domain: %s\n", x)
		}
	}
	if b.Len() == 0 {
		b.WriteString("  (the same rows in another order)\n")
		for _, x := range got {
			fmt.Fprintf(&b, "  - SQL:    %s\n", x)
		}
		for _, x := range want {
			fmt.Fprintf(&b, "  + domain: %s\n", x)
		}
	}
	return b.String()
}

// name names a deal (d3), a partner (p1) or a cycle (c0) as the log does.
func (s *oracleScenario) name(id string) string {
	for i, d := range s.deals {
		if d.ID == id {
			return fmt.Sprintf("d%d", i)
		}
	}
	for i, p := range s.w.partners {
		if p.String() == id {
			return fmt.Sprintf("p%d", i)
		}
	}
	for i, c := range s.p.cycles {
		if c == id {
			return fmt.Sprintf("c%d", i)
		}
	}
	if id == "" {
		return "-"
	}
	return "?" + id
}

func (s *oracleScenario) query(sql string, args ...any) [][]string {
	s.t.Helper()
	rows, err := s.pool.Query(context.Background(), sql, args...)
	if err != nil {
		s.t.Fatal(err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			s.t.Fatal(err)
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			row[i] = fmt.Sprint(v)
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		s.t.Fatal(err)
	}
	return out
}

// sqlInputs lists the won inputs the cycle froze, by deal:
// "deal partner amount×units closed excluded earned note".
func (s *oracleScenario) sqlInputs(id string) []string {
	var out []string
	for _, r := range s.query(`SELECT deal_id::text, partner_id::text, amount, units, closed_on::text, coalesce(excluded, '-'),
		coalesce(earned::text, '-'), coalesce(note, '-') FROM cycle_inputs WHERE cycle_id = $1 AND kind = 'won' ORDER BY deal_id`, id) {
		out = append(out, fmt.Sprintf("%s %s %s×%s %s %s earned %s note %s", s.name(r[0]), s.name(r[1]), r[2], r[3], r[4], r[5], r[6], r[7]))
	}
	return out
}

func (s *oracleScenario) wantInputs(c domain.CycleAccrual) []string {
	var out []string
	all := append(append([]domain.FrozenDeal(nil), c.Won...), c.Excluded...)
	// by deal id, as PostgreSQL orders uuids
	for i := 1; i < len(all); i++ {
		for j := i; j > 0 && all[j].ID < all[j-1].ID; j-- {
			all[j], all[j-1] = all[j-1], all[j]
		}
	}
	for _, f := range all {
		reason, earned, note := "-", "-", "-"
		if f.Reason != "" {
			reason = f.Reason
		} else if s.g.kind() != domain.IncentiveRebate {
			earned = strconv.FormatInt(f.Earned, 10)
		}
		if f.Note != "" {
			note = f.Note
		}
		out = append(out, fmt.Sprintf("%s %s %d×%d %s %s earned %s note %s", s.name(f.ID), s.name(f.Partner), f.Amount, f.Units,
			f.ClosedOn.Format(time.DateOnly), reason, earned, note))
	}
	return out
}

// sqlChanges lists the cycle's change inputs, by deal.
func (s *oracleScenario) sqlChanges(id string) []string {
	var out []string
	for _, r := range s.query(`SELECT deal_id::text, partner_id::text, previous_amount, amount, won_cycle_id::text
		FROM cycle_inputs WHERE cycle_id = $1 AND kind = 'change' ORDER BY deal_id`, id) {
		out = append(out, fmt.Sprintf("%s %s %s → %s paid by %s", s.name(r[0]), s.name(r[1]), r[2], r[3], s.name(r[4])))
	}
	return out
}

func (s *oracleScenario) wantChanges(c domain.CycleAccrual) []string {
	var out []string
	for _, ch := range c.Changes {
		out = append(out, fmt.Sprintf("%s %s %d → %d paid by c%d", s.name(ch.DealID), s.name(ch.Partner), ch.Before, ch.After, ch.PaidBy))
	}
	return out
}

// sqlLines lists the cycle's statement lines by partner and number.
func (s *oracleScenario) sqlLines(id string) []string {
	var out []string
	for _, r := range s.query(`SELECT l.partner_id::text, l.line_no, l.kind, coalesce(l.deal_id::text, ''), l.basis, l.deals,
			coalesce(l.rate_bp, -1), coalesce(l.tier, -1), l.amount, l.currency,
			coalesce(l.basis_before::text || '→' || l.basis_after || ', ' || l.figure_before || '→' || l.figure_after, '-'),
			coalesce(o.cycle_id::text || ' ' || o.kind || CASE WHEN o.partner_id = l.partner_id AND o.deal_id IS NULL THEN '' ELSE ' (another partner''s or deal''s)' END, '-'),
			l.detail
		FROM statement_lines l LEFT JOIN statement_lines o ON o.id = l.reverses_line_id
		WHERE l.cycle_id = $1 ORDER BY l.partner_id, l.line_no`, id) {
		reverses := r[11]
		if f := strings.Fields(reverses); len(f) > 1 {
			reverses = s.name(f[0]) + " " + strings.Join(f[1:], " ")
		}
		out = append(out, fmt.Sprintf("%s #%s %s deal %s basis %s deals %s rate %s tier %s amount %s %s true-up %s corrects %s | %s",
			s.name(r[0]), r[1], r[2], s.name(r[3]), r[4], r[5], r[6], r[7], r[8], r[9], r[10], reverses, r[12]))
	}
	return out
}

func (s *oracleScenario) wantLines(c domain.CycleAccrual) []string {
	var out []string
	no, last := 0, ""
	for _, l := range c.Lines {
		if l.Partner != last {
			no, last = 0, l.Partner
		}
		no++
		trueUp, corrects := "-", "-"
		if l.TrueUp != nil {
			trueUp = fmt.Sprintf("%d→%d, %d→%d", l.TrueUp.BasisBefore, l.TrueUp.BasisAfter, l.TrueUp.Before, l.TrueUp.After)
			corrects = fmt.Sprintf("c%d %s", l.PaidBy, s.g.kind())
		}
		out = append(out, fmt.Sprintf("%s #%d %s deal %s basis %d deals %d rate %d tier %d amount %d %s true-up %s corrects %s | %s",
			s.name(l.Partner), no, l.Kind, s.name(l.DealID), l.Basis, l.Deals, l.RateBP, l.Tier, l.Amount, s.p.currency, trueUp, corrects,
			s.detail(l)))
	}
	return out
}

// detail is the text a line carries, as docs/incentives.md shows it.
func (s *oracleScenario) detail(l domain.AccrualLine) string {
	plural := func(n int) string {
		if n == 1 {
			return "1 deal"
		}
		return fmt.Sprintf("%d deals", n)
	}
	if l.TrueUp != nil {
		tu := l.TrueUp
		version := s.p.versions[l.PaidBy]
		switch s.g.kind() {
		case domain.IncentiveRebate:
			return fmt.Sprintf("true-up of %s: revenue %d → %d, rebate %d → %d (rules version %d)",
				s.periodOf(l.PaidBy), tu.BasisBefore, tu.BasisAfter, tu.Before, tu.After, version)
		case domain.IncentiveReferral:
			return fmt.Sprintf("true-up of deal amount %d → %d: commission %d → %d (rules version %d)", tu.BasisBefore, tu.BasisAfter, tu.Before, tu.After, version)
		}
		return fmt.Sprintf("true-up of deal amount %d → %d: SPIFF %d → %d (rules version %d)", tu.BasisBefore, tu.BasisAfter, tu.Before, tu.After, version)
	}
	switch s.g.kind() {
	case domain.IncentiveRebate:
		if l.Tier < 0 {
			return "no tier reached"
		}
		return fmt.Sprintf("%s rebate, tier %d of %d reached", s.p.rules.Mode, l.Tier+1, len(s.p.rules.Tiers))
	case domain.IncentiveReferral:
		d := "commission on " + plural(l.Deals)
		if l.Noted > 0 {
			d += fmt.Sprintf(", %d capped at %d", l.Noted, s.p.rules.CapPerDeal)
		}
		return d
	}
	d := "SPIFF per deal"
	if s.p.rules.Per == domain.SpiffPerUnit {
		d = fmt.Sprintf("SPIFF for %d units", l.Units)
	}
	d += " on " + plural(l.Deals)
	if l.Noted > 0 {
		d += fmt.Sprintf(", budget exhausted for %d", l.Noted)
	}
	return d
}

// periodOf is the period of the scenario's k-th cycle.
func (s *oracleScenario) periodOf(k int) domain.Period {
	var start, end time.Time
	if err := s.pool.QueryRow(context.Background(), `SELECT period_start, period_end FROM incentive_cycles WHERE id = $1`,
		s.p.cycles[k]).Scan(&start, &end); err != nil {
		s.t.Fatal(err)
	}
	return domain.Period{Start: start, End: end}
}

// sqlTotals is what the cycle records of its inputs (those it pays on,
// won and changed, then those it excludes and the changes alone) and
// lines, and what it excluded by reason.
func (s *oracleScenario) sqlTotals(id string) []string {
	r := s.query(`SELECT inputs, excluded_inputs, change_inputs, lines, partners, total, program_version FROM incentive_cycles WHERE id = $1`, id)[0]
	out := []string{fmt.Sprintf("inputs %s excluded %s changes %s lines %s partners %s total %s version %s", r[0], r[1], r[2], r[3], r[4], r[5], r[6])}
	ex, err := dbq.New(s.pool).CycleExcludedInputs(context.Background(), uuid.MustParse(id))
	if err != nil {
		s.t.Fatal(err)
	}
	for _, e := range ex {
		out = append(out, fmt.Sprintf("excluded %s: %d deals, %d", e.Reason, e.Deals, e.Amount))
	}
	return out
}

func (s *oracleScenario) wantTotals(c domain.CycleAccrual) []string {
	partners := map[string]bool{}
	var total int64
	for _, l := range c.Lines {
		partners[l.Partner] = true
		total += l.Amount
	}
	out := []string{fmt.Sprintf("inputs %d excluded %d changes %d lines %d partners %d total %d version %d",
		len(c.Won)+len(c.Changes), len(c.Excluded), len(c.Changes), len(c.Lines), len(partners), total, s.p.version)}
	type sum struct {
		deals  int
		amount int64
	}
	sums := map[string]*sum{}
	var reasons []string
	for _, f := range c.Excluded {
		if sums[f.Reason] == nil {
			sums[f.Reason] = &sum{}
			reasons = append(reasons, f.Reason)
		}
		sums[f.Reason].deals++
		sums[f.Reason].amount += f.Amount
	}
	for i := 1; i < len(reasons); i++ {
		for j := i; j > 0 && reasons[j] < reasons[j-1]; j-- {
			reasons[j], reasons[j-1] = reasons[j-1], reasons[j]
		}
	}
	for _, r := range reasons {
		out = append(out, fmt.Sprintf("excluded %s: %d deals, %d", r, sums[r].deals, sums[r].amount))
	}
	return out
}

// oracleCoverage counts the cases the random scenarios reached, so that a
// change to the generator cannot quietly stop exercising one.
type oracleCoverage struct {
	cycles, lines, ties, capped, exhausted, excluded, clawbacks, corrections, silentChanges, boundaries, laterVersions, refilled, olderVersions int
}

func (c *oracleCoverage) count(s *oracleScenario, a domain.CycleAccrual) {
	c.cycles++
	c.lines += len(a.Lines)
	c.excluded += len(a.Excluded)
	if s.p.version > 1 {
		c.laterVersions++
	}
	var earned int64
	for _, f := range a.Won {
		earned += f.Earned
	}
	if s.g.kind() == domain.IncentiveSpiff && s.p.rules.Budget > 0 && s.p.givenBack < 0 && earned > 0 && earned > s.p.rules.Budget-s.p.paid {
		c.refilled++
	}
	trueUps := 0
	for _, l := range a.Lines {
		switch {
		case l.Kind == domain.LineClawback:
			c.clawbacks++
		case l.Kind == domain.LineCorrection:
			c.corrections++
		case l.Kind == string(domain.IncentiveRebate) && slices.ContainsFunc(s.p.rules.Tiers, func(t domain.RebateTier) bool { return t.Above == l.Basis }):
			c.boundaries++
		case l.TrueUp != nil && s.g.kind() == domain.IncentiveRebate && slices.ContainsFunc(s.p.rules.Tiers, func(t domain.RebateTier) bool { return t.Above == l.TrueUp.BasisAfter }):
			c.boundaries++
		}
		if l.TrueUp != nil {
			trueUps++
			if s.p.versions[l.PaidBy] != s.p.version {
				c.olderVersions++
			}
		}
		if l.Kind == string(domain.IncentiveRebate) && new(big.Int).Mod(rebateNumerator(s.p.rules, l.Basis), big.NewInt(10_000)).Int64() == 5_000 {
			c.ties++
		}
	}
	c.silentChanges += max(len(a.Changes)-trueUps, 0)
	for _, f := range a.Won {
		switch {
		case strings.HasPrefix(f.Note, "capped"):
			c.capped++
		case f.Note == "budget exhausted":
			c.exhausted++
		}
		if s.g.kind() == domain.IncentiveReferral && new(big.Int).Mod(new(big.Int).Mul(big.NewInt(f.Amount), big.NewInt(s.p.rules.RateBP)), big.NewInt(10_000)).Int64() == 5_000 {
			c.ties++
		}
	}
}

// rebateNumerator is a rebate before its division by 10,000.
func rebateNumerator(r domain.IncentiveRules, revenue int64) *big.Int {
	n := new(big.Int)
	for i, t := range r.Tiers {
		if revenue <= t.Above {
			break
		}
		top := revenue
		if i+1 < len(r.Tiers) && r.Tiers[i+1].Above < revenue {
			top = r.Tiers[i+1].Above
		}
		if r.Mode == domain.RebateModeRetroactive {
			n.Mul(big.NewInt(revenue), big.NewInt(t.RateBP))
		} else {
			n.Add(n, new(big.Int).Mul(big.NewInt(top-t.Above), big.NewInt(t.RateBP)))
		}
	}
	return n
}

func (c oracleCoverage) String() string {
	return fmt.Sprintf("%d cycles, %d lines; %d rounding ties, %d capped, %d budget exhausted, %d excluded, %d clawbacks, %d corrections, "+
		"%d changes without a line, %d revenues on a tier boundary, %d cycles on a later rules version "+
		"(%d true-ups under an earlier one), %d SPIFFs paid from budget given back",
		c.cycles, c.lines, c.ties, c.capped, c.exhausted, c.excluded, c.clawbacks, c.corrections, c.silentChanges, c.boundaries,
		c.laterVersions, c.olderVersions, c.refilled)
}

func (c oracleCoverage) mustCoverEverything(t *testing.T) {
	t.Helper()
	for name, n := range map[string]int{"rounding ties": c.ties, "capped": c.capped, "budget exhausted": c.exhausted,
		"excluded": c.excluded, "clawbacks": c.clawbacks, "corrections": c.corrections, "changes without a line": c.silentChanges, "tier boundaries": c.boundaries,
		"later rules versions": c.laterVersions, "SPIFFs paid from budget given back": c.refilled, "true-ups under an earlier rules version": c.olderVersions} {
		if n == 0 {
			t.Errorf("the default seed's scenarios reach no %s: widen the generator", name)
		}
	}
}
