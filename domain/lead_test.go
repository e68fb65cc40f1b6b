package domain

import (
	"fmt"
	"testing"
	"time"
)

func cand(id string, weight int) LeadCandidate {
	return LeadCandidate{PartnerID: id, Type: PartnerReseller, Tier: "gold", Capacity: 1000, Weight: weight}
}

// The first rule that takes a lead decides; its partner filters, coverage,
// capacity and the partners already tried narrow the choice.
func TestRouteChoosesByFirstMatchingRule(t *testing.T) {
	rules := []RoutingRule{
		{Name: "emea-security", Countries: []string{"DE", "FR"}, ProductLines: []string{"firewall"}, MinTier: "gold"},
		{Name: "msp-anywhere", PartnerTypes: []PartnerType{PartnerMSP}, PartnerTags: []string{"24x7"}},
	}
	de := LeadFacts{Country: "DE", ProductLines: []string{"firewall"}}
	silver := cand("a-silver", 1)
	silver.Tier = "silver"
	full := cand("b-full", 1)
	full.Open, full.Capacity = 5, 5
	elsewhere := cand("c-us-only", 1)
	elsewhere.Countries = []string{"US"}
	ok := cand("d-ok", 1)
	got, rule := Route(rules, de, []LeadCandidate{silver, full, elsewhere, ok}, nil, 1)
	if rule != "emea-security" || fmt.Sprint(got) != "[d-ok]" {
		t.Fatalf("got %v by %q", got, rule)
	}
	if got, _ := Route(rules, de, []LeadCandidate{ok}, []string{"d-ok"}, 1); len(got) != 0 {
		t.Fatalf("a partner already tried was chosen again: %v", got)
	}
	us := LeadFacts{Country: "US", ProductLines: []string{"vpn"}}
	msp := cand("e-msp", 1)
	msp.Type, msp.Tags = PartnerMSP, []string{"24x7", "soc"}
	untagged := cand("f-msp", 1)
	untagged.Type = PartnerMSP
	if got, rule := Route(rules, us, []LeadCandidate{ok, untagged, msp}, nil, 3); rule != "msp-anywhere" || fmt.Sprint(got) != "[e-msp]" {
		t.Fatalf("got %v by %q", got, rule)
	}
	if got, rule := Route(rules[:1], us, []LeadCandidate{ok}, nil, 1); got != nil || rule != "" {
		t.Fatalf("no rule takes a US lead, got %v by %q", got, rule)
	}
	tagged := RoutingRule{Name: "hot", LeadTags: []string{"hot"}}
	if tagged.Takes(LeadFacts{Tags: []string{"cold"}}) || !tagged.Takes(LeadFacts{Tags: []string{"hot", "x"}}) {
		t.Fatal("lead tags")
	}
}

// A switched-off rule is passed over: the next rule that takes the lead
// decides, and with none the lead is routed to nobody.
func TestRouteSkipsInactiveRules(t *testing.T) {
	de := LeadFacts{Country: "DE", ProductLines: []string{"firewall"}}
	msp := cand("a-msp", 1)
	msp.Type = PartnerMSP
	reseller := cand("b-reseller", 1)
	rules := []RoutingRule{
		{Name: "msp-only", PartnerTypes: []PartnerType{PartnerMSP}, Inactive: true},
		{Name: "everyone"},
	}
	if got, rule := Route(rules, de, []LeadCandidate{msp, reseller}, []string{}, 2); rule != "everyone" || len(got) != 2 {
		t.Fatalf("got %v by %q, want both by everyone", got, rule)
	}
	if got, rule := Route(rules[:1], de, []LeadCandidate{msp}, nil, 1); got != nil || rule != "" {
		t.Fatalf("an inactive rule routed %v by %q", got, rule)
	}
}

