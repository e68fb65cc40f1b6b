package domain

import (
	"encoding/csv"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
)

// CouldMatch never says no to a pair FindMatch matches: every labeled
// pair, and each side against others with their domains and countries
// shuffled (so that every relation meets every country), is checked.
func TestCouldMatchNeverMissesAMatch(t *testing.T) {
	f, err := os.Open("testdata/conflict-labeled.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	rows = rows[1:]
	var as, bs []Party
	for _, r := range rows {
		as, bs = append(as, NewParty(r[0], r[1], r[2], nil)), append(bs, NewParty(r[3], r[4], r[5], nil))
	}
	countries := []string{"", "US", "DE", "FR"}
	domains := []string{"", "gmail.com", "acme.com", "acme.de", "globex.com"}
	rnd := rand.New(rand.NewPCG(3, 5))
	var pairs, skipped, matched int
	check := func(a, b Party) {
		pairs++
		could := CouldMatch(&a, &b, DefaultMatchThresholds)
		if !could {
			skipped++
		}
		if _, ok := FindMatch(a, b, DefaultMatchThresholds); ok {
			matched++
			if !could {
				t.Errorf("CouldMatch says no to a match: %+v | %+v", a, b)
			}
		}
	}
	for i := range as {
		check(as[i], bs[i])
		for range 4 {
			a, b := as[i], bs[i]
			if rnd.IntN(2) == 0 {
				b = bs[rnd.IntN(len(bs))]
			}
			a.Country, b.Country = countries[rnd.IntN(len(countries))], countries[rnd.IntN(len(countries))]
			a.Registrable, b.Registrable = domains[rnd.IntN(len(domains))], domains[rnd.IntN(len(domains))]
			check(a, b)
		}
	}
	if skipped == 0 || matched == 0 {
		t.Fatalf("%d pairs, %d skipped, %d matched: the sample proves nothing", pairs, skipped, matched)
	}
	t.Logf("%d pairs, %d skipped by CouldMatch, %d matched", pairs, skipped, matched)
}

// A party prepared into reused memory compares as one prepared afresh,
// and the trigrams and words are those of the straightforward code.
func TestPrepareInReusesMemory(t *testing.T) {
	names := []string{"Acme Corp", "Greenfeild  Farms\tLtd", "Ünïcödé Straße GmbH", "", "x", "North Wind", "a b c d e f g h"}
	var s Prepared
	var arena PrepareArena
	var kept []Party // prepared in the arena, compared again at the end
	for _, an := range names {
		for _, bn := range names {
			a, b := NewParty(an, "", "US", nil), NewParty(bn, "", "US", nil)
			want := Compare(a, b, DefaultMatchThresholds)
			b.PrepareIn(&s)
			if got := Compare(a, b, DefaultMatchThresholds); got.Score != want.Score || got.Explanation != want.Explanation {
				t.Errorf("%q | %q: prepared %v, afresh %v", an, bn, got, want)
			}
			a.PrepareWith(&arena)
			kept = append(kept, a, b)
		}
	}
	for i := 0; i < len(kept); i += 2 {
		a, b := kept[i], kept[i+1]
		a.prepared, b.prepared = nil, nil // unprepared copies
		want := Compare(a, b, DefaultMatchThresholds)
		b.PrepareIn(&s)
		if got := Compare(kept[i], b, DefaultMatchThresholds); got.Score != want.Score || got.Explanation != want.Explanation {
			t.Errorf("%q | %q: arena-prepared %v, afresh %v", a.Name.Full, b.Name.Full, got, want)
		}
	}
	for _, n := range append(names, " lead and trail ", "tab\tand\u00a0nbsp") {
		if got, want := appendFields(nil, n), strings.Fields(n); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("appendFields(%q) = %q, want %q", n, got, want)
		}
		var want []uint64
		for _, w := range strings.Fields(n) {
			a, b := rune(' '), rune(' ')
			for _, c := range w + " " {
				want = append(want, uint64(a)<<42|uint64(b)<<21|uint64(c))
				a, b = b, c
			}
		}
		slices.Sort(want)
		want = slices.Compact(want)
		if got := packedTrigrams(n, nil); !slices.Equal(got, want) {
			t.Errorf("packedTrigrams(%q) = %v, want %v", n, got, want)
		}
	}
}
