package domain

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Who sourced a won deal.
const (
	// SourcedByPartner: the partner found the deal (its own registration,
	// a referral).
	SourcedByPartner = "partner"
	// SourcedByVendor: the vendor passed it (a lead a partner accepted,
	// a shared opportunity).
	SourcedByVendor = "vendor"
)

// What influenced a won deal: the kinds of a deal attribution's influences.
const (
	// InfluenceCoSell is a co-sell engagement on the deal that its seller
	// accepted.
	InfluenceCoSell = "cosell_engagement"
	// InfluenceSharedOpportunity is a vendor opportunity shared with the
	// partner, which it accepted.
	InfluenceSharedOpportunity = "shared_opportunity"
	// InfluenceLead is the lead the deal's registration came from.
	InfluenceLead = "lead"
	// InfluenceReferralClick is the click on a referral link that brought
	// that lead.
	InfluenceReferralClick = "referral_click"
)

// InfluenceKinds lists every kind of influence.
var InfluenceKinds = []string{InfluenceCoSell, InfluenceSharedOpportunity, InfluenceLead, InfluenceReferralClick}

// DealAttribution is who sourced a won deal and the kinds of what
// influenced it, as recorded when it was won (deal_attributions).
type DealAttribution struct {
	SourcedBy    string   `json:"sourced_by"`
	InfluencedBy []string `json:"influenced_by,omitempty"`
}

// SourcedBy says who sourced a deal of kind k with influences of the given
// kinds: the vendor when it passed the deal (a vendor_sourced registration,
// or a shared opportunity), the partner otherwise. The SQL function
// attribution_sourced_by is the same rule.
func SourcedBy(k Kind, influencedBy []string) string {
	if k == KindVendorSourced || slices.Contains(influencedBy, InfluenceSharedOpportunity) {
		return SourcedByVendor
	}
	return SourcedByPartner
}

// AttributionFilter limits an incentive program to won deals by their
// attribution. Each list is "any of"; an empty list admits anything; a
// deal qualifies when it passes both. A program with a filter considers,
// besides the deals of its own kind (resale for rebates and SPIFFs,
// referral for referral programs), the vendor_sourced ones.
//
//	{"influenced_by": ["cosell_engagement", "shared_opportunity"]}  co-sold wins only
//	{"sourced_by": ["partner"]}                                     no vendor-sourced deal
//	{"influenced_by": ["lead"]}                                      converted leads
type AttributionFilter struct {
	// SourcedBy admits deals sourced by any of these ("partner", "vendor").
	SourcedBy []string `json:"sourced_by,omitempty"`
	// InfluencedBy admits deals with at least one influence of any of
	// these kinds (InfluenceKinds).
	InfluencedBy []string `json:"influenced_by,omitempty"`
}

// validate lists what is wrong with f, as "field: problem" texts under
// prefix.
func (f *AttributionFilter) validate(prefix string) []string {
	var errs []string
	if len(f.SourcedBy) == 0 && len(f.InfluencedBy) == 0 {
		errs = append(errs, prefix+": must name sourced_by or influenced_by")
	}
	seen := map[string]bool{}
	for i, s := range f.SourcedBy {
		switch {
		case s != SourcedByPartner && s != SourcedByVendor:
			errs = append(errs, fmt.Sprintf("%s.sourced_by[%d]: must be partner or vendor", prefix, i))
		case seen["s:"+s]:
			errs = append(errs, fmt.Sprintf("%s.sourced_by[%d]: %s is listed twice", prefix, i, s))
		}
		seen["s:"+s] = true
	}
	for i, k := range f.InfluencedBy {
		switch {
		case !slices.Contains(InfluenceKinds, k):
			errs = append(errs, fmt.Sprintf("%s.influenced_by[%d]: must be one of %s", prefix, i, strings.Join(InfluenceKinds, ", ")))
		case seen["i:"+k]:
			errs = append(errs, fmt.Sprintf("%s.influenced_by[%d]: %s is listed twice", prefix, i, k))
		}
		seen["i:"+k] = true
	}
	return errs
}

