package domain

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// KindVendorSourced is the kind of registration a lead becomes when a
// partner accepts it: the vendor found the customer and passed it on. It is
// approved and protected at once unless screening finds a conflict; no
// partner submits it themselves.
const KindVendorSourced Kind = "vendor_sourced"

// Lead routing modes.
const (
	// RouteRoundRobin offers a lead to one matching partner at a time,
	// chosen by weighted round-robin.
	RouteRoundRobin = "round_robin"
	// RouteBroadcast offers a lead to several matching partners at once;
	// the first to accept wins it.
	RouteBroadcast = "broadcast"
)

// Attribution models: which referral touch in the window gets a lead.
const (
	TouchFirst = "first"
	TouchLast  = "last"
)

// LeadPolicy is a program's lead policy: how leads are offered, how long a
// partner has to accept and to make first contact, and how referral
// attribution works. Fields a program leaves out take DefaultLeadPolicy's.
type LeadPolicy struct {
	// Mode is round_robin or broadcast.
	Mode string `json:"mode"`
	// BroadcastTo is how many partners one broadcast offer reaches.
	BroadcastTo int `json:"broadcast_to"`
	// AcceptWithin is how long an offer stays open.
	AcceptWithin Duration `json:"accept_within"`
	// ReminderAt is when the offered partners are reminded ("0s": never).
	ReminderAt Duration `json:"reminder_at"`
	// FirstContactWithin is how long after acceptance the partner has to
	// record its first contact before the lead is pulled back.
	FirstContactWithin Duration `json:"first_contact_within"`
	// MaxOffers is how many offers (rounds) a lead gets before it goes
	// back to the vendor's queue.
	MaxOffers int `json:"max_offers"`
	// AttributionDays is the referral attribution window.
	AttributionDays int `json:"attribution_days"`
	// AttributionModel is first or last touch.
	AttributionModel string `json:"attribution_model"`
	// Weighting is static (profile weights) or scorecard (profile weights
	// scaled by each partner's lead scorecard: ScorecardWeight).
	Weighting string `json:"weighting"`
}

// DefaultLeadPolicy is the lead policy of a program that states none:
// weighted round-robin, 48 hours to accept with a reminder after 24, five
// days to first contact, three offers, 90-day first-touch attribution.
func DefaultLeadPolicy() LeadPolicy {
	return LeadPolicy{
		Mode: RouteRoundRobin, BroadcastTo: 3,
		AcceptWithin: Duration(48 * time.Hour), ReminderAt: Duration(24 * time.Hour),
		FirstContactWithin: Duration(5 * 24 * time.Hour), MaxOffers: 3,
		AttributionDays: 90, AttributionModel: TouchFirst, Weighting: WeightStatic,
	}
}

// ParseLeadPolicy reads a program's lead policy JSON over DefaultLeadPolicy
// and validates it.
func ParseLeadPolicy(raw []byte) (LeadPolicy, error) {
	p := DefaultLeadPolicy()
	if s := strings.TrimSpace(string(raw)); s != "" && s != "null" {
		dec := json.NewDecoder(strings.NewReader(s))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return LeadPolicy{}, fmt.Errorf("lead policy: %w", err)
		}
	}
	if errs := p.Validate(); len(errs) > 0 {
		return LeadPolicy{}, fmt.Errorf("lead policy: %s", strings.Join(errs, "; "))
	}
	return p, nil
}

// Validate lists what is wrong with p, as "field: problem" texts.
func (p LeadPolicy) Validate() []string {
	var errs []string
	bad := func(f, m string) { errs = append(errs, f+": "+m) }
	if p.Mode != RouteRoundRobin && p.Mode != RouteBroadcast {
		bad("mode", "must be round_robin or broadcast")
	}
	if p.BroadcastTo < 1 || p.BroadcastTo > 50 {
		bad("broadcast_to", "must be 1 to 50")
	}
	if p.AcceptWithin.D() < time.Minute || p.AcceptWithin.D() > 90*24*time.Hour {
		bad("accept_within", "must be 1m to 90 days")
	}
	if p.ReminderAt.D() < 0 || (p.ReminderAt.D() != 0 && p.ReminderAt.D() >= p.AcceptWithin.D()) {
		bad("reminder_at", "must be 0 (none) or less than accept_within")
	}
	if p.FirstContactWithin.D() < time.Minute || p.FirstContactWithin.D() > 365*24*time.Hour {
		bad("first_contact_within", "must be 1m to 365 days")
	}
	if p.MaxOffers < 1 || p.MaxOffers > 20 {
		bad("max_offers", "must be 1 to 20")
	}
	if p.AttributionDays < 1 || p.AttributionDays > 365 {
		bad("attribution_days", "must be 1 to 365")
	}
	if p.Weighting != WeightStatic && p.Weighting != WeightScorecard {
		bad("weighting", "must be static or scorecard")
	}
	if p.AttributionModel != TouchFirst && p.AttributionModel != TouchLast {
		bad("attribution_model", "must be first or last")
	}
	sort.Strings(errs)
	return errs
}
