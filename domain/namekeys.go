package domain

import (
	"hash/fnv"
	"slices"
	"sort"
	"strings"
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

// FNV-1a, 64 bits (hash/fnv's New64a), inlined for StringHash and
// squeezedHash.
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
