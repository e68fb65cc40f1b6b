package domain

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

// Conflict is another open registration that names the same customer.
type Conflict struct {
	DealID    string `json:"deal_id"`
	PartnerID string `json:"partner_id"`
	Status    Status `json:"status"`
	Reason    string `json:"reason"`
}

// Rules that screening can fire; recorded on the event they cause.
const (
	RuleKindNotAllowed  = "auto_reject.kind_not_allowed"
	RuleReservedDomain  = "auto_reject.reserved_domain"
	RuleConflict        = "conflict.domain_match"
	RuleAutoApprove     = "auto_approve"
	RuleManualReview    = "manual_review"
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
func Screen(p Policy, f ScreeningFacts) ScreeningOutcome {
	if !p.AllowsKind(f.PartnerType, f.Kind) {
		return ScreeningOutcome{StatusRejected, RuleKindNotAllowed,
			"the program does not let " + string(f.PartnerType) + " partners register " + string(f.Kind) + " deals"}
	}
	for _, d := range p.AutoReject.ReservedDomains {
		if d == f.RegistrableDomain {
			return ScreeningOutcome{StatusRejected, RuleReservedDomain,
				"the customer " + d + " is an existing account reserved for direct sales"}
		}
	}
	if len(f.Conflicts) > 0 {
		return ScreeningOutcome{StatusConflictReview, RuleConflict,
			"another partner has an open registration for " + f.RegistrableDomain}
	}
	a := p.AutoApprove
	if limit, ok := a.MaxAmount[f.Currency]; a.Enabled && ok && f.Amount < limit &&
		TierRank(f.Tier) >= TierRank(a.MinTier) && TierRank(a.MinTier) >= 0 {
		return ScreeningOutcome{StatusApproved, RuleAutoApprove,
			"tier " + NormalizeTier(f.Tier) + " at least " + a.MinTier + ", amount under the limit, no conflicts"}
	}
	return ScreeningOutcome{StatusPendingApproval, RuleManualReview, "awaiting a channel manager's review"}
}
