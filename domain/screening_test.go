package domain

import (
	"reflect"
	"strings"
	"testing"
)

// screenPolicy is DefaultPolicy with automatic approval on for gold and
// above under USD 25,000.00 and EUR 20,000.00, and acme.com reserved.
func screenPolicy() Policy {
	p := DefaultPolicy()
	p.AutoApprove = AutoApproveRule{
		Enabled:   true,
		MinTier:   "gold",
		MaxAmount: map[string]int64{"USD": 25_000_00, "EUR": 20_000_00},
	}
	p.AutoReject.ReservedDomains = []string{"acme.com", "globex.co.uk"}
	return p
}

// qualifying is a registration that screenPolicy approves automatically.
func qualifying() ScreeningFacts {
	return ScreeningFacts{
		PartnerType:       PartnerReseller,
		Tier:              "gold",
		Kind:              KindResale,
		Amount:            10_000_00,
		Currency:          "USD",
		RegistrableDomain: "initech.com",
	}
}

var oneConflict = []Conflict{{DealID: "d-1", PartnerID: "p-2", Status: StatusApproved, Reason: "same registrable domain"}}

// TestScreenPolicyValid proves the policy these screening tests use is itself a valid policy.
func TestScreenPolicyValid(t *testing.T) {
	if errs := screenPolicy().Validate(); len(errs) != 0 {
		t.Fatalf("screenPolicy().Validate() = %q", errs)
	}
}