// Admits reports whether a deal with attribution a passes the filter.
func (f *AttributionFilter) Admits(a DealAttribution) bool {
	if len(f.SourcedBy) > 0 && !slices.Contains(f.SourcedBy, a.SourcedBy) {
		return false
	}
	if len(f.InfluencedBy) == 0 {
		return true
	}
	for _, k := range a.InfluencedBy {
		if slices.Contains(f.InfluencedBy, k) {
			return true
		}
	}
	return false
}

// CoversDeal reports whether a program of kind pk with rules r considers a
// won deal of kind dk attributed as a: of the program's own deal kind
// (resale, or referral for a referral program) or, when r has an
// attribution filter, vendor_sourced too; and admitted by that filter.
// Product lines and dates are judged apart (AppliesTo, the freeze window).
func (r IncentiveRules) CoversDeal(pk IncentiveKind, dk Kind, a DealAttribution) bool {
	own := KindResale
	if pk == IncentiveReferral {
		own = KindReferral
	}
	if r.Attribution == nil {
		return dk == own
	}
	return (dk == own || dk == KindVendorSourced) && r.Attribution.Admits(a)
}

// Influence is one thing that influenced a won deal, with its evidence as
// recorded (a JSON object: ids, who accepted, codes, touch times).
type Influence struct {
	Kind       string          `json:"kind"`
	RefID      string          `json:"ref_id"`
	OccurredAt *time.Time      `json:"occurred_at,omitempty"`
	Evidence   json.RawMessage `json:"evidence"`
}

// DescribeInfluence says in words what an influence is, from its
// evidence: "co-sell engagement E (proof_of_concept) accepted by Sam
// Seller (sam@vendor.example) on 2026-05-01", "lead L from referral code X,
// first touch 2026-04-02 10:00 UTC", "referral click 42 on code X at ...".
func DescribeInfluence(in Influence) string {
	var ev map[string]any
	_ = json.Unmarshal(in.Evidence, &ev)
	str := func(k string) string {
		if v, ok := ev[k].(string); ok {
			return v
		}
		return ""
	}
	when := func(k string) string {
		t, err := time.Parse(time.RFC3339Nano, str(k))
		if err != nil {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	}
	switch in.Kind {
	case InfluenceCoSell:
		s := "co-sell engagement " + in.RefID
		if t := str("type"); t != "" {
			s += " (" + t + ")"
		}
		if by := str("accepted_by"); by != "" {
			s += " accepted by " + by
			if e := str("seller_email"); e != "" && e != by {
				s += " (" + e + ")"
			}
		} else if e := str("seller_email"); e != "" {
			s += " accepted by " + e
		}
		if w := when("accepted_at"); w != "" {
			s += " on " + w
		}
		return s
	case InfluenceSharedOpportunity:
		s := "shared opportunity " + in.RefID
		if e := str("seller_email"); e != "" {
			s += " from seller " + e
		}
		if w := when("accepted_at"); w != "" {
			s += " accepted on " + w
		}
		return s
	case InfluenceLead:
		s := "lead " + in.RefID
		if other, _ := ev["other_partner"].(bool); other {
			s += " from another partner's referral link"
		} else if c := str("referral_code"); c != "" {
			s += " from referral code " + c
		} else if src := str("source"); src != "" {
			s += " (" + src + ")"
		}
		if w := when("touched_at"); w != "" {
			s += ", touch " + w
		}
		return s
	case InfluenceReferralClick:
		s := "referral click " + in.RefID
		if other, _ := ev["other_partner"].(bool); other {
			s += " on another partner's referral link"
		} else if c := str("code"); c != "" {
			s += " on code " + c
		}
		if w := when("clicked_at"); w != "" {
			s += " at " + w
		}
		return s
	}
	return in.Kind + " " + in.RefID
}

// DescribeAttribution says in one line who sourced a deal and what
// influenced it: "sourced by partner; co-sell engagement E ... accepted by
// S on ...; lead L ...".
func DescribeAttribution(sourcedBy string, influences []Influence) string {
	parts := []string{"sourced by " + sourcedBy}
	for _, in := range influences {
		parts = append(parts, DescribeInfluence(in))
	}
	if len(influences) == 0 {
		parts = append(parts, "no influence recorded")
	}
	return strings.Join(parts, "; ")
}
