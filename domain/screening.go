package domain

import (
	"fmt"
	"strings"
	"time"
)

// ScreeningFacts are what screening found about a new registration.
type ScreeningFacts struct {
	PartnerType       PartnerType `json:"partner_type"`
	Tier              string      `json:"tier"`
	Kind              Kind        `json:"kind"`
	Amount            int64       `json:"amount"`
	Currency          string      `json:"currency"`
	RegistrableDomain string      `json:"registrable_domain"`
	// Conflicts are other partners' open registrations of the same customer.
	Conflicts []Conflict `json:"conflicts"`
}

// Conflict sources: what a registration can collide with.
const (
	SourceRegistration = "registration" // another partner's open registration
	SourceAccount      = "account"      // an existing customer account
	SourceOpportunity  = "opportunity"  // an open direct-sales opportunity
)

// Conflict is something else that names the same customer: another
// partner's open registration, an existing account or a direct-sales
// opportunity, with the match that links them.
type Conflict struct {
	Source string `json:"source"`
	// ID is the registration's deal id, the account's or the opportunity's id.
	ID string `json:"id"`
	// DealID is set for registrations (kept for earlier histories).
	DealID string `json:"deal_id,omitempty"`
	// PartnerID is the registering partner, or the account's owning partner.
	PartnerID string `json:"partner_id,omitempty"`
	// Status is the registration's status, the account's owner type
	// (direct, partner) or the opportunity's status.
	Status            Status    `json:"status"`
	Name              string    `json:"name,omitempty"`
	RegistrableDomain string    `json:"registrable_domain,omitempty"`
	Country           string    `json:"country,omitempty"`
	Owner             string    `json:"owner,omitempty"`
	ReservedForDirect bool      `json:"reserved_for_direct,omitempty"`
	RegisteredAt      time.Time `json:"registered_at"`
	Score             float64   `json:"score"`
	Class             string    `json:"class"`
	Reason            string    `json:"reason"`
}

// Rules that screening can fire; recorded on the event they cause.
const (
	RuleKindNotAllowed  = "auto_reject.kind_not_allowed"
	RuleReservedDomain  = "auto_reject.reserved_domain"
	RuleReservedAccount = "auto_reject.reserved_account"
	RuleConflict        = "conflict.domain_match"
	RuleAutoApprove     = "auto_approve"
	RuleManualReview    = "manual_review"
	// RuleVendorSourced approves a lead a partner accepted from the vendor.
	RuleVendorSourced   = "auto_approve.vendor_sourced"
	RuleSLAAutoApprove  = "sla.auto_approve"
	RuleSLAAutoReject   = "sla.auto_reject"
	RuleExpiredUnanswer = "protection.expired_before_decision"
)

// ScreeningOutcome is where a registration goes after screening and why.
type ScreeningOutcome struct {
	Next   Status `json:"next"`
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
}

// Screen applies a program's rules to what screening found, in order:
// automatic rejections, then conflicts (to a manager), then automatic
// approval, else a manager's review.
//
// A vendor-sourced registration (a lead the partner accepted) is the
// vendor's own choice of partner: no kind rule applies, and without a
// conflict it is approved at once.
func Screen(p Policy, f ScreeningFacts) ScreeningOutcome {
	vendorSourced := f.Kind == KindVendorSourced
	if !vendorSourced && !p.AllowsKind(f.PartnerType, f.Kind) {
		return ScreeningOutcome{StatusRejected, RuleKindNotAllowed,
			"the program does not let " + string(f.PartnerType) + " partners register " + string(f.Kind) + " deals"}
	}
	for _, d := range p.AutoReject.ReservedDomains {
		if d == f.RegistrableDomain {
			return ScreeningOutcome{StatusRejected, RuleReservedDomain,
				"the customer " + d + " is an existing account reserved for direct sales"}
		}
	}
	for _, c := range f.Conflicts {
		if c.Source == SourceAccount && c.ReservedForDirect && c.Class == MatchDuplicate {
			return ScreeningOutcome{StatusRejected, RuleReservedAccount,
				"the customer is an existing account reserved for direct sales: " + c.Reason}
		}
	}
	if len(f.Conflicts) > 0 {
		return ScreeningOutcome{StatusConflictReview, RuleConflict, conflictSummary(f.RegistrableDomain, f.Conflicts)}
	}
	if vendorSourced {
		return ScreeningOutcome{StatusApproved, RuleVendorSourced, "vendor-sourced: passed to this partner by the vendor (a lead or a shared opportunity) and accepted, no conflicts"}
	}
	a := p.AutoApprove
	if limit, ok := a.MaxAmount[f.Currency]; a.Enabled && ok && f.Amount < limit &&
		TierRank(f.Tier) >= TierRank(a.MinTier) && TierRank(a.MinTier) >= 0 {
		return ScreeningOutcome{StatusApproved, RuleAutoApprove,
			"tier " + NormalizeTier(f.Tier) + " at least " + a.MinTier + ", amount under the limit, no conflicts"}
	}
	return ScreeningOutcome{StatusPendingApproval, RuleManualReview, "awaiting a channel manager's review"}
}

// conflictSummary says in one line what screening found, without naming
// other partners (the partner reads its deal's timeline).
func conflictSummary(customer string, cs []Conflict) string {
	counts := map[string]int{}
	for _, c := range cs {
		src := c.Source
		if src == "" {
			src = SourceRegistration
		}
		counts[src]++
	}
	var parts []string
	for _, src := range []string{SourceRegistration, SourceAccount, SourceOpportunity} {
		if n := counts[src]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, plural(src, n)))
		}
	}
	return "possible conflict for " + customer + " with " + strings.Join(parts, ", ") + "; a channel manager will review"
}

func plural(word string, n int) string {
	if n == 1 {
		return word
	}
	if strings.HasSuffix(word, "y") {
		return strings.TrimSuffix(word, "y") + "ies"
	}
	return word + "s"
}
