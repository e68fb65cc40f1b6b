package domain

import (
	"slices"
	"sort"
	"time"
)

// LeadPickHold is how long routing's pick of a partner holds room under
// its capacity before the pick's offer is recorded (the next step, moments
// later): past it, a pick whose offer never came (its workflow stopped
// between the two steps) neither counts as load nor is routed again as
// it was, but is made afresh.
const LeadPickHold = time.Hour

// LeadFacts are what routing looks at on a lead.
type LeadFacts struct {
	Country      string   `json:"country"`
	Region       string   `json:"region"`
	ProductLines []string `json:"product_lines"`
	Tags         []string `json:"tags"`
}

// RoutingRule is one of a program's lead routing rules: which leads it
// takes (countries, regions, product lines, lead tags) and which partners
// may receive them (types, minimum tier, partner tags). An empty list
// matches anything. Rules are tried in order; the first that matches the
// lead decides who is offered it.
type RoutingRule struct {
	Name         string        `json:"name"`
	Countries    []string      `json:"countries"`
	Regions      []string      `json:"regions"`
	ProductLines []string      `json:"product_lines"`
	LeadTags     []string      `json:"lead_tags"`
	PartnerTypes []PartnerType `json:"partner_types"`
	MinTier      string        `json:"min_tier"`
	PartnerTags  []string      `json:"partner_tags"`
	// Inactive keeps the rule in the program's list but has it take no
	// lead (a channel manager switched it off).
	Inactive bool `json:"inactive,omitempty"`
}

// LeadCandidate is a partner as routing sees it: its profile (what it
// covers, its capacity and weight) and its current load.
type LeadCandidate struct {
	PartnerID    string      `json:"partner_id"`
	Type         PartnerType `json:"type"`
	Tier         string      `json:"tier"`
	Countries    []string    `json:"countries"`
	ProductLines []string    `json:"product_lines"`
	Tags         []string    `json:"tags"`
	// Capacity is the most open leads the partner takes at once (0: none).
	Capacity int `json:"capacity"`
	// Open is how many leads are offered to or held by it now.
	Open int `json:"open"`
	// Weight is its share in round-robin (≥ 1).
	Weight int `json:"weight"`
	// Assigned is how many leads routing has offered it in the program so
	// far: round-robin's memory.
	Assigned int `json:"assigned"`
}

// Takes reports whether the rule takes the lead.
func (r RoutingRule) Takes(l LeadFacts) bool {
	return anyOrIn(r.Countries, l.Country) && anyOrIn(r.Regions, l.Region) &&
		anyOrOverlap(r.ProductLines, l.ProductLines) && containsAll(l.Tags, r.LeadTags)
}

// Admits reports whether the rule lets partner c receive lead l: its type
// and tier, its tags, what it covers, and room under its capacity.
func (r RoutingRule) Admits(c LeadCandidate, l LeadFacts) bool {
	return (len(r.PartnerTypes) == 0 || slices.Contains(r.PartnerTypes, c.Type)) &&
		(r.MinTier == "" || TierRank(c.Tier) >= TierRank(r.MinTier)) &&
		containsAll(c.Tags, r.PartnerTags) &&
		anyOrIn(c.Countries, l.Country) && anyOrOverlap(c.ProductLines, l.ProductLines) &&
		c.Open < c.Capacity
}

// Route chooses who is offered lead l: the first rule that takes it names
// the eligible partners (minus those in tried), and up to n of them are
// chosen by weighted round-robin (n is 1 for round-robin, the policy's
// BroadcastTo for broadcast). It returns the chosen partners' ids and the
// rule's name; none when no rule takes the lead or nobody is eligible.
func Route(rules []RoutingRule, l LeadFacts, cands []LeadCandidate, tried []string, n int) ([]string, string) {
	for _, r := range rules {
		if r.Inactive || !r.Takes(l) {
			continue
		}
		var ok []LeadCandidate
		for _, c := range cands {
			if r.Admits(c, l) && !slices.Contains(tried, c.PartnerID) {
				ok = append(ok, c)
			}
		}
		return WeightedRoundRobin(ok, n), r.Name
	}
	return nil, ""
}

// WeightedRoundRobin picks n partners (or all, if fewer) in round-robin
// order weighted by Weight: the next is the one whose share would stay the
// lowest after one more lead, (Assigned+1)/Weight (stride scheduling), so
// over many leads each partner receives leads in proportion to its weight,
// and no partner waits more than a round for its turn. Ties go to the
// partner with fewer leads so far, then to the smaller id, so the choice is
// deterministic.
func WeightedRoundRobin(cands []LeadCandidate, n int) []string {
	c := slices.Clone(cands)
	for i := range c {
		if c[i].Weight < 1 {
			c[i].Weight = 1
		}
	}
	sort.Slice(c, func(i, j int) bool {
		a, b := c[i], c[j]
		// (a.Assigned+1)/a.Weight < (b.Assigned+1)/b.Weight, in integers.
		l, r := int64(a.Assigned+1)*int64(b.Weight), int64(b.Assigned+1)*int64(a.Weight)
		if l != r {
			return l < r
		}
		if a.Assigned != b.Assigned {
			return a.Assigned < b.Assigned
		}
		return a.PartnerID < b.PartnerID
	})
	if n > len(c) {
		n = len(c)
	}
	out := make([]string, 0, n)
	for _, x := range c[:n] {
		out = append(out, x.PartnerID)
	}
	return out
}

func anyOrIn(list []string, v string) bool { return len(list) == 0 || slices.Contains(list, v) }

func anyOrOverlap(list, vs []string) bool {
	if len(list) == 0 {
		return true
	}
	for _, v := range vs {
		if slices.Contains(list, v) {
			return true
		}
	}
	return false
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}
