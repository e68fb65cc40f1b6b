package domain

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// IncentiveKind is what an incentive program pays for.
type IncentiveKind string

// Incentive kinds.
const (
	// IncentiveRebate pays a tiered percentage of a partner's closed-won
	// revenue in a period.
	IncentiveRebate IncentiveKind = "rebate"
	// IncentiveReferral pays a percentage of each referred deal's won
	// amount, capped per deal, once a hold period has passed.
	IncentiveReferral IncentiveKind = "referral"
	// IncentiveSpiff pays a fixed amount per qualifying deal or unit while
	// the program's budget lasts.
	IncentiveSpiff IncentiveKind = "spiff"
)

// Valid reports whether k is a known incentive kind.
func (k IncentiveKind) Valid() bool {
	return k == IncentiveRebate || k == IncentiveReferral || k == IncentiveSpiff
}

// Rebate modes.
const (
	// RebateModeRetroactive pays the whole revenue at the rate of the tier reached.
	RebateModeRetroactive = "retroactive"
	// RebateModeMarginal pays each slice of revenue at its own tier's rate.
	RebateModeMarginal = "marginal"
)

// SPIFF bases.
const (
	SpiffPerDeal = "deal"
	SpiffPerUnit = "unit"
)

// Periods an incentive program's cycles cover.
const (
	PeriodMonth   = "month"
	PeriodQuarter = "quarter"
)

// IncentiveRules are one version of an incentive program's rules. Only the
// fields of the program's kind apply; the others must be left out. A cycle
// records the version it computed with, and versions are never edited.
type IncentiveRules struct {
	// ProductLines limits a rebate or SPIFF to deals won with at least one
	// of these product lines; empty means every deal.
	ProductLines []string `json:"product_lines,omitempty"`

	// Mode is retroactive or marginal (rebate).
	Mode string `json:"mode,omitempty"`
	// Tiers are the rebate's tiers, by ascending Above, the first above 0.
	Tiers []RebateTier `json:"tiers,omitempty"`

	// RateBP is the referral commission's rate in basis points.
	RateBP int64 `json:"rate_bp,omitempty"`
	// CapPerDeal caps a referral commission, in minor units (0: no cap).
	CapPerDeal int64 `json:"cap_per_deal,omitempty"`
	// HoldDays is how long after the close date a referral commission
	// waits before it is payable (refunds happen in that time).
	HoldDays int `json:"hold_days,omitempty"`

	// Amount is the SPIFF per deal or per unit, in minor units.
	Amount int64 `json:"amount,omitempty"`
	// Per is "deal" or "unit".
	Per string `json:"per,omitempty"`
	// From and To bound the close dates that qualify for a SPIFF
	// (YYYY-MM-DD, both included; empty: open).
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Budget is the SPIFF program's whole budget across all its cycles,
	// in minor units (0: none). When it runs out, earlier close dates win.
	Budget int64 `json:"budget,omitempty"`

	// Attribution limits the program to won deals by who sourced them and
	// what influenced them (any kind; absent: every deal of the program's
	// deal kind, as before attribution was recorded).
	Attribution *AttributionFilter `json:"attribution,omitempty"`

	// SecondApprovalAt is the payout, in minor units of the program's
	// currency, at or above which a cycle needs approvals by two
	// different finance people (any kind; absent: the currency's default,
	// DefaultPayoutSecondApprovalAt).
	SecondApprovalAt int64 `json:"second_approval_at,omitempty"`
}

// ParseIncentiveRules decodes and validates rules for a program of kind k;
// unknown fields and fields of another kind are refused, so a typo cannot
// silently change what partners are paid. Product lines come back
// normalised (NormalizeProductLines), as deals' are, whatever was stored.
func ParseIncentiveRules(k IncentiveKind, raw []byte) (IncentiveRules, error) {
	var r IncentiveRules
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return IncentiveRules{}, fmt.Errorf("rules: %w", err)
	}
	if dec.More() {
		return IncentiveRules{}, fmt.Errorf("rules: unexpected data after the JSON object")
	}
	r.ProductLines = NormalizeProductLines(r.ProductLines)
	if errs := r.Validate(k); len(errs) > 0 {
		return IncentiveRules{}, fmt.Errorf("rules: %s", strings.Join(errs, "; "))
	}
	return r, nil
}

