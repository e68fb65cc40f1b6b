package domain

import (
	"fmt"
	"time"
)

// ChannelPricing is the program's channel pricing policy, versioned like
// incentive rules (a new version applies to quotes priced after it; a
// priced quote keeps the version it names): partner discounts by partner
// type, tier and product line, the deal-registration discount, the
// approval matrix for additional discounts, and quote validity.
type ChannelPricing struct {
	Version int `json:"version"`
	// PartnerDiscounts lists partner discount rates; the most specific
	// entry wins (a product line named beats ProductLine "").
	PartnerDiscounts []PartnerDiscount `json:"partner_discounts"`
	// RegistrationBP is the extra rate a quote earns when it belongs to the
	// quoting partner's own approved, still protected registration.
	RegistrationBP BasisPoints `json:"registration_bp"`
	// ManagerUpToBP: an additional discount up to it (on any line) needs a
	// channel manager's approval; above it, a channel manager's and then
	// finance's (deal desk), two different people.
	ManagerUpToBP BasisPoints `json:"manager_up_to_bp"`
	// ValidityDays is how long an approved quote can be accepted (0: 30);
	// ReminderDays how long before expiry its owner is reminded (0: 5).
	ValidityDays int `json:"validity_days"`
	ReminderDays int `json:"reminder_days"`
	// ApprovalSLAHours is how long an approval may wait before a reminder;
	// at twice it the quote is escalated (0: 24).
	ApprovalSLAHours int `json:"approval_sla_hours"`
	// Vendor is the vendor's name and Terms the terms printed on the
	// quotes priced with this version (the quote document; empty: the
	// vendor is not named, and the standard terms say only what the quote
	// itself fixes: currency, validity, taxes).
	Vendor string `json:"vendor,omitempty"`
	Terms  string `json:"terms,omitempty"`
}

// PartnerDiscount is one partner discount rate.
type PartnerDiscount struct {
	PartnerType string      `json:"partner_type"`
	Tier        string      `json:"tier"`
	ProductLine string      `json:"product_line,omitempty"`
	BP          BasisPoints `json:"bp"`
}

// DefaultQuoteValidityDays is a quote's validity when the policy sets none.
const DefaultQuoteValidityDays = 30

// Validity is how long a priced quote stays acceptable.
func (p ChannelPricing) Validity() time.Duration {
	d := p.ValidityDays
	if d <= 0 {
		d = DefaultQuoteValidityDays
	}
	return time.Duration(d) * 24 * time.Hour
}

// Reminder is how long before expiry the quote's owner is reminded.
func (p ChannelPricing) Reminder() time.Duration {
	d := p.ReminderDays
	if d <= 0 {
		d = 5
	}
	return time.Duration(d) * 24 * time.Hour
}

// ApprovalSLA is how long an approval may wait before a reminder.
func (p ChannelPricing) ApprovalSLA() time.Duration {
	h := p.ApprovalSLAHours
	if h <= 0 {
		h = 24
	}
	return time.Duration(h) * time.Hour
}

// ChannelPricingProblems checks a policy before it is stored.
func ChannelPricingProblems(p ChannelPricing) []FieldProblem {
	var out []FieldProblem
	for i, d := range p.PartnerDiscounts {
		f := fmt.Sprintf("partner_discounts[%d]", i)
		if d.PartnerType == "" || d.Tier == "" || len(d.PartnerType)+len(d.Tier) > 100 ||
			TextProblem(d.PartnerType+d.Tier, false) != "" || ProductLineProblemOrEmpty(d.ProductLine) != "" {
			out = append(out, FieldProblem{f, "partner_type and tier are required; they and product_line are short printable text"})
		}
		if m := BPProblem(d.BP); m != "" {
			out = append(out, FieldProblem{f + ".bp", m})
		}
	}
	if m := BPProblem(p.RegistrationBP); m != "" {
		out = append(out, FieldProblem{"registration_bp", m})
	}
	if m := BPProblem(p.ManagerUpToBP); m != "" {
		out = append(out, FieldProblem{"manager_up_to_bp", m})
	}
	if p.ValidityDays < 0 || p.ValidityDays > 365 {
		out = append(out, FieldProblem{"validity_days", "must be 0 (30 days) to 365"})
	}
	if p.ReminderDays < 0 || p.ReminderDays > 365 {
		out = append(out, FieldProblem{"reminder_days", "must be 0 (5 days) to 365"})
	}
	if len(p.Vendor) > 200 || TextProblem(p.Vendor, false) != "" {
		out = append(out, FieldProblem{"vendor", "at most 200 printable characters on one line"})
	}
	if len(p.Terms) > 4000 || TextProblem(p.Terms, true) != "" {
		out = append(out, FieldProblem{"terms", "at most 4000 printable characters"})
	}
	if p.ApprovalSLAHours < 0 || p.ApprovalSLAHours > 24*90 {
		out = append(out, FieldProblem{"approval_sla_hours", "must be 0 (24 hours) to 2160"})
	}
	return out
}

// partnerRate is the partner discount for a partner of type and tier on
// product line, with the entry's description.
func (p ChannelPricing) partnerRate(partnerType, tier, line string) (BasisPoints, string) {
	var bp BasisPoints
	rule, best := "", -1
	for _, d := range p.PartnerDiscounts {
		if d.PartnerType != partnerType || d.Tier != tier || (d.ProductLine != "" && d.ProductLine != line) {
			continue
		}
		score := 0
		if d.ProductLine != "" {
			score = 1
		}
		if score > best {
			best, bp = score, d.BP
			scope := "every product line"
			if d.ProductLine != "" {
				scope = d.ProductLine
			}
			rule = fmt.Sprintf("partner discount for %s %s on %s", partnerType, tier, scope)
		}
	}
	return bp, rule
}

// Approval levels a quote needs.
const (
	// ApprovalNone: within the partner's standard discounts (partner +
	// registration); approved automatically.
	ApprovalNone = 0
	// ApprovalManager: an additional discount up to ManagerUpToBP.
	ApprovalManager = 1
	// ApprovalFinance: an additional discount above it: a channel manager
	// and then finance (deal desk), two different people.
	ApprovalFinance = 2
)

// ApprovalLevel is the approval matrix: what a quote's largest additional
// discount needs.
func (p ChannelPricing) ApprovalLevel(maxAdditional BasisPoints) int {
	switch {
	case maxAdditional <= 0:
		return ApprovalNone
	case maxAdditional <= p.ManagerUpToBP:
		return ApprovalManager
	}
	return ApprovalFinance
}

// ProductLineProblemOrEmpty is ProductLineProblem, allowing "" (every line).
func ProductLineProblemOrEmpty(pl string) string {
	if pl == "" {
		return ""
	}
	return ProductLineProblem(pl)
}