// TestScreen proves Screen's rule order: kind not allowed, then reserved domain, then conflicts, then automatic approval, else manual review.
func TestScreen(t *testing.T) {
	tests := []struct {
		name      string
		policy    func() Policy
		facts     func(*ScreeningFacts)
		wantNext  Status
		wantRule  string
		reasonHas string // optional text the reason must contain
	}{
		// 1. Kind not allowed beats everything.
		{"qualifying registration", screenPolicy, func(f *ScreeningFacts) {},
			StatusApproved, RuleAutoApprove, ""},
		{"referral partner resale rejected", screenPolicy, func(f *ScreeningFacts) {
			f.PartnerType = PartnerReferral
		}, StatusRejected, RuleKindNotAllowed, "referral"},
		{"agent resale rejected", screenPolicy, func(f *ScreeningFacts) {
			f.PartnerType = PartnerAgent
		}, StatusRejected, RuleKindNotAllowed, "agent"},
		{"kind not allowed beats reserved domain and conflicts", screenPolicy, func(f *ScreeningFacts) {
			f.PartnerType = PartnerAgent
			f.RegistrableDomain = "acme.com"
			f.Conflicts = oneConflict
		}, StatusRejected, RuleKindNotAllowed, "resale"},
		{"unknown partner type rejected", screenPolicy, func(f *ScreeningFacts) {
			f.PartnerType = "vendor"
		}, StatusRejected, RuleKindNotAllowed, ""},
		{"unknown kind rejected", screenPolicy, func(f *ScreeningFacts) {
			f.Kind = "wholesale"
		}, StatusRejected, RuleKindNotAllowed, "wholesale"},
		{"agent referral allowed and auto-approved", screenPolicy, func(f *ScreeningFacts) {
			f.PartnerType = PartnerAgent
			f.Kind = KindReferral
		}, StatusApproved, RuleAutoApprove, ""},
		{"partner type missing from program kinds rejected", func() Policy {
			p := screenPolicy()
			delete(p.Kinds, PartnerMSP)
			return p
		}, func(f *ScreeningFacts) {
			f.PartnerType = PartnerMSP
		}, StatusRejected, RuleKindNotAllowed, ""},

		// 2. Reserved domain beats conflicts and automatic approval.
		{"reserved domain rejected", screenPolicy, func(f *ScreeningFacts) {
			f.RegistrableDomain = "acme.com"
		}, StatusRejected, RuleReservedDomain, "acme.com"},
		{"second reserved domain rejected", screenPolicy, func(f *ScreeningFacts) {
			f.RegistrableDomain = "globex.co.uk"
		}, StatusRejected, RuleReservedDomain, "globex.co.uk"},
		{"reserved domain beats conflicts", screenPolicy, func(f *ScreeningFacts) {
			f.RegistrableDomain = "acme.com"
			f.Conflicts = oneConflict
		}, StatusRejected, RuleReservedDomain, "acme.com"},
		{"reserved domain with referral kind", screenPolicy, func(f *ScreeningFacts) {
			f.Kind = KindReferral
			f.RegistrableDomain = "acme.com"
		}, StatusRejected, RuleReservedDomain, ""},
		{"other domain under a reserved one is not reserved", screenPolicy, func(f *ScreeningFacts) {
			f.RegistrableDomain = "acme.co"
		}, StatusApproved, RuleAutoApprove, ""},
		{"empty domain is not reserved", screenPolicy, func(f *ScreeningFacts) {
			f.RegistrableDomain = ""
		}, StatusApproved, RuleAutoApprove, ""},

		// 3. Conflicts go to a manager even when auto-approve would apply.
		{"conflict goes to conflict review although auto-approve applies", screenPolicy, func(f *ScreeningFacts) {
			f.Conflicts = oneConflict
		}, StatusConflictReview, RuleConflict, "initech.com"},
		{"several conflicts", screenPolicy, func(f *ScreeningFacts) {
			f.Conflicts = []Conflict{oneConflict[0], {DealID: "d-2", PartnerID: "p-3", Status: StatusPendingApproval}}
		}, StatusConflictReview, RuleConflict, ""},
		{"conflict under default policy", DefaultPolicy, func(f *ScreeningFacts) {
			f.Conflicts = oneConflict
		}, StatusConflictReview, RuleConflict, ""},
		{"empty conflicts slice is no conflict", screenPolicy, func(f *ScreeningFacts) {
			f.Conflicts = []Conflict{}
		}, StatusApproved, RuleAutoApprove, ""},

		// 4. Automatic approval needs every condition.
		{"auto-approve disabled", DefaultPolicy, func(f *ScreeningFacts) {},
			StatusPendingApproval, RuleManualReview, ""},
		{"tier above min tier", screenPolicy, func(f *ScreeningFacts) {
			f.Tier = "platinum"
		}, StatusApproved, RuleAutoApprove, "platinum"},
		{"tier exactly min tier", screenPolicy, func(f *ScreeningFacts) {
			f.Tier = "gold"
		}, StatusApproved, RuleAutoApprove, "gold"},
		{"tier below min tier", screenPolicy, func(f *ScreeningFacts) {
			f.Tier = "silver"
		}, StatusPendingApproval, RuleManualReview, ""},
		{"lowest tier", screenPolicy, func(f *ScreeningFacts) {
			f.Tier = "registered"
		}, StatusPendingApproval, RuleManualReview, ""},
		{"tier in upper case", screenPolicy, func(f *ScreeningFacts) {
			f.Tier = "GOLD"
		}, StatusApproved, RuleAutoApprove, "tier gold"},
		{"tier mixed case with spaces", screenPolicy, func(f *ScreeningFacts) {
			f.Tier = "  Platinum "
		}, StatusApproved, RuleAutoApprove, "tier platinum"},
		{"unknown tier never qualifies", screenPolicy, func(f *ScreeningFacts) {
			f.Tier = "diamond"
		}, StatusPendingApproval, RuleManualReview, ""},
		{"empty tier never qualifies", screenPolicy, func(f *ScreeningFacts) {
			f.Tier = ""
		}, StatusPendingApproval, RuleManualReview, ""},
		{"min tier in mixed case", func() Policy {
			p := screenPolicy()
			p.AutoApprove.MinTier = " Silver"
			return p
		}, func(f *ScreeningFacts) {
			f.Tier = "silver"
		}, StatusApproved, RuleAutoApprove, ""},
		{"min tier registered admits every known tier", func() Policy {
			p := screenPolicy()
			p.AutoApprove.MinTier = "registered"
			return p
		}, func(f *ScreeningFacts) {
			f.Tier = "registered"
		}, StatusApproved, RuleAutoApprove, ""},
		{"min tier registered still refuses an unknown tier", func() Policy {
			p := screenPolicy()
			p.AutoApprove.MinTier = "registered"
			return p
		}, func(f *ScreeningFacts) {
			f.Tier = "bronze"
		}, StatusPendingApproval, RuleManualReview, ""},
		{"unknown min tier approves nobody", func() Policy {
			p := screenPolicy()
			p.AutoApprove.MinTier = "diamond"
			return p
		}, func(f *ScreeningFacts) {
			f.Tier = "platinum"
		}, StatusPendingApproval, RuleManualReview, ""},
		{"unknown min tier approves nobody, even an unknown tier", func() Policy {
			p := screenPolicy()
			p.AutoApprove.MinTier = "diamond"
			return p
		}, func(f *ScreeningFacts) {
			f.Tier = "diamond"
		}, StatusPendingApproval, RuleManualReview, ""},
		{"empty min tier approves nobody", func() Policy {
			p := screenPolicy()
			p.AutoApprove.MinTier = ""
			return p
		}, func(f *ScreeningFacts) {
			f.Tier = ""
		}, StatusPendingApproval, RuleManualReview, ""},
		{"amount one under the limit", screenPolicy, func(f *ScreeningFacts) {
			f.Amount = 25_000_00 - 1
		}, StatusApproved, RuleAutoApprove, ""},
		{"amount exactly the limit", screenPolicy, func(f *ScreeningFacts) {
			f.Amount = 25_000_00
		}, StatusPendingApproval, RuleManualReview, ""},
		{"amount over the limit", screenPolicy, func(f *ScreeningFacts) {
			f.Amount = 25_000_01
		}, StatusPendingApproval, RuleManualReview, ""},
		{"zero amount", screenPolicy, func(f *ScreeningFacts) {
			f.Amount = 0
		}, StatusApproved, RuleAutoApprove, ""},
		{"second listed currency under its own limit", screenPolicy, func(f *ScreeningFacts) {
			f.Currency = "EUR"
			f.Amount = 19_999_99
		}, StatusApproved, RuleAutoApprove, ""},
		{"second listed currency at its own limit", screenPolicy, func(f *ScreeningFacts) {
			f.Currency = "EUR"
			f.Amount = 20_000_00
		}, StatusPendingApproval, RuleManualReview, ""},
		{"currency not listed is never auto-approved", screenPolicy, func(f *ScreeningFacts) {
			f.Currency = "GBP"
			f.Amount = 1
		}, StatusPendingApproval, RuleManualReview, ""},
		{"lower-case currency is not listed", screenPolicy, func(f *ScreeningFacts) {
			f.Currency = "usd"
		}, StatusPendingApproval, RuleManualReview, ""},
		{"no max amounts at all", func() Policy {
			p := screenPolicy()
			p.AutoApprove.MaxAmount = nil
			return p
		}, func(f *ScreeningFacts) {}, StatusPendingApproval, RuleManualReview, ""},
		{"disabled although every other condition holds", func() Policy {
			p := screenPolicy()
			p.AutoApprove.Enabled = false
			return p
		}, func(f *ScreeningFacts) {}, StatusPendingApproval, RuleManualReview, ""},
		{"referral kind auto-approved like resale", screenPolicy, func(f *ScreeningFacts) {
			f.Kind = KindReferral
		}, StatusApproved, RuleAutoApprove, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := qualifying()
			tt.facts(&f)
			got := Screen(tt.policy(), f)
			if got.Next != tt.wantNext {
				t.Errorf("Next = %q, want %q", got.Next, tt.wantNext)
			}
			if got.Rule != tt.wantRule {
				t.Errorf("Rule = %q, want %q", got.Rule, tt.wantRule)
			}
			if strings.TrimSpace(got.Reason) == "" {
				t.Errorf("Reason is empty for %+v", got)
			}
			if tt.reasonHas != "" && !strings.Contains(got.Reason, tt.reasonHas) {
				t.Errorf("Reason = %q, want it to mention %q", got.Reason, tt.reasonHas)
			}
		})
	}
}

// TestScreenOutcomesAreLegalMoves proves every status Screen sends a registration to is a move the lifecycle allows from screening.
func TestScreenOutcomesAreLegalMoves(t *testing.T) {
	for _, next := range []Status{StatusRejected, StatusConflictReview, StatusApproved, StatusPendingApproval} {
		if !StatusScreening.CanMoveTo(next) {
			t.Errorf("screening cannot move to %q, yet Screen sends deals there", next)
		}
	}
}

// TestScreenDoesNotChangeItsInputs proves Screen leaves the policy and facts it is given unchanged.
func TestScreenDoesNotChangeItsInputs(t *testing.T) {
	p := screenPolicy()
	f := qualifying()
	f.Conflicts = []Conflict{oneConflict[0]}
	Screen(p, f)
	if !reflect.DeepEqual(p, screenPolicy()) {
		t.Error("Screen changed the policy")
	}
	if f.Tier != "gold" || len(f.Conflicts) != 1 || f.Conflicts[0] != oneConflict[0] {
		t.Errorf("Screen changed the facts: %+v", f)
	}
}
