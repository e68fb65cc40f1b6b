package domain

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// CouldMatch never says no to a pair FindMatch matches, and
// FindMatchScreened finds what FindMatch finds: every labeled pair, and
// each side against others with their domains and countries shuffled (so
// that every relation meets every country), is checked.
func TestCouldMatchNeverMissesAMatch(t *testing.T) {
	rows := labeledPairs(t)
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
		m, ok := FindMatch(a, b, DefaultMatchThresholds)
		if ok {
			matched++
			if !could {
				t.Errorf("CouldMatch says no to a match: %+v | %+v", a, b)
			}
		}
		sa, sb := NewMatchScreen(&a), NewMatchScreen(&b)
		if ms, oks := FindMatchScreened(&a, &b, &sa, &sb, DefaultMatchThresholds); oks != ok || ok && !reflect.DeepEqual(ms, m) {
			t.Errorf("FindMatchScreened %v %+v, FindMatch %v %+v: %+v | %+v", oks, ms, ok, m, a, b)
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

// FindMatch, which stops comparing names that cannot make a match,
// finds exactly the matches Compare classes as such, with the same score
// and explanation: every labeled pair, and pairs of the labeled names with
// typing slips, under every relation of domains, countries and product
// lines.
func TestFindMatchIsCompare(t *testing.T) {
	rows := labeledPairs(t)
	rnd := rand.New(rand.NewPCG(7, 11))
	slip := func(s string) string {
		r := []rune(s)
		if len(r) < 2 {
			return s
		}
		i := rnd.IntN(len(r) - 1)
		switch rnd.IntN(4) {
		case 0:
			r[i], r[i+1] = r[i+1], r[i]
		case 1:
			r = append(r[:i], r[i+1:]...)
		case 2:
			r[i] = 'a' + rune(rnd.IntN(26))
		default:
			r = append(r[:i], append([]rune{'e'}, r[i:]...)...)
		}
		return string(r)
	}
	countries := []string{"", "US", "DE"}
	domains := []string{"", "gmail.com", "acme.com", "acme.de", "globex.com"}
	lines := [][]string{nil, {"analytics"}, {"security"}, {"analytics", "security"}}
	var pairs, matched, pruned int
	for _, r := range rows {
		for k := range 12 {
			an, bn := r[0], r[3]
			if k%3 == 1 {
				bn = slip(an)
			} else if k%3 == 2 {
				bn = slip(slip(bn))
			}
			a, b := NewParty(an, r[1], r[2], nil), NewParty(bn, r[4], r[5], nil)
			if k > 0 {
				a.Country, b.Country = countries[rnd.IntN(len(countries))], countries[rnd.IntN(len(countries))]
				a.Registrable, b.Registrable = domains[rnd.IntN(len(domains))], domains[rnd.IntN(len(domains))]
				a.ProductLines, b.ProductLines = lines[rnd.IntN(len(lines))], lines[rnd.IntN(len(lines))]
			}
			if k%2 == 1 {
				b.Prepare()
			}
			pairs++
			want := Compare(a, b, DefaultMatchThresholds)
			got, ok := FindMatch(a, b, DefaultMatchThresholds)
			if ok != (want.Class != MatchNone) || ok && (got.Score != want.Score || got.Class != want.Class || got.Explanation != want.Explanation) {
				t.Fatalf("%+v | %+v: FindMatch %v %+v, Compare %+v", a, b, ok, got, want)
			}
			if ok {
				matched++
			}
			if !ok && got.Score == 0 && want.Score > 0 {
				pruned++ // stopped before the names' end
			}
		}
	}
	if matched == 0 || matched == pairs || pruned == 0 {
		t.Fatalf("%d pairs, %d matched, %d pruned: the sample proves nothing", pairs, matched, pruned)
	}
	t.Logf("%d pairs, %d matched, %d pruned", pairs, matched, pruned)
}

// typoBound is never below typoSimilarity, for words of every length
// apart and every kind of slip, in any script.
func TestTypoBoundBoundsTypoSimilarity(t *testing.T) {
	words := []string{"greenfield", "greenfeild", "grenfield", "greenfields", "harbor", "harbour", "freight", "fright",
		"straße", "strasse", "ünïcödé", "unicode", "acme", "acne", "northwind", "northwinds", "x", "", "solutions", "solution"}
	for _, a := range words {
		for _, b := range words {
			for _, pair := range [][2][]string{{{a}, {b}}, {{a, "dental"}, {b, "dental"}}, {{"phoenix", a}, {"phoenix", b}}} {
				if s, ub := typoSimilarity(pair[0], pair[1]), typoBound(pair[0], pair[1]); ub < s {
					t.Errorf("%q | %q: typoBound %v < typoSimilarity %v", pair[0], pair[1], ub, s)
				}
			}
		}
	}
}

// sameSqueezed is the comparison of the names without their spaces, with
// parties prepared or not: every labeled pair, and names that differ only
// in spaces, leading, trailing and doubled ones included.
func TestSameSqueezedIsReplaceAll(t *testing.T) {
	names := [][2]string{{"north wind", "northwind"}, {" north  wind ", "northwind"}, {"", " "}, {"", ""}, {"a", ""},
		{"ab", "a b "}, {"ab", "abc"}, {"abc", "ab"}, {"a bc", "ab d"}, {"acme", "acme"}}
	for _, r := range labeledPairs(t) {
		names = append(names, [2]string{NormalizeName(r[0]).Full, NormalizeName(r[3]).Full})
	}
	for _, n := range names {
		want := strings.ReplaceAll(n[0], " ", "") == strings.ReplaceAll(n[1], " ", "")
		for _, prepare := range []bool{false, true} {
			a, b := Party{Name: CompanyName{Full: n[0], Core: n[0]}}, Party{Name: CompanyName{Full: n[1], Core: n[1]}}
			if prepare {
				a.Prepare()
				b.Prepare()
			}
			if got := sameSqueezed(&a, &b); got != want {
				t.Errorf("sameSqueezed(%q, %q) prepared %v = %v, want %v", n[0], n[1], prepare, got, want)
			}
		}
	}
}