// Weighted round-robin gives each partner leads in proportion to its
// weight, never lets one wait more than a round, and broadcast picks n.
func TestWeightedRoundRobinIsFair(t *testing.T) {
	cs := []LeadCandidate{cand("a", 1), cand("b", 2), cand("c", 3)}
	counts := map[string]int{}
	var order []string
	for i := 0; i < 600; i++ {
		pick := WeightedRoundRobin(cs, 1)[0]
		order = append(order, pick)
		counts[pick]++
		for j := range cs {
			if cs[j].PartnerID == pick {
				cs[j].Assigned++
			}
		}
	}
	if counts["a"] != 100 || counts["b"] != 200 || counts["c"] != 300 {
		t.Fatalf("shares %v, want 100/200/300", counts)
	}
	// In every window of 6 leads (one round of weights 1+2+3) each partner
	// appears at least once.
	for i := 0; i+6 <= len(order); i += 6 {
		seen := map[string]bool{}
		for _, p := range order[i : i+6] {
			seen[p] = true
		}
		if len(seen) != 3 {
			t.Fatalf("round %d: %v", i/6, order[i:i+6])
		}
	}
	if got := WeightedRoundRobin([]LeadCandidate{cand("x", 0), cand("y", 1)}, 5); len(got) != 2 {
		t.Fatalf("broadcast to more than exist: %v", got)
	}
	if got := WeightedRoundRobin(nil, 1); len(got) != 0 {
		t.Fatalf("nobody: %v", got)
	}
}

// Attribution: the default is 90 days, first touch; last touch is a
// policy; touches outside the window (or in the future) do not count.
func TestAttribution(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	touches := []Touch{
		{Code: "old", PartnerID: "p0", At: now.AddDate(0, 0, -91)},
		{Code: "first", PartnerID: "p1", At: now.AddDate(0, 0, -89)},
		{Code: "last", PartnerID: "p2", At: now.Add(-time.Hour)},
		{Code: "future", PartnerID: "p3", At: now.Add(time.Hour)},
	}
	p := DefaultLeadPolicy()
	if p.AttributionDays != 90 || p.AttributionModel != TouchFirst {
		t.Fatalf("defaults: %+v", p)
	}
	if got, ok := Attribute(p, touches, now); !ok || got.Code != "first" {
		t.Fatalf("first touch: %+v", got)
	}
	p.AttributionModel = TouchLast
	if got, ok := Attribute(p, touches, now); !ok || got.Code != "last" {
		t.Fatalf("last touch: %+v", got)
	}
	p.AttributionDays = 30
	p.AttributionModel = TouchFirst
	if got, ok := Attribute(p, touches, now); !ok || got.Code != "last" {
		t.Fatalf("30-day window: %+v", got)
	}
	if _, ok := Attribute(p, touches[:1], now); ok {
		t.Fatal("a touch outside the window attributed the lead")
	}
}

// A lead policy states only what differs; nonsense is refused by field.
func TestParseLeadPolicy(t *testing.T) {
	p, err := ParseLeadPolicy([]byte(`{"mode":"broadcast","accept_within":"24h","reminder_at":"12h"}`))
	if err != nil || p.Mode != RouteBroadcast || p.AcceptWithin.D() != 24*time.Hour || p.FirstContactWithin.D() != 120*time.Hour || p.MaxOffers != 3 {
		t.Fatalf("%+v %v", p, err)
	}
	if _, err := ParseLeadPolicy([]byte(`{"mode":"lottery"}`)); err == nil {
		t.Fatal("unknown mode accepted")
	}
	if _, err := ParseLeadPolicy([]byte(`{"accept_within":"1h","reminder_at":"2h"}`)); err == nil {
		t.Fatal("reminder after the deadline accepted")
	}
	if _, err := ParseLeadPolicy([]byte(`{"surprise":1}`)); err == nil {
		t.Fatal("unknown field accepted")
	}
}

// A vendor-sourced registration is approved without a kind rule, but a
// conflict still sends it to review.
func TestScreenVendorSourced(t *testing.T) {
	p := DefaultPolicy()
	f := ScreeningFacts{PartnerType: PartnerAgent, Tier: "registered", Kind: KindVendorSourced, Amount: 1, Currency: "USD"}
	if out := Screen(p, f); out.Next != StatusApproved || out.Rule != RuleVendorSourced {
		t.Fatalf("%+v", out)
	}
	f.Conflicts = []Conflict{{Source: SourceRegistration, ID: "x", Class: MatchLikely}}
	if out := Screen(p, f); out.Next != StatusConflictReview {
		t.Fatalf("%+v", out)
	}
}
