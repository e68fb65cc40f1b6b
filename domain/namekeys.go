package domain

import (
	"hash/fnv"
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
// 64-bit hashes; a collision only adds a candidate, which scoring drops.
func NameKeys(n CompanyName) []int64 {
	set := map[int64]bool{}
	add := func(kind, s string) {
		h := fnv.New64a()
		h.Write([]byte(kind))
		h.Write([]byte(s))
		set[int64(h.Sum64())] = true
	}
	if full := strings.ReplaceAll(n.Full, " ", ""); full != "" {
		add("f:", full)
	}
	core := []rune(strings.ReplaceAll(n.Core, " ", ""))
	if len(core) > maxKeyRunes {
		core = core[:maxKeyRunes]
	}
	if len(core) > 0 {
		add("k:", string(core))
	}
	if len(core) >= 4 {
		for i := range core {
			add("k:", string(core[:i])+string(core[i+1:]))
		}
	}
	keys := make([]int64, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}
