package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Statement line kinds besides a program's own (rebate, referral, spiff):
// the true-ups of periods earlier cycles paid.
const (
	// LineClawback trues a paid period down (a negative amount).
	LineClawback = "clawback"
	// LineCorrection trues a paid period up.
	LineCorrection = "correction"
)

// ReferenceDeal is a closed-won deal as an incentive cycle finds it when
// it freezes: what IncentiveBook reads where the freeze in PostgreSQL
// reads the deals table.
type ReferenceDeal struct {
	// ID orders SPIFF claims closed on the same day, compared as text
	// (for lower-case UUIDs, the database's order).
	ID      string
	Partner string
	Kind    Kind
	// Amount is the won amount now, in minor units: 0 once reversed.
	Amount   int64
	Currency string
	// ProductLines as normalised (NormalizeProductLines).
	ProductLines []string
	// Units sold, for per-unit SPIFFs; below 1 counts as 1.
	Units    int64
	ClosedOn time.Time
	// Attribution is who sourced the deal and what influenced it, as
	// recorded when it was won (a program's attribution filter reads it).
	Attribution DealAttribution
}

// FrozenDeal is a deal a cycle froze as won: one it pays on, with what it
// earned in a per-deal program, or one it excludes, with why.
type FrozenDeal struct {
	ReferenceDeal
	// Earned is a per-deal program's figure: the referral commission
	// after its cap, the SPIFF (0 when the budget was exhausted). 0 for a
	// rebate and for an excluded deal.
	Earned int64
	// Note says why a deal earned less: "capped at N", "budget exhausted".
	Note string
	// Reason is why an excluded deal is not paid ("currency EUR"); "" for
	// a deal paid on.
	Reason string
}

// FrozenChange is a deal an earlier period's cycle paid whose won amount
// has changed since the program last froze it.
type FrozenChange struct {
	DealID  string
	Partner string
	// PaidBy is the cycle that paid the deal: its index in the order of
	// IncentiveBook.Cycle calls.
	PaidBy int
	// Before is the amount last frozen (won, or by an earlier change);
	// After is the amount now.
	Before, After int64
	ClosedOn      time.Time
}

// AccrualLine is a statement line a cycle drafts: a partner's line for
// the deals it pays on, or a true-up of a period an earlier cycle paid.
type AccrualLine struct {
	Partner string
	// Kind is the program's kind for a partner's line, LineClawback or
	// LineCorrection for a true-up.
	Kind string
	// DealID names the deal a true-up is about when it is about one.
	DealID string
	// Basis is the revenue a partner's line is computed on; for a
	// true-up, the change of that revenue or of the deal's amount.
	Basis int64
	// Deals counts the deals behind the line; Noted, those of them a
	// per-deal program paid less (capped, budget exhausted); Units, the
	// units they sold (every program; SPIFFs per unit say so).
	Deals int
	Noted int
	Units int64
	// Tier is the rebate tier reached (0-based; for a true-up, on the
	// corrected revenue); -1: none, or not a rebate.
	Tier int
	// RateBP is the rate the line applies: a retroactive rebate's
	// tier's, a referral's; -1 when no single rate does (marginal
	// rebates, SPIFFs).
	RateBP int64
	Amount int64
	// TrueUp is what a true-up recomputed; nil for a partner's line.
	TrueUp *TrueUp
	// PaidBy is the cycle whose partner's line a true-up corrects (its
	// index in the order of IncentiveBook.Cycle calls); -1 otherwise.
	PaidBy int
	// sortDay orders a partner's true-ups as the accrual numbers them
	// (then DealID): the paid period's start, or the deal's close date.
	sortDay time.Time
}

// CycleAccrual is what one cycle of a program froze and drafts.
type CycleAccrual struct {
	// Won are the deals it pays on, Excluded those it froze but does not
	// pay, Changes the corrections and reversals it trues up; each by
	// deal id.
	Won      []FrozenDeal
	Excluded []FrozenDeal
	Changes  []FrozenChange
	// Lines by partner: the partner's line first, then its true-ups by
	// paid period (rebates) or by the deal's close date and id.
	Lines []AccrualLine
}

// IncentiveBook is the reference accrual of one incentive program: what
// each of its cycles freezes and drafts, computed cycle after cycle from
// the rules of docs/incentives.md with this package's functions alone. The
// freeze and accruals in PostgreSQL compute the same set-based; a property
// test runs both on random programs and deals and requires them equal to
// the cent. It keeps what the program's cycles froze: which cycle paid
// each deal and at what amount it last froze it, each paid period's
// revenue per partner as last corrected, what the budget has paid.
type IncentiveBook struct {
	kind     IncentiveKind
	currency string
	startsOn time.Time
	cycles   []bookCycle
	frozen   map[string]*bookDeal
	spent    int64
}

