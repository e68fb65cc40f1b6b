package domain

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Kind is the kind of registration: the partner sells (resale), or it
// introduces the customer and the vendor sells (referral).
type Kind string

// Registration kinds.
const (
	KindResale   Kind = "resale"
	KindReferral Kind = "referral"
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == KindResale || k == KindReferral }

// Duration is a time.Duration written in JSON as Go duration text ("48h").
type Duration time.Duration

// MarshalJSON writes d as "48h0m0s".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads "48h", "90m" or "0"; null leaves d unchanged.
func (d *Duration) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration is written as text such as \"48h\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("invalid duration %q", s)
	}
	*d = Duration(v)
	return nil
}

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Policy is a partner program's deal-registration policy. Programs are data
// (the programs table); fields a program leaves out take DefaultPolicy's
// values. A deal keeps the policy it was screened under.
type Policy struct {
	// Kinds lists, per partner type, the kinds of registration it may make.
	Kinds map[PartnerType][]Kind `json:"kinds"`
	// SecondApprovalAt is, per currency, the amount in minor units at or
	// above which a second approval by a different channel manager is
	// needed. A currency not listed always needs two approvals.
	SecondApprovalAt map[string]int64 `json:"second_approval_at"`
	SLA              SLAPolicy        `json:"sla"`
	Protection       ProtectionPolicy `json:"protection"`
	AutoApprove      AutoApproveRule  `json:"auto_approve"`
	AutoReject       AutoRejectRule   `json:"auto_reject"`
	// Conflict sets the match scores at which a registration is a likely
	// conflict (to conflict review) or a duplicate.
	Conflict MatchThresholds `json:"conflict"`
	// CorrectionWindowDays is how long after closed won an outcome can still
	// be corrected (e.g. reversed).
	CorrectionWindowDays int `json:"correction_window_days"`
}

// SLAPolicy sets how fast channel managers must review a registration. The
// clock runs while the deal awaits a manager (conflict review, pending
// approval) and pauses while information is requested from the partner.
type SLAPolicy struct {
	ReviewWithin Duration `json:"review_within"`
	// ReminderAt is when managers are reminded ("0s": never); when a program
	// does not state it, half of ReviewWithin.
	ReminderAt Duration `json:"reminder_at"`
	// EscalationContact is notified (besides all channel managers) when the
	// SLA is missed: an e-mail address, or empty.
	EscalationContact string `json:"escalation_contact"`
	// AutoAction, when its After is set, is taken by dealflow itself once
	// the review has waited that long: approve, reject or wait.
	AutoAction AutoAction `json:"auto_action"`
}

// AutoAction is what happens when a review has waited far too long.
type AutoAction struct {
	After  Duration `json:"after"`
	Action string   `json:"action"` // approve | reject | wait
}

// ProtectionPolicy sets how long an approved deal is protected.
type ProtectionPolicy struct {
	Days               int   `json:"days"`
	ReminderDaysBefore []int `json:"reminder_days_before"`
	MaxExtensions      int   `json:"max_extensions"`
	ExtensionDays      int   `json:"extension_days"`
}

// AutoApproveRule approves without a person when every condition holds
// and screening found no conflict.
type AutoApproveRule struct {
	Enabled bool   `json:"enabled"`
	MinTier string `json:"min_tier"`
	// MaxAmount is, per currency, the amount in minor units the deal must
	// stay under; a currency not listed is never auto-approved.
	MaxAmount map[string]int64 `json:"max_amount"`
}

// AutoRejectRule rejects without a person: customers whose registrable
// domain is reserved for direct sales.
type AutoRejectRule struct {
	ReservedDomains []string `json:"reserved_domains"`
}

// DefaultPolicy is the policy of the default program, and the value of
// every field a program leaves out.
func DefaultPolicy() Policy {
	both := []Kind{KindResale, KindReferral}
	return Policy{
		Kinds: map[PartnerType][]Kind{
			PartnerReseller: both, PartnerVAR: both, PartnerDistributor: both, PartnerMSP: both, PartnerSI: both,
			PartnerReferral: {KindReferral}, PartnerAgent: {KindReferral},
		},
		SecondApprovalAt: map[string]int64{
			"USD": 100_000_00, "EUR": 100_000_00, "GBP": 100_000_00, "CHF": 100_000_00,
			"CAD": 100_000_00, "AUD": 100_000_00, "JPY": 15_000_000,
		},
		SLA: SLAPolicy{
			ReviewWithin: Duration(48 * time.Hour),
			ReminderAt:   Duration(24 * time.Hour),
			AutoAction:   AutoAction{Action: "wait"},
		},
		Protection:           ProtectionPolicy{Days: 90, ReminderDaysBefore: []int{14, 3}, MaxExtensions: 1, ExtensionDays: 30},
		AutoApprove:          AutoApproveRule{Enabled: false, MinTier: "gold", MaxAmount: map[string]int64{"USD": 25_000_00}},
		Conflict:             DefaultMatchThresholds,
		CorrectionWindowDays: 365,
	}
}

