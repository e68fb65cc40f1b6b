package domain

import "unicode/utf8"

// AppendMatchKeys appends to dst the account map's blocking keys of n: one
// for each of NameKeys(n), hashed otherwise. Two names share a match key
// exactly when they share a name key (but for 64-bit collisions, which
// only add a candidate for scoring to drop), so the map, which hashes both
// of its sides itself, finds the candidates the database finds through
// the stored NameKeys. The hash is polynomial: a one-letter deletion's is
// the hash of what comes before the letter, shifted past what follows it,
// plus the hash of what follows, so a name's keys take time linear in its
// length instead of each hashing the rest of the name (FNV-1a, as
// NameKeys). Keys come unsorted: repeats are next to each other (the
// deletions come in the order of the letter deleted, and two are the same
// word only when every letter from one to the other is the same, as in
// "balloon" without either "l"), so that comparing each key with the one
// before drops them. It does not allocate when dst has room.
func AppendMatchKeys(dst []int64, n CompanyName) []int64 {
	h, empty := uint64(matchSeedFull), true
	for i := 0; i < len(n.Full); i++ {
		if c := n.Full[i]; c != ' ' {
			h = h*matchBase + uint64(c)
			empty = false
		}
	}
	if !empty {
		dst = append(dst, matchMix(h))
	}
	// The core name without spaces, cut to maxKeyRunes runes, as NameKeys
	// reads it (bytes that are not UTF-8 read as U+FFFD): each rune's
	// bytes and where they start.
	var core [4 * maxKeyRunes]byte
	var starts [maxKeyRunes + 1]int
	nb, nr := 0, 0
	for i := 0; i < len(n.Core) && nr < maxKeyRunes; {
		c := n.Core[i]
		if c < utf8.RuneSelf {
			i++
			if c != ' ' {
				starts[nr], core[nb] = nb, c
				nb, nr = nb+1, nr+1
			}
			continue
		}
		r, w := utf8.DecodeRuneInString(n.Core[i:])
		i += w
		starts[nr] = nb
		nb += utf8.EncodeRune(core[nb:], r)
		nr++
	}
	starts[nr] = nb
	if nr == 0 {
		return dst
	}
	// pre[i] hashes the runes before rune i from the seed; suf[i] is the
	// polynomial of the bytes from rune i on (the last byte's power 0).
	var pre, suf [maxKeyRunes + 1]uint64
	pre[0] = matchSeedCore
	for i := 0; i < nr; i++ {
		h := pre[i]
		for _, c := range core[starts[i]:starts[i+1]] {
			h = h*matchBase + uint64(c)
		}
		pre[i+1] = h
	}
	dst = append(dst, matchMix(pre[nr]))
	if nr < 4 {
		return dst
	}
	for i := nr - 1; i >= 0; i-- {
		var r uint64
		for _, c := range core[starts[i]:starts[i+1]] {
			r = r*matchBase + uint64(c)
		}
		suf[i] = r*matchPow[nb-starts[i+1]] + suf[i+1]
	}
	// Without rune i: the runes before it, shifted past those after it,
	// and those after it.
	for i := 0; i < nr; i++ {
		dst = append(dst, matchMix(pre[i]*matchPow[nb-starts[i+1]]+suf[i+1]))
	}
	return dst
}

// The polynomial hash's base (odd) and its seeds, one for full names and
// one for core names, so that the two kinds of key never meet.
const (
	matchBase     = 0xd6e8feb86659fd93
	matchSeedFull = 0x6a09e667f3bcc908
	matchSeedCore = 0xbb67ae8584caa73b
)

// matchPow[k] is matchBase to the power k, for every byte length of a cut
// core name.
var matchPow = func() (p [4*maxKeyRunes + 1]uint64) {
	p[0] = 1
	for k := 1; k < len(p); k++ {
		p[k] = p[k-1] * matchBase
	}
	return p
}()

// matchMix spreads a polynomial hash's bits (its low bits depend only on
// the bytes' low bits): the key tables and filters read bits from all over
// it. It is murmur3's finalizer, a bijection, so it adds no collision.
func matchMix(h uint64) int64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return int64(h)
}