// Validate lists what is wrong with r for a program of kind k, as
// "field: problem" texts; none means valid.
func (r IncentiveRules) Validate(k IncentiveKind) []string {
	var errs []string
	bad := func(field, msg string) { errs = append(errs, field+": "+msg) }
	foreign := func(field string, set bool) {
		if set {
			bad(field, "does not apply to a "+string(k)+" program")
		}
	}
	if r.SecondApprovalAt < 0 || r.SecondApprovalAt > MaxAmount {
		bad("second_approval_at", "must be a positive amount in minor units")
	}
	if r.Attribution != nil {
		errs = append(errs, r.Attribution.validate("attribution")...)
	}
	for i, pl := range r.ProductLines {
		if why := ProductLineProblem(strings.ToLower(strings.TrimSpace(pl))); why != "" {
			bad(fmt.Sprintf("product_lines[%d]", i), why+": no deal could have it")
		}
	}
	switch k {
	case IncentiveRebate:
		if r.Mode != RebateModeRetroactive && r.Mode != RebateModeMarginal {
			bad("mode", "must be retroactive or marginal")
		}
		if len(r.Tiers) == 0 || len(r.Tiers) > 20 {
			bad("tiers", "must list 1 to 20 tiers")
		}
		for i, t := range r.Tiers {
			switch {
			case i == 0 && t.Above != 0:
				bad("tiers[0].above", "the first tier starts above 0")
			case i > 0 && t.Above <= r.Tiers[i-1].Above:
				bad(fmt.Sprintf("tiers[%d].above", i), "tiers must be in ascending order of above")
			case t.Above < 0 || t.Above > MaxAmount:
				bad(fmt.Sprintf("tiers[%d].above", i), "out of range")
			}
			if t.RateBP < 0 || t.RateBP > basisPoints {
				bad(fmt.Sprintf("tiers[%d].rate_bp", i), "must be 0 to 10000 (100 %)")
			}
		}
		foreign("rate_bp", r.RateBP != 0)
		foreign("cap_per_deal", r.CapPerDeal != 0)
		foreign("hold_days", r.HoldDays != 0)
		foreign("amount", r.Amount != 0)
		foreign("per", r.Per != "")
		foreign("from", r.From != "")
		foreign("to", r.To != "")
		foreign("budget", r.Budget != 0)
	case IncentiveReferral:
		if r.RateBP <= 0 || r.RateBP > basisPoints {
			bad("rate_bp", "must be 1 to 10000 (100 %)")
		}
		if r.CapPerDeal < 0 || r.CapPerDeal > MaxAmount {
			bad("cap_per_deal", "out of range")
		}
		if r.HoldDays < 0 || r.HoldDays > 365 {
			bad("hold_days", "must be 0 to 365")
		}
		foreign("product_lines", len(r.ProductLines) > 0)
		foreign("mode", r.Mode != "")
		foreign("tiers", len(r.Tiers) > 0)
		foreign("amount", r.Amount != 0)
		foreign("per", r.Per != "")
		foreign("from", r.From != "")
		foreign("to", r.To != "")
		foreign("budget", r.Budget != 0)
	case IncentiveSpiff:
		if r.Amount <= 0 || r.Amount > MaxAmount {
			bad("amount", "must be a positive amount in minor units")
		}
		if r.Per != SpiffPerDeal && r.Per != SpiffPerUnit {
			bad("per", "must be deal or unit")
		}
		var from, to time.Time
		var err error
		if r.From != "" {
			if from, err = time.Parse(time.DateOnly, r.From); err != nil {
				bad("from", "must be a date YYYY-MM-DD")
			}
		}
		if r.To != "" {
			if to, err = time.Parse(time.DateOnly, r.To); err != nil {
				bad("to", "must be a date YYYY-MM-DD")
			}
		}
		if !from.IsZero() && !to.IsZero() && to.Before(from) {
			bad("to", "must not be before from")
		}
		if r.Budget < 0 || r.Budget > MaxAmount {
			bad("budget", "out of range")
		}
		foreign("mode", r.Mode != "")
		foreign("tiers", len(r.Tiers) > 0)
		foreign("rate_bp", r.RateBP != 0)
		foreign("cap_per_deal", r.CapPerDeal != 0)
		foreign("hold_days", r.HoldDays != 0)
	default:
		bad("kind", "must be rebate, referral or spiff")
	}
	return errs
}

