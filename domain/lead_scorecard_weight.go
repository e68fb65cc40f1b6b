package domain

import "time"

// Lead routing weightings (LeadPolicy.Weighting).
const (
	// WeightStatic routes by the partners' profile weights alone.
	WeightStatic = "static"
	// WeightScorecard scales each partner's profile weight by its lead
	// scorecard (ScorecardWeight).
	WeightScorecard = "scorecard"
)

// LeadScore is the part of a partner's lead scorecard routing looks at.
type LeadScore struct {
	Offered  int `json:"offered"`
	Accepted int `json:"accepted"`
	// Won counts the vendor-sourced registrations it won.
	Won int `json:"won"`
	// MedianToAccept is the median time from offer to acceptance.
	MedianToAccept time.Duration `json:"median_to_accept"`
}

// ScorecardMinOffers is how many offers a partner's scorecard needs
// before it moves the partner's weight: below it, the partner keeps a
// neutral factor (1×), so a newcomer is neither favored nor starved.
const ScorecardMinOffers = 5

// ScorecardWeight is a partner's round-robin weight under scorecard
// weighting: its profile weight times a factor from 0.5× to 2× its
// scorecard earns, in thousandths so the stride scheduler keeps integer
// arithmetic:
//
//	acceptance a = accepted / offered                      (0..1)
//	conversion c = won / accepted (0 with no acceptance)    (0..1)
//	speed      s = 1 − min(median to accept, acceptWithin) / acceptWithin (0..1)
//	score        = (2a + 2c + s) / 5                        (0..1)
//	weight       = base × (500 + 1500 × score)              (base × 500 .. base × 2000)
//
// each ratio taken in whole thousandths, rounded down. With fewer than
// ScorecardMinOffers offers the factor is neutral: base × 1000. A base
// below 1 counts as 1. Pure and deterministic: the same inputs give the
// same weight.
func ScorecardWeight(base int, s LeadScore, acceptWithin time.Duration) int {
	if base < 1 {
		base = 1
	}
	if s.Offered < ScorecardMinOffers || acceptWithin <= 0 {
		return base * 1000
	}
	a := permille(s.Accepted, s.Offered)
	c := 0
	if s.Accepted > 0 {
		c = permille(s.Won, s.Accepted)
	}
	med := min(max(s.MedianToAccept, 0), acceptWithin)
	sp := 1000 - int(int64(med)*1000/int64(acceptWithin))
	if s.Accepted == 0 {
		sp = 0 // no acceptance: no speed to credit
	}
	score := (2*a + 2*c + sp) / 5
	return base * (500 + 3*score/2)
}

// permille is n/d in thousandths, clamped to 0..1000.
func permille(n, d int) int {
	if d <= 0 || n <= 0 {
		return 0
	}
	return min(n*1000/d, 1000)
}

// ApplyScorecard returns cands with each weight replaced by its
// ScorecardWeight (a partner without a scorecard line is neutral).
func ApplyScorecard(cands []LeadCandidate, scores map[string]LeadScore, acceptWithin time.Duration) []LeadCandidate {
	out := make([]LeadCandidate, len(cands))
	for i, c := range cands {
		c.Weight = ScorecardWeight(c.Weight, scores[c.PartnerID], acceptWithin)
		out[i] = c
	}
	return out
}