type bookCycle struct {
	period Period
	rules  IncentiveRules
	// revenue is each partner's revenue in the period as last corrected
	// (rebates).
	revenue map[string]int64
}

type bookDeal struct {
	cycle    int
	excluded bool
	earned   int64
	last     int64
}

// NewIncentiveBook starts the book of a program of kind paying in
// currency from startsOn; no cycle has frozen anything yet.
func NewIncentiveBook(kind IncentiveKind, currency string, startsOn time.Time) *IncentiveBook {
	return &IncentiveBook{kind: kind, currency: currency, startsOn: startsOn, frozen: map[string]*bookDeal{}}
}

// FreezeWindow is the close dates [from, before) a cycle of the period
// ending at end freezes under r for a program of kind starting on
// startsOn: every deal since the start (a deal reported late is caught up
// by the next cycle), except that a referral waits HoldDays after its
// close date (a deal whose hold has not passed by the period's end is paid
// by a later cycle) and a SPIFF counts close dates in [From, To] only.
// from ≥ before means nothing.
func FreezeWindow(kind IncentiveKind, r IncentiveRules, startsOn, end time.Time) (from, before time.Time) {
	from, before = startsOn, end
	switch kind {
	case IncentiveReferral:
		before = end.AddDate(0, 0, -r.HoldDays)
	case IncentiveSpiff:
		if t, err := time.Parse(time.DateOnly, r.From); err == nil && t.After(from) {
			from = t
		}
		if t, err := time.Parse(time.DateOnly, r.To); err == nil && t.AddDate(0, 0, 1).Before(before) {
			before = t.AddDate(0, 0, 1)
		}
	}
	return from, before
}

// Cycle freezes and accrues the program's cycle of period under rules (the
// program's latest version when the cycle opened), given every closed-won
// deal as it is now, and records it in the book:
//
//   - it freezes, once per program, each deal of the program's deal kind
//     (referrals for a referral program, resale otherwise) won with a
//     positive amount, closed inside FreezeWindow, with a product line
//     the rules name (if they name any), and frozen by no earlier cycle;
//     one in another currency is excluded ("currency EUR"), never paid;
//   - a referral deal earns ReferralCommission, noted "capped at N" when
//     the cap cut it; a SPIFF deal claims Amount (per deal) or Amount ×
//     Units (per unit), and the claims are served by AllocateSpiff from
//     what is left of the budget (the budget less every line of earlier
//     cycles: what they clawed back is free again) — nothing at all once
//     nothing is left;
//   - a line per partner with deals paid on: a rebate on their revenue
//     (IncentiveRules.Rebate), the sum of the per-deal figures otherwise;
//   - for each deal a cycle of an earlier period paid whose amount is no
//     longer the amount last frozen, a change, and a true-up under the
//     rules of the cycle that paid it, when it is not 0: RebateTrueUp per
//     partner and paid period on its revenue as last corrected,
//     ReferralTrueUp or SpiffTrueUp per deal.
//
// Cycles are taken in the order they freeze; a period is run once. An
// error (an amount out of int64 range) leaves the book unusable.
func (b *IncentiveBook) Cycle(period Period, rules IncentiveRules, deals []ReferenceDeal) (CycleAccrual, error) {
	for _, c := range b.cycles {
		if c.period.Start.Equal(period.Start) {
			return CycleAccrual{}, fmt.Errorf("the period %s already has a cycle", period)
		}
	}
	me := len(b.cycles)
	ordered := slices.Clone(deals)
	slices.SortFunc(ordered, func(x, y ReferenceDeal) int { return strings.Compare(x.ID, y.ID) })

	var out CycleAccrual
	b.changes(period, ordered, &out) // of deals earlier cycles froze: before this one freezes its own
	if err := b.freezeWon(me, period, rules, ordered, &out); err != nil {
		return CycleAccrual{}, err
	}
	lines, revenue, err := b.partnerLines(rules, out.Won)
	if err != nil {
		return CycleAccrual{}, err
	}
	trueUps, err := b.trueUps(out.Changes)
	if err != nil {
		return CycleAccrual{}, err
	}
	out.Lines = append(lines, trueUps...)
	slices.SortStableFunc(out.Lines, func(x, y AccrualLine) int {
		if c := strings.Compare(x.Partner, y.Partner); c != 0 {
			return c
		}
		if c := compareBool(x.TrueUp != nil, y.TrueUp != nil); c != 0 {
			return c
		}
		if c := x.sortDay.Compare(y.sortDay); c != 0 {
			return c
		}
		return strings.Compare(x.DealID, y.DealID)
	})
	for _, l := range out.Lines {
		b.spent += l.Amount
	}
	b.cycles = append(b.cycles, bookCycle{period: period, rules: rules, revenue: revenue})
	return out, nil
}