// CanonicalIncentiveRules parses raw rules for a program of kind k
// (ParseIncentiveRules) and returns them as they are stored: the JSON
// object with its product lines normalised, so that the rules a cycle
// reads back match deals' product lines.
func CanonicalIncentiveRules(k IncentiveKind, raw []byte) ([]byte, IncentiveRules, error) {
	r, err := ParseIncentiveRules(k, raw)
	if err != nil {
		return nil, IncentiveRules{}, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, IncentiveRules{}, fmt.Errorf("rules: %w", err)
	}
	if _, ok := fields["product_lines"]; ok {
		lines := r.ProductLines
		if lines == nil {
			lines = []string{}
		}
		fields["product_lines"], _ = json.Marshal(lines)
	}
	out, err := json.Marshal(fields)
	return out, r, err
}

// AppliesTo reports whether a deal won with these product lines qualifies
// under r's product-line filter.
func (r IncentiveRules) AppliesTo(productLines []string) bool {
	if len(r.ProductLines) == 0 {
		return true
	}
	for _, pl := range productLines {
		if slices.Contains(r.ProductLines, pl) {
			return true
		}
	}
	return false
}

// Period is a half-open range of days [Start, End) an incentive cycle covers.
type Period struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// String writes the period as its first and last day.
func (p Period) String() string {
	return p.Start.Format(time.DateOnly) + ".." + p.End.AddDate(0, 0, -1).Format(time.DateOnly)
}

// Ended reports whether the period is over at now: its exclusive end is
// at or before now. On a month's last day the month has not ended; at
// 00:00:00 UTC on the next month's first day it has.
func (p Period) Ended(now time.Time) bool { return !p.End.After(now) }

// CyclePeriodProblem says why a cycle may not run for period p of a program
// that starts on programStart, at now; "" when it may. The program's first
// period is the one containing its start day (deals closed before the start
// never count), so a period ending on or before the start is refused; and a
// period must have ended.
func CyclePeriodProblem(p Period, programStart, now time.Time) string {
	if why := PeriodBeforeStartProblem(p, programStart); why != "" {
		return why
	}
	if !p.Ended(now) {
		return "the period " + p.String() + " has not ended"
	}
	return ""
}

// PeriodBeforeStartProblem says why no cycle may ever run for period p of
// a program that starts on programStart: the period ends on or before the
// start (deals closed before the start never count). "" when it may. The
// cycle's open step checks it whoever starts the cycle (finance or the
// program's schedule), CyclePeriodProblem at the API.
func PeriodBeforeStartProblem(p Period, programStart time.Time) string {
	if !p.End.After(programStart) {
		return "the period " + p.String() + " is before the program starts on " + programStart.Format(time.DateOnly)
	}
	return ""
}

// PeriodContaining returns the month or quarter (UTC) that contains day.
func PeriodContaining(kind string, day time.Time) (Period, error) {
	y, m, _ := day.UTC().Date()
	switch kind {
	case PeriodMonth:
		start := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
		return Period{start, start.AddDate(0, 1, 0)}, nil
	case PeriodQuarter:
		start := time.Date(y, time.Month((int(m)-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC)
		return Period{start, start.AddDate(0, 3, 0)}, nil
	}
	return Period{}, fmt.Errorf("period must be month or quarter, not %q", kind)
}

// PeriodDueAt returns the period a cycle started at t covers, when cycles
// run graceDays after their period ends: the last period whose end plus
// graceDays is on or before t's day. A cycle scheduled on 8 February with
// 7 grace days covers January; on 7 February, still December.
func PeriodDueAt(kind string, t time.Time, graceDays int) (Period, error) {
	x := t.UTC().Truncate(24*time.Hour).AddDate(0, 0, -graceDays)
	current, err := PeriodContaining(kind, x)
	if err != nil {
		return Period{}, err
	}
	return PeriodContaining(kind, current.Start.AddDate(0, 0, -1))
}
