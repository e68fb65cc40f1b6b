package domain

import "strings"

// Trigrams returns the set of trigrams of s the way PostgreSQL's pg_trgm
// extracts them (each word padded with two spaces before and one after), so
// that scores computed here agree with the database's % operator.
func Trigrams(s string) map[string]struct{} {
	set := map[string]struct{}{}
	for _, w := range strings.Fields(s) {
		p := "  " + w + " "
		r := []rune(p)
		for i := 0; i+3 <= len(r); i++ {
			set[string(r[i:i+3])] = struct{}{}
		}
	}
	return set
}

// TrigramSimilarity is pg_trgm's similarity(): shared trigrams over all
// distinct trigrams of both strings, from 0 (nothing shared) to 1.
func TrigramSimilarity(a, b string) float64 {
	ta, tb := Trigrams(a), Trigrams(b)
	if len(ta) == 0 || len(tb) == 0 {
		return 0
	}
	shared := 0
	for t := range ta {
		if _, ok := tb[t]; ok {
			shared++
		}
	}
	return float64(shared) / float64(len(ta)+len(tb)-shared)
}