func compareBool(x, y bool) int {
	switch {
	case x == y:
		return 0
	case x:
		return 1
	}
	return -1
}

// freezeWon freezes the won deals of cycle me into out.Won and
// out.Excluded, with what each earns.
func (b *IncentiveBook) freezeWon(me int, period Period, r IncentiveRules, deals []ReferenceDeal, out *CycleAccrual) error {
	from, before := FreezeWindow(b.kind, r, b.startsOn, period.End)
	var claims []SpiffClaim
	for _, d := range deals {
		if _, done := b.frozen[d.ID]; done || !r.CoversDeal(b.kind, d.Kind, d.Attribution) || d.Amount <= 0 ||
			d.ClosedOn.Before(from) || !d.ClosedOn.Before(before) || !r.AppliesTo(d.ProductLines) {
			continue
		}
		f := FrozenDeal{ReferenceDeal: d}
		f.Units = max(d.Units, 1)
		if d.Currency != b.currency {
			f.Reason = "currency " + d.Currency
			out.Excluded = append(out.Excluded, f)
			b.frozen[d.ID] = &bookDeal{cycle: me, excluded: true, last: d.Amount}
			continue
		}
		switch b.kind {
		case IncentiveReferral:
			raw, err := MulRateHalfEven(d.Amount, r.RateBP)
			if err != nil {
				return err
			}
			if f.Earned, err = ReferralCommission(d.Amount, r.RateBP, r.CapPerDeal); err != nil {
				return err
			}
			if f.Earned < raw {
				f.Note = fmt.Sprintf("capped at %d", r.CapPerDeal)
			}
		case IncentiveSpiff:
			units := f.Units
			if r.Per != SpiffPerUnit {
				units = 1
			}
			claims = append(claims, SpiffClaim{DealID: d.ID, CloseDate: d.ClosedOn.Format(time.DateOnly), Units: units})
		}
		out.Won = append(out.Won, f)
	}
	if b.kind == IncentiveSpiff {
		awards, err := b.allocate(r, claims)
		if err != nil {
			return err
		}
		for i := range out.Won {
			out.Won[i].Earned, out.Won[i].Note = awards[out.Won[i].ID].Amount, awards[out.Won[i].ID].Reason
		}
	}
	for _, f := range out.Won {
		b.frozen[f.ID] = &bookDeal{cycle: me, earned: f.Earned, last: f.Amount}
	}
	return nil
}

// allocate serves a cycle's SPIFF claims from what is left of the budget:
// the budget less what every earlier cycle's lines paid (clawbacks free
// budget again, reinstatements may spend it below zero).
func (b *IncentiveBook) allocate(r IncentiveRules, claims []SpiffClaim) (map[string]SpiffAward, error) {
	left := r.Budget - b.spent
	var awards []SpiffAward
	switch {
	case r.Budget <= 0: // no budget
		var err error
		if awards, err = AllocateSpiff(claims, r.Amount, 0); err != nil {
			return nil, err
		}
	case left <= 0: // a budget, all of it spent: AllocateSpiff would read 0 as none
		for _, c := range claims {
			awards = append(awards, SpiffAward{DealID: c.DealID, Reason: "budget exhausted"})
		}
	default:
		var err error
		if awards, err = AllocateSpiff(claims, r.Amount, left); err != nil {
			return nil, err
		}
	}
	byDeal := make(map[string]SpiffAward, len(awards))
	for _, a := range awards {
		byDeal[a.DealID] = a
	}
	return byDeal, nil
}

