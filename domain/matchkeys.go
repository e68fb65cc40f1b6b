package domain

import "unicode/utf8"

// AppendMatchKeys appends to dst the account map's blocking keys of n: one
// for each of NameKeys(n), hashed otherwise. Two names share a match key
// exactly when they share a name key (but for 64-bit collisions, which
// only add a candidate for scoring to drop), so the map, which hashes both
// of its sides itself, finds the candidates the database finds through
// the stored NameKeys. The hash is a sum, each byte (plus one) weighted by
// a power of an odd base by its position: a one-letter deletion's is the
// sum before the letter plus the sum after it brought one letter's width
// down (times the base's inverse to that width), so a name's keys take
// time linear in its length, mostly additions, instead of each hashing
// the rest of the name (FNV-1a, as NameKeys). Keys come unsorted: repeats
// are next to each other (the deletions come in the order of the letter
// deleted, and two are the same word only when every letter from one to
// the other is the same, as in "balloon" without either "l"), so that
// comparing each key with the one before drops them. It does not allocate
// when dst has room.
func AppendMatchKeys(dst []int64, n CompanyName) []int64 {
	var full uint64
	nf, i := 0, 0
	for ; i < len(n.Full) && nf < len(matchPow); i++ {
		if c := n.Full[i]; c != ' ' {
			full += (uint64(c) + 1) * matchPow[nf]
			nf++
		}
	}
	// Past the powers there are (a full name of over a hundred bytes),
	// each further byte by the next power.
	for w := matchPow[len(matchPow)-1]; i < len(n.Full); i++ {
		if c := n.Full[i]; c != ' ' {
			w *= matchBase
			full += (uint64(c) + 1) * w
			nf++
		}
	}
	if nf > 0 {
		dst = append(dst, matchMix(full+matchSeedFull))
	}
	// The core name without spaces, cut to maxKeyRunes runes, as NameKeys
	// reads it (bytes that are not UTF-8 read as U+FFFD): sum[i] is the
	// sum of the bytes before rune i, starts[i] where rune i starts.
	var sum [maxKeyRunes + 1]uint64
	var starts [maxKeyRunes + 1]uint8
	var rb [utf8.UTFMax]byte
	nb, nr := 0, 0
	var s uint64
	for i := 0; i < len(n.Core) && nr < maxKeyRunes; {
		c := n.Core[i]
		if c < utf8.RuneSelf {
			i++
			if c != ' ' {
				sum[nr], starts[nr] = s, uint8(nb)
				s += (uint64(c) + 1) * matchPow[nb]
				nb, nr = nb+1, nr+1
			}
			continue
		}
		r, w := utf8.DecodeRuneInString(n.Core[i:])
		i += w
		sum[nr], starts[nr] = s, uint8(nb)
		for _, c := range rb[:utf8.EncodeRune(rb[:], r)] {
			s += (uint64(c) + 1) * matchPow[nb]
			nb++
		}
		nr++
	}
	sum[nr], starts[nr] = s, uint8(nb)
	if nr == 0 {
		return dst
	}
	dst = append(dst, matchMix(s+matchSeedCore))
	if nr < 4 {
		return dst
	}
	// Without rune i: the sum before it, and the sum after it shifted down
	// by its width.
	for i := 0; i < nr; i++ {
		w := starts[i+1] - starts[i]
		dst = append(dst, matchMix(sum[i]+(s-sum[i+1])*matchInvPow[w]+matchSeedCore))
	}
	return dst
}

// The hash's base (odd, so that it has an inverse) and its seeds, one
// for full names and one for core names, so that the two kinds of key
// never meet.
const (
	matchBase     = 0xd6e8feb86659fd93
	matchSeedFull = 0x6a09e667f3bcc908
	matchSeedCore = 0xbb67ae8584caa73b
)

// matchPow[k] is matchBase to the power k, for every byte of a cut core
// name; matchInvPow[w] is its inverse's, for a rune's width w.
var matchPow, matchInvPow = func() (p [4*maxKeyRunes + 1]uint64, q [utf8.UTFMax + 1]uint64) {
	p[0] = 1
	for k := 1; k < len(p); k++ {
		p[k] = p[k-1] * matchBase
	}
	// The inverse modulo 2⁶⁴ by Newton's iteration: each step doubles the
	// bits that are right (an odd number is its own inverse to three).
	inv := uint64(matchBase)
	for range 5 {
		inv *= 2 - matchBase*inv
	}
	q[0] = 1
	for w := 1; w < len(q); w++ {
		q[w] = q[w-1] * inv
	}
	return p, q
}()

// matchMix spreads a hash's bits (a sum's low bits depend only on the
// bytes' low bits): the key tables and filters read bits from all over
// it. It is murmur3's finalizer, a bijection, so it adds no collision.
func matchMix(h uint64) int64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return int64(h)
}
