package domain

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// The attribution filter is validated with a field per problem, and what
// it admits is "any of" per list, both lists together.
func TestAttributionFilter(t *testing.T) {
	for _, c := range []struct {
		rules string
		want  []string // substrings of the errors, in order; none: valid
	}{
		{`{"amount":100,"per":"deal","attribution":{"influenced_by":["cosell_engagement","shared_opportunity"]}}`, nil},
		{`{"mode":"marginal","tiers":[{"above":0,"rate_bp":500}],"attribution":{"sourced_by":["partner"]}}`, nil},
		{`{"amount":100,"per":"deal","attribution":{}}`, []string{"attribution: must name sourced_by or influenced_by"}},
		{`{"amount":100,"per":"deal","attribution":{"sourced_by":["reseller"],"influenced_by":["lead","lead","handshake"]}}`,
			[]string{"attribution.sourced_by[0]: must be partner or vendor", "attribution.influenced_by[1]: lead is listed twice",
				"attribution.influenced_by[2]: must be one of"}},
		{`{"amount":100,"per":"deal","attribution":{"sourced_by":["partner"],"require":true}}`, []string{"unknown field"}},
	} {
		_, err := ParseIncentiveRules(IncentiveSpiff, []byte(c.rules))
		if strings.Contains(c.rules, "tiers") {
			_, err = ParseIncentiveRules(IncentiveRebate, []byte(c.rules))
		}
		if len(c.want) == 0 {
			if err != nil {
				t.Errorf("%s: %v", c.rules, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: accepted", c.rules)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v, want %q", c.rules, err, w)
			}
		}
	}

	cosold := AttributionFilter{InfluencedBy: []string{InfluenceCoSell, InfluenceSharedOpportunity}}
	partnerOnly := AttributionFilter{SourcedBy: []string{SourcedByPartner}}
	leads := AttributionFilter{InfluencedBy: []string{InfluenceLead}}
	both := AttributionFilter{SourcedBy: []string{SourcedByVendor}, InfluencedBy: []string{InfluenceCoSell}}
	for _, c := range []struct {
		f    AttributionFilter
		a    DealAttribution
		want bool
	}{
		{cosold, DealAttribution{SourcedBy: SourcedByPartner, InfluencedBy: []string{InfluenceCoSell}}, true},
		{cosold, DealAttribution{SourcedBy: SourcedByVendor, InfluencedBy: []string{InfluenceLead, InfluenceSharedOpportunity}}, true},
		{cosold, DealAttribution{SourcedBy: SourcedByPartner}, false},
		{cosold, DealAttribution{SourcedBy: SourcedByPartner, InfluencedBy: []string{InfluenceLead}}, false},
		{partnerOnly, DealAttribution{SourcedBy: SourcedByPartner, InfluencedBy: []string{InfluenceCoSell}}, true},
		{partnerOnly, DealAttribution{SourcedBy: SourcedByVendor}, false},
		{leads, DealAttribution{SourcedBy: SourcedByVendor, InfluencedBy: []string{InfluenceLead, InfluenceReferralClick}}, true},
		{leads, DealAttribution{SourcedBy: SourcedByPartner}, false},
		{both, DealAttribution{SourcedBy: SourcedByVendor, InfluencedBy: []string{InfluenceCoSell}}, true},
		{both, DealAttribution{SourcedBy: SourcedByPartner, InfluencedBy: []string{InfluenceCoSell}}, false},
		{both, DealAttribution{SourcedBy: SourcedByVendor}, false},
	} {
		if got := c.f.Admits(c.a); got != c.want {
			t.Errorf("%+v admits %+v = %v, want %v", c.f, c.a, got, c.want)
		}
	}

	if SourcedBy(KindVendorSourced, nil) != SourcedByVendor || SourcedBy(KindResale, []string{InfluenceSharedOpportunity}) != SourcedByVendor ||
		SourcedBy(KindResale, []string{InfluenceCoSell}) != SourcedByPartner || SourcedBy(KindReferral, nil) != SourcedByPartner {
		t.Error("SourcedBy")
	}
}

