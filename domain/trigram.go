package domain

import (
	"slices"
	"strings"
	"unicode"
)

// Trigrams returns the set of trigrams of s the way PostgreSQL's pg_trgm
// extracts them (each word padded with two spaces before and one after), so
// that scores computed here agree with the database's % operator.
func Trigrams(s string) map[string]struct{} {
	set := map[string]struct{}{}
	for _, w := range strings.Fields(s) {
		r := []rune("  " + w + " ")
		for i := 0; i+3 <= len(r); i++ {
			set[string(r[i:i+3])] = struct{}{}
		}
	}
	return set
}

// packedTrigrams returns the trigrams of s as sorted, distinct numbers
// (three 21-bit code points each): the same set as Trigrams, in a form
// that compares by merging instead of hashing, since scoring compares
// every candidate's name.
func packedTrigrams(s string, buf []uint64) []uint64 {
	out := buf[:0]
	// Word by word (as strings.Fields splits), each padded with two
	// spaces before and one after, without allocating.
	var a, b rune
	inWord := false
	for _, c := range s {
		if unicode.IsSpace(c) {
			if inWord {
				out = append(out, uint64(a)<<42|uint64(b)<<21|uint64(' '))
				inWord = false
			}
			continue
		}
		if !inWord {
			a, b, inWord = ' ', ' ', true
		}
		out = append(out, uint64(a)<<42|uint64(b)<<21|uint64(c))
		a, b = b, c
	}
	if inWord {
		out = append(out, uint64(a)<<42|uint64(b)<<21|uint64(' '))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TrigramSimilarity is pg_trgm's similarity(): shared trigrams over all
// distinct trigrams of both strings, from 0 (nothing shared) to 1, in
// single precision as pg_trgm divides, so that a score computed here
// equals the database's to the last bit.
func TrigramSimilarity(a, b string) float64 { return float64(trigramSimilarity32(a, b)) }

func trigramSimilarity32(a, b string) float32 {
	var ba, bb [64]uint64
	return packedSimilarity(packedTrigrams(a, ba[:]), packedTrigrams(b, bb[:]))
}

// packedSimilarity is trigramSimilarity32 of two packedTrigrams sets.
func packedSimilarity(ta, tb []uint64) float32 {
	if len(ta) == 0 || len(tb) == 0 {
		return 0
	}
	shared := 0
	for i, j := 0, 0; i < len(ta) && j < len(tb); {
		switch {
		case ta[i] == tb[j]:
			shared++
			i++
			j++
		case ta[i] < tb[j]:
			i++
		default:
			j++
		}
	}
	return float32(shared) / float32(len(ta)+len(tb)-shared)
}
