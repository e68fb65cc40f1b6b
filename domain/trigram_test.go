package domain

import "testing"

// TestTrigramSimilarityAgreesWithSets checks the merged, packed form
// against the plain set definition, divided in single precision as
// pg_trgm divides.
func TestTrigramSimilarityAgreesWithSets(t *testing.T) {
	byMaps := func(a, b string) float64 {
		ta, tb := Trigrams(a), Trigrams(b)
		if len(ta) == 0 || len(tb) == 0 {
			return 0
		}
		shared := 0
		for k := range ta {
			if _, ok := tb[k]; ok {
				shared++
			}
		}
		return float64(float32(shared) / float32(len(ta)+len(tb)-shared))
	}
	pairs := [][2]string{
		{"acme", "acme"}, {"acme corp", "acme"}, {"delta air lines", "delta dental"}, {"", "x"},
		{"müller bäckerei", "muller backerei"}, {"aaa aaa", "aaa"}, {"東京 電力", "東京電力"}, {"a b c", "abc"},
		{"greenfield farms", "greenfeild farms"}, {"x", "x"},
	}
	for _, p := range pairs {
		if got, want := TrigramSimilarity(p[0], p[1]), byMaps(p[0], p[1]); got != want {
			t.Errorf("TrigramSimilarity(%q, %q) = %v, want %v", p[0], p[1], got, want)
		}
	}
}

func BenchmarkTrigramSimilarity(b *testing.B) {
	for b.Loop() {
		TrigramSimilarity("greenfield farms supply", "greenfeild farm supplies")
	}
}

// A prepared party compares exactly as an unprepared one.
func TestPreparedPartyComparesAlike(t *testing.T) {
	names := []string{"Acme Corp", "ACME Corporation", "Acme Labs", "Greenfield Farms", "Greenfeild Farms LLC", "Blue Harbor Logistics",
		"Blue Harbour Logistic", "東京電力 株式会社", "Müller Bäckerei GmbH", "Muller Backerei", "Northwind", "North Wind Traders", ""}
	for _, a := range names {
		for _, b := range names {
			pa, pb := NewParty(a, "", "US", nil), NewParty(b, "", "", nil)
			want := Compare(pa, pb, DefaultMatchThresholds)
			pa.Prepare()
			pb.Prepare()
			if got := Compare(pa, pb, DefaultMatchThresholds); got.Score != want.Score || got.Explanation != want.Explanation {
				t.Errorf("%q | %q: prepared %v %q, unprepared %v %q", a, b, got.Score, got.Explanation, want.Score, want.Explanation)
			}
		}
	}
}

// Preparing a party again after its name changed prepares the new name,
// as the account map does with the one party it reads rows into.
func TestPartyPreparedAgain(t *testing.T) {
	other := NewParty("Initech", "", "", nil)
	p := NewParty("Initech Group", "", "", nil)
	p.Prepare()
	p.Name = NormalizeName("Globex Corporation")
	p.Prepare()
	if got, want := Compare(p, other, DefaultMatchThresholds), Compare(NewParty("Globex Corporation", "", "", nil), other, DefaultMatchThresholds); got.Score != want.Score || got.Explanation != want.Explanation {
		t.Fatalf("prepared again: %v %q, want %v %q", got.Score, got.Explanation, want.Score, want.Explanation)
	}
}