// partnerLines drafts a line per partner with deals paid on, and returns
// each partner's revenue (the basis its rebate true-ups start from).
func (b *IncentiveBook) partnerLines(r IncentiveRules, won []FrozenDeal) ([]AccrualLine, map[string]int64, error) {
	byPartner := map[string]*AccrualLine{}
	var partners []string
	for _, f := range won {
		l := byPartner[f.Partner]
		if l == nil {
			l = &AccrualLine{Partner: f.Partner, Kind: string(b.kind), Tier: -1, RateBP: -1, PaidBy: -1}
			byPartner[f.Partner] = l
			partners = append(partners, f.Partner)
		}
		l.Basis += f.Amount
		l.Deals++
		l.Units += f.Units
		l.Amount += f.Earned
		if f.Note != "" {
			l.Noted++
		}
	}
	revenue := make(map[string]int64, len(partners))
	lines := make([]AccrualLine, 0, len(partners))
	for _, p := range partners {
		l := byPartner[p]
		revenue[p] = l.Basis
		switch b.kind {
		case IncentiveRebate:
			amount, tier, err := r.Rebate(l.Basis)
			if err != nil {
				return nil, nil, err
			}
			l.Amount, l.Tier = amount, tier
			if r.Mode == RebateModeRetroactive && tier >= 0 {
				l.RateBP = r.Tiers[tier].RateBP
			}
		case IncentiveReferral:
			l.RateBP = r.RateBP
		}
		lines = append(lines, *l)
	}
	return lines, revenue, nil
}

// changes finds the deals that cycles of periods before period paid whose
// amount differs from the amount last frozen, and freezes their new
// amounts.
func (b *IncentiveBook) changes(period Period, deals []ReferenceDeal, out *CycleAccrual) {
	for _, d := range deals {
		f, ok := b.frozen[d.ID]
		if !ok || f.excluded || !b.cycles[f.cycle].period.Start.Before(period.Start) || d.Amount == f.last {
			continue
		}
		out.Changes = append(out.Changes, FrozenChange{DealID: d.ID, Partner: d.Partner, PaidBy: f.cycle, Before: f.last,
			After: d.Amount, ClosedOn: d.ClosedOn})
		f.last = d.Amount
	}
}

// trueUps drafts the true-ups of a cycle's changes, under the rules of
// the cycles that paid them; none is 0.
func (b *IncentiveBook) trueUps(changes []FrozenChange) ([]AccrualLine, error) {
	var lines []AccrualLine
	add := func(l AccrualLine, tu TrueUp) {
		if tu.Difference() == 0 {
			return
		}
		l.Kind, l.Amount, l.TrueUp = LineCorrection, tu.Difference(), &tu
		if l.Amount < 0 {
			l.Kind = LineClawback
		}
		lines = append(lines, l)
	}
	if b.kind == IncentiveRebate {
		type key struct {
			cycle   int
			partner string
		}
		var keys []key
		sums := map[key]*AccrualLine{}
		for _, c := range changes {
			k := key{c.PaidBy, c.Partner}
			l := sums[k]
			if l == nil {
				l = &AccrualLine{Partner: c.Partner, DealID: c.DealID, PaidBy: c.PaidBy, Tier: -1, RateBP: -1,
					sortDay: b.cycles[c.PaidBy].period.Start}
				sums[k] = l
				keys = append(keys, k)
			}
			l.Basis += c.After - c.Before
			l.Deals++
			if l.Deals > 1 {
				l.DealID = ""
			}
		}
		for _, k := range keys {
			l, paid := *sums[k], b.cycles[k.cycle]
			before := paid.revenue[k.partner]
			paid.revenue[k.partner] = before + l.Basis
			tu, err := RebateTrueUp(paid.rules, before, before+l.Basis)
			if err != nil {
				return nil, err
			}
			l.Tier = tu.Tier
			if paid.rules.Mode == RebateModeRetroactive && tu.Tier >= 0 {
				l.RateBP = paid.rules.Tiers[tu.Tier].RateBP
			}
			add(l, tu)
		}
		return lines, nil
	}
	for _, c := range changes {
		paid := b.cycles[c.PaidBy]
		l := AccrualLine{Partner: c.Partner, DealID: c.DealID, Basis: c.After - c.Before, Deals: 1, Tier: -1, RateBP: -1,
			PaidBy: c.PaidBy, sortDay: c.ClosedOn}
		var tu TrueUp
		switch b.kind {
		case IncentiveReferral:
			var err error
			if tu, err = ReferralTrueUp(paid.rules, c.Before, c.After); err != nil {
				return nil, err
			}
			l.RateBP = paid.rules.RateBP
		case IncentiveSpiff:
			tu = SpiffTrueUp(b.frozen[c.DealID].earned, c.Before, c.After)
		}
		add(l, tu)
	}
	return lines, nil
}