// ParsePolicy reads a program's policy JSON over DefaultPolicy, so a program
// states only what differs, and validates the result. A map or list the
// program states replaces the default one whole (so a program can drop a
// currency); sla.reminder_at, when not stated, is half of review_within.
func ParsePolicy(raw []byte) (Policy, error) {
	p := DefaultPolicy()
	stated := statedFields(raw)
	if stated["kinds"] {
		p.Kinds = nil
	}
	if stated["second_approval_at"] {
		p.SecondApprovalAt = nil
	}
	if stated["auto_approve.max_amount"] {
		p.AutoApprove.MaxAmount = nil
	}
	if len(strings.TrimSpace(string(raw))) > 0 {
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return Policy{}, fmt.Errorf("policy: %w", err)
		}
		if dec.More() {
			return Policy{}, fmt.Errorf("policy: unexpected data after the JSON object")
		}
	}
	if !stated["sla.reminder_at"] {
		p.SLA.ReminderAt = p.SLA.ReviewWithin / 2
	}
	if errs := p.Validate(); len(errs) > 0 {
		return Policy{}, fmt.Errorf("policy: %s", strings.Join(errs, "; "))
	}
	return p, nil
}

// statedFields lists the nested fields a policy JSON states, as dotted
// paths two levels deep ("sla.reminder_at"); invalid JSON states nothing
// (the decoder reports it).
func statedFields(raw []byte) map[string]bool {
	out := map[string]bool{}
	var top map[string]json.RawMessage
	if json.Unmarshal(raw, &top) != nil {
		return out
	}
	for k, v := range top {
		out[k] = true
		var inner map[string]json.RawMessage
		if json.Unmarshal(v, &inner) == nil {
			for k2 := range inner {
				out[k+"."+k2] = true
			}
		}
	}
	return out
}

// Validate lists what is wrong with p, as "field: problem" texts.
func (p Policy) Validate() []string {
	var errs []string
	bad := func(field, msg string) { errs = append(errs, field+": "+msg) }
	for t, kinds := range p.Kinds {
		if !t.Valid() {
			bad("kinds", fmt.Sprintf("unknown partner type %q", t))
		}
		for _, k := range kinds {
			if !k.Valid() {
				bad("kinds."+string(t), fmt.Sprintf("unknown kind %q", k))
			}
		}
	}
	for _, m := range []struct {
		field string
		v     map[string]int64
	}{{"second_approval_at", p.SecondApprovalAt}, {"auto_approve.max_amount", p.AutoApprove.MaxAmount}} {
		for cur, amt := range m.v {
			if !ValidCurrency(cur) {
				bad(m.field, fmt.Sprintf("unknown currency %q", cur))
			}
			if amt <= 0 || amt > MaxAmount {
				bad(m.field+"."+cur, "must be a positive amount in minor units")
			}
		}
	}
	s := p.SLA
	if s.ReviewWithin.D() < time.Minute {
		bad("sla.review_within", "must be at least 1m")
	}
	if s.ReminderAt.D() < 0 || s.ReminderAt.D() >= s.ReviewWithin.D() {
		bad("sla.reminder_at", "must be 0 (none) or less than review_within")
	}
	switch s.AutoAction.Action {
	case "approve", "reject", "wait":
	default:
		bad("sla.auto_action.action", "must be approve, reject or wait")
	}
	if s.AutoAction.After.D() != 0 && s.AutoAction.After.D() <= s.ReviewWithin.D() {
		bad("sla.auto_action.after", "must be 0 (never) or later than review_within")
	}
	if len(s.EscalationContact) > 254 || (s.EscalationContact != "" && !strings.Contains(s.EscalationContact, "@")) {
		bad("sla.escalation_contact", "must be an e-mail address")
	}
	pr := p.Protection
	if pr.Days < 1 || pr.Days > 3650 {
		bad("protection.days", "must be 1 to 3650")
	}
	for _, d := range pr.ReminderDaysBefore {
		if d < 1 || d >= pr.Days {
			bad("protection.reminder_days_before", "each must be at least 1 and less than days")
		}
	}
	if pr.MaxExtensions < 0 || pr.MaxExtensions > 100 {
		bad("protection.max_extensions", "must be 0 to 100")
	}
	if pr.ExtensionDays < 1 || pr.ExtensionDays > 3650 {
		bad("protection.extension_days", "must be 1 to 3650")
	}
	if p.AutoApprove.Enabled && TierRank(p.AutoApprove.MinTier) < 0 {
		bad("auto_approve.min_tier", "must be one of "+strings.Join(Tiers, ", "))
	}
	for _, d := range p.AutoReject.ReservedDomains {
		if r, err := RegistrableDomain(d); err != nil || r != d {
			bad("auto_reject.reserved_domains", fmt.Sprintf("%q is not a registrable domain such as acme.com", d))
		}
	}
	if c := p.Conflict; c.Likely <= 0 || c.Likely > c.Duplicate || c.Duplicate > 1 {
		bad("conflict", "want 0 < likely ≤ duplicate ≤ 1")
	}
	if p.CorrectionWindowDays < 0 || p.CorrectionWindowDays > 3650 {
		bad("correction_window_days", "must be 0 to 3650")
	}
	sort.Strings(errs)
	return errs
}

// AllowsKind reports whether partners of type t may register kind k.
func (p Policy) AllowsKind(t PartnerType, k Kind) bool {
	for _, allowed := range p.Kinds[t] {
		if allowed == k {
			return true
		}
	}
	return false
}

// RequiredApprovals is how many distinct channel managers must approve a
// deal of amount in currency: two at or above the program's threshold for
// that currency, or always two when the currency has none.
func (p Policy) RequiredApprovals(amount int64, currency string) int {
	limit, ok := p.SecondApprovalAt[currency]
	if !ok || amount >= limit {
		return 2
	}
	return 1
}
