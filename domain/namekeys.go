package domain

import (
	"hash/fnv"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// maxKeyRunes bounds the part of a core name whose one-letter deletions
// become keys.
const maxKeyRunes = 32

// NameKeys are the blocking keys by which the database finds candidate
// matches for a name through an index, in microseconds: the name written
// without spaces, and its core name without spaces together with every
// variant of it missing one letter. Two names share a key when their full
// names are equal but for spacing, or their core names are within about
// one edit ("Greenfield"/"Greenfeild", "Cyberdyne"/"Cyberdyn"). Keys are
// 64-bit hashes; a collision only adds a candidate, which scoring drops. A
// name without letters or digits has none: an empty list, never nil, which
// PostgreSQL would store as NULL in the NOT NULL key columns.
func NameKeys(n CompanyName) []int64 {
	full, core := SplitNameKeys(n)
	keys := append(full, core...)
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return slices.Compact(keys)
}

// SplitNameKeys returns NameKeys in two parts by strength of evidence: the
// full-name key (names equal but for spacing) and the core-name keys
// (within about one edit of the core name). The conflict query gathers
// candidates by the strong key first, so that a cap on candidates drops
// only the weakest. Both lists are empty, not nil, when there is no key.
func SplitNameKeys(n CompanyName) (full, core []int64) {
	full, core = []int64{}, []int64{}
	hash := func(kind, s string) int64 {
		h := fnv.New64a()
		h.Write([]byte(kind))
		h.Write([]byte(s))
		return int64(h.Sum64())
	}
	if f := strings.ReplaceAll(n.Full, " ", ""); f != "" {
		full = append(full, hash("f:", f))
	}
	runes := []rune(strings.ReplaceAll(n.Core, " ", ""))
	if len(runes) > maxKeyRunes {
		runes = runes[:maxKeyRunes]
	}
	if len(runes) > 0 {
		core = append(core, hash("k:", string(runes)))
	}
	if len(runes) >= 4 {
		for i := range runes {
			core = append(core, hash("k:", string(runes[:i])+string(runes[i+1:])))
		}
	}
	sort.Slice(core, func(i, j int) bool { return core[i] < core[j] })
	return full, slices.Compact(core)
}

// FNV-1a, 64 bits (hash/fnv's New64a), inlined so that AppendNameKeys
// hashes every one-letter deletion from a shared prefix without
// allocating.
const (
	fnvOffset64 = 14695981039346656037
	fnvPrime64  = 1099511628211
)

// StringHash is the 64-bit FNV-1a hash of s, the hash name keys are made
// of.
func StringHash(s string) uint64 { return fnvAdd(fnvOffset64, s) }

func fnvAdd(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime64
	}
	return h
}

// AppendNameKeys appends NameKeys(n) to dst, unsorted and possibly with
// repeats, without allocating (when dst has room): the account map hashes
// the keys of a million vendor names this way instead of reading them.
// Repeats are next to each other: the one-letter deletions come in the
// order of the letter deleted, and two deletions are the same word only
// when every letter from one to the other is the same ("balloon" without
// either "l"), so that comparing each key with the one before drops them.
func AppendNameKeys(dst []int64, n CompanyName) []int64 {
	h := fnvAdd(fnvOffset64, "f:")
	empty := true
	for i := 0; i < len(n.Full); i++ {
		if n.Full[i] != ' ' {
			h = (h ^ uint64(n.Full[i])) * fnvPrime64
			empty = false
		}
	}
	if !empty {
		dst = append(dst, int64(h))
	}
	// The core name without spaces, cut to maxKeyRunes runes: the byte
	// offset where each rune starts, and the hash of everything before it.
	var starts [maxKeyRunes + 1]int
	var prefix [maxKeyRunes + 1]uint64
	var core [4 * maxKeyRunes]byte
	nb, nr := 0, 0
	prefix[0] = fnvAdd(fnvOffset64, "k:")
	for _, r := range n.Core {
		if r == ' ' {
			continue
		}
		if nr == maxKeyRunes {
			break
		}
		starts[nr] = nb
		nb += utf8.EncodeRune(core[nb:], r)
		nr++
		prefix[nr] = fnvAdd(prefix[nr-1], string(core[starts[nr-1]:nb]))
	}
	starts[nr] = nb
	if nr == 0 {
		return dst
	}
	dst = append(dst, int64(prefix[nr]))
	if nr < 4 {
		return dst
	}
	// The variant missing rune i hashes the bytes from starts[i+1] on after
	// prefix[i]. Four variants at a time share their common tail: their
	// hashes advance in step there, four independent multiplications the
	// CPU overlaps.
	i := 0
	for ; i+4 <= nr; i += 4 {
		o0, o1, o2, o3 := starts[i+1], starts[i+2], starts[i+3], starts[i+4]
		h0, h1, h2, h3 := prefix[i], prefix[i+1], prefix[i+2], prefix[i+3]
		p := o0
		for ; p < o1; p++ {
			h0 = (h0 ^ uint64(core[p])) * fnvPrime64
		}
		for ; p < o2; p++ {
			h0 = (h0 ^ uint64(core[p])) * fnvPrime64
			h1 = (h1 ^ uint64(core[p])) * fnvPrime64
		}
		for ; p < o3; p++ {
			h0 = (h0 ^ uint64(core[p])) * fnvPrime64
			h1 = (h1 ^ uint64(core[p])) * fnvPrime64
			h2 = (h2 ^ uint64(core[p])) * fnvPrime64
		}
		for ; p < nb; p++ {
			c := uint64(core[p])
			h0 = (h0 ^ c) * fnvPrime64
			h1 = (h1 ^ c) * fnvPrime64
			h2 = (h2 ^ c) * fnvPrime64
			h3 = (h3 ^ c) * fnvPrime64
		}
		dst = append(dst, int64(h0), int64(h1), int64(h2), int64(h3))
	}
	for ; i < nr; i++ {
		dst = append(dst, int64(fnvAdd(prefix[i], string(core[starts[i+1]:nb]))))
	}
	return dst
}
