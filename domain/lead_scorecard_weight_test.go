package domain

import (
	"testing"
	"time"
)

func TestScorecardWeight(t *testing.T) {
	const within = 48 * time.Hour
	for _, tc := range []struct {
		name string
		base int
		s    LeadScore
		want int
	}{
		{"no history: neutral", 1, LeadScore{}, 1000},
		{"too few offers: neutral", 3, LeadScore{Offered: 4, Accepted: 4, Won: 4}, 3000},
		{"base below 1 counts as 1", 0, LeadScore{}, 1000},
		{"never accepts: floor", 1, LeadScore{Offered: 10}, 500},
		{"perfect and instant: ceiling", 1, LeadScore{Offered: 10, Accepted: 10, Won: 10}, 2000},
		{"perfect but slowest: 1.7x", 1, LeadScore{Offered: 10, Accepted: 10, Won: 10, MedianToAccept: 72 * time.Hour}, 1700},
		// a = 500, c = 0, s = 1000 - 12/48 = 750: score (1000+0+750)/5 = 350 → 500+525.
		{"half accepted, none won, 12h", 2, LeadScore{Offered: 10, Accepted: 5, MedianToAccept: 12 * time.Hour}, 2 * 1025},
		// a = 333, c = 333, s = 500: score (666+666+500)/5 = 366 → 500+549.
		{"a third accepted, a third won, 24h", 1, LeadScore{Offered: 9, Accepted: 3, Won: 1, MedianToAccept: 24 * time.Hour}, 1049},
		{"won more than accepted is clamped", 1, LeadScore{Offered: 5, Accepted: 5, Won: 9}, 2000},
		{"negative median counts as instant", 1, LeadScore{Offered: 5, Accepted: 5, Won: 5, MedianToAccept: -time.Hour}, 2000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.want
			if got := ScorecardWeight(tc.base, tc.s, within); got != want {
				t.Fatalf("ScorecardWeight(%d, %+v) = %d, want %d", tc.base, tc.s, got, want)
			}
			if again := ScorecardWeight(tc.base, tc.s, within); again != want {
				t.Fatal("not deterministic")
			}
		})
	}
}

// Under scorecard weighting a stronger partner receives proportionally
// more leads, and the weaker one still gets its turn.
func TestScorecardWeightingRoutesByScore(t *testing.T) {
	cands := []LeadCandidate{{PartnerID: "strong", Weight: 1}, {PartnerID: "weak", Weight: 1}}
	cands = ApplyScorecard(cands, map[string]LeadScore{
		"strong": {Offered: 10, Accepted: 10, Won: 10},
		"weak":   {Offered: 10},
	}, 48*time.Hour)
	got := map[string]int{}
	for range 500 {
		p := WeightedRoundRobin(cands, 1)[0]
		got[p]++
		for i := range cands {
			if cands[i].PartnerID == p {
				cands[i].Assigned++
			}
		}
	}
	if got["strong"] != 400 || got["weak"] != 100 {
		t.Fatalf("strong %d, weak %d: want 400/100 (weights 2000:500)", got["strong"], got["weak"])
	}
}