// A program without a filter covers its own deal kind only, as before;
// with one it also considers vendor-sourced deals and pays those the
// filter admits.
func TestCoversDeal(t *testing.T) {
	plain := IncentiveRules{}
	cosold := IncentiveRules{Attribution: &AttributionFilter{InfluencedBy: []string{InfluenceCoSell}}}
	partnerOnly := IncentiveRules{Attribution: &AttributionFilter{SourcedBy: []string{SourcedByPartner}}}
	leads := IncentiveRules{Attribution: &AttributionFilter{InfluencedBy: []string{InfluenceLead}}}
	co := DealAttribution{SourcedBy: SourcedByPartner, InfluencedBy: []string{InfluenceCoSell}}
	none := DealAttribution{SourcedBy: SourcedByPartner}
	vendorLead := DealAttribution{SourcedBy: SourcedByVendor, InfluencedBy: []string{InfluenceLead}}
	// A referral program paying on the leads partners brought (a converted
	// referral), not on routed leads a partner accepted (vendor-sourced).
	referredLeads := IncentiveRules{Attribution: &AttributionFilter{SourcedBy: []string{SourcedByPartner}, InfluencedBy: []string{InfluenceLead}}}
	referredLead := DealAttribution{SourcedBy: SourcedByPartner, InfluencedBy: []string{InfluenceLead, InfluenceReferralClick}}
	for _, c := range []struct {
		r    IncentiveRules
		pk   IncentiveKind
		dk   Kind
		a    DealAttribution
		want bool
	}{
		{plain, IncentiveSpiff, KindResale, none, true},
		{plain, IncentiveSpiff, KindVendorSourced, vendorLead, false},
		{plain, IncentiveReferral, KindReferral, none, true},
		{plain, IncentiveRebate, KindReferral, none, false},
		{cosold, IncentiveSpiff, KindResale, co, true},
		{cosold, IncentiveSpiff, KindResale, none, false},
		{cosold, IncentiveSpiff, KindReferral, co, false},
		{partnerOnly, IncentiveRebate, KindResale, none, true},
		{partnerOnly, IncentiveRebate, KindVendorSourced, vendorLead, false},
		{leads, IncentiveReferral, KindVendorSourced, vendorLead, true},
		{leads, IncentiveReferral, KindReferral, none, false},
		{leads, IncentiveReferral, KindReferral, referredLead, true},
		{referredLeads, IncentiveReferral, KindReferral, referredLead, true},
		{referredLeads, IncentiveReferral, KindVendorSourced, vendorLead, false},
		{referredLeads, IncentiveReferral, KindReferral, none, false},
	} {
		if got := c.r.CoversDeal(c.pk, c.dk, c.a); got != c.want {
			t.Errorf("%s program %+v, %s deal %+v: %v, want %v", c.pk, c.r.Attribution, c.dk, c.a, got, c.want)
		}
	}
}

// The oracle pays a co-sold SPIFF on the co-sold deal only, and a rebate
// that excludes vendor-sourced deals on the partner's own.
func TestIncentiveBookAttribution(t *testing.T) {
	deal := func(id string, k Kind, a DealAttribution) ReferenceDeal {
		return ReferenceDeal{ID: id, Partner: "p", Kind: k, Amount: 100_00, Currency: "USD", ProductLines: []string{"firewall"},
			Units: 1, ClosedOn: day("2030-01-10"), Attribution: a}
	}
	deals := []ReferenceDeal{
		deal("1", KindResale, DealAttribution{SourcedBy: SourcedByPartner, InfluencedBy: []string{InfluenceCoSell}}),
		deal("2", KindResale, DealAttribution{SourcedBy: SourcedByPartner}),
		deal("3", KindVendorSourced, DealAttribution{SourcedBy: SourcedByVendor, InfluencedBy: []string{InfluenceLead, InfluenceCoSell}}),
	}
	jan := Period{day("2030-01-01"), day("2030-02-01")}
	spiff := IncentiveRules{Amount: 50_00, Per: SpiffPerDeal, Attribution: &AttributionFilter{InfluencedBy: []string{InfluenceCoSell}}}
	c := mustCycle(t, NewIncentiveBook(IncentiveSpiff, "USD", day("2030-01-01")), jan, spiff, deals)
	if ids := wonIDs(c); ids != "1,3" || c.Lines[0].Amount != 100_00 {
		t.Fatalf("co-sold SPIFF froze %s, lines %+v", ids, c.Lines)
	}
	rebate := IncentiveRules{Mode: RebateModeRetroactive, Tiers: []RebateTier{{Above: 0, RateBP: 1000}},
		Attribution: &AttributionFilter{SourcedBy: []string{SourcedByPartner}}}
	c = mustCycle(t, NewIncentiveBook(IncentiveRebate, "USD", day("2030-01-01")), jan, rebate, deals)
	if ids := wonIDs(c); ids != "1,2" || c.Lines[0].Amount != 20_00 {
		t.Fatalf("partner-sourced rebate froze %s, lines %+v", ids, c.Lines)
	}
}

func wonIDs(c CycleAccrual) string {
	var ids []string
	for _, w := range c.Won {
		ids = append(ids, w.ID)
	}
	return strings.Join(ids, ",")
}

// Influences and attributions read in words, from their evidence.
func TestDescribeAttribution(t *testing.T) {
	at := time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC)
	ev := func(m map[string]any) json.RawMessage { b, _ := json.Marshal(m); return b }
	got := DescribeAttribution(SourcedByPartner, []Influence{
		{Kind: InfluenceCoSell, RefID: "E1", Evidence: ev(map[string]any{"type": "proof_of_concept", "accepted_by": "Sam Seller",
			"seller_email": "sam@vendor.example", "accepted_at": at})},
		{Kind: InfluenceLead, RefID: "L1", Evidence: ev(map[string]any{"referral_code": "abc123", "touched_at": at, "source": "form"})},
		{Kind: InfluenceReferralClick, RefID: "42", Evidence: ev(map[string]any{"code": "abc123", "clicked_at": at})},
	})
	want := "sourced by partner; co-sell engagement E1 (proof_of_concept) accepted by Sam Seller (sam@vendor.example) on 2026-05-01 09:30 UTC; " +
		"lead L1 from referral code abc123, touch 2026-05-01 09:30 UTC; referral click 42 on code abc123 at 2026-05-01 09:30 UTC"
	if got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	if got := DescribeAttribution(SourcedByVendor, nil); got != "sourced by vendor; no influence recorded" {
		t.Fatalf("no influence: %q", got)
	}
}
