package crm

import (
	"math/bits"
	"slices"
	"sync"
)

// The partner accounts' name keys are split into keyParts parts by the top
// bits of their hash: a hundred thousand accounts' million and a half keys
// make parts of about 12,000 keys, each part's table (about 256 KiB) small
// enough for a core's cache. A batch of vendor keys is checked against one
// bit filter of every key as it is hashed (keyFilter: about fourteen in
// fifteen keys no partner account has stop there), and the rest are sorted
// into the same parts and looked up part by part, instead of each key
// missing the cache in one table of tens of megabytes.
const (
	keyPartBits = 7
	keyParts    = 1 << keyPartBits
)

// keyParty is one key of one partner account.
type keyParty struct {
	k     int64
	party int32
}

// keyHash spreads a key's bits (keys are FNV-1a hashes, whose low bits a
// table would otherwise lean on): the top bits pick the part, the bits
// below them the slot.
// The multiplier is odd, so the hash is a bijection: tables compare
// hashes, never keys.
func keyHash(k int64) uint64 { return uint64(k) * 0x9E3779B97F4A7C15 }

func partOf(h uint64) int { return int(h >> (64 - keyPartBits)) }

// keySlot is one key of a part's open-addressing table, by its hash (a
// key's hash is a bijection of it, so equal hashes are equal keys): the
// parties holding it are parties[off : off+n]; n is 0 in an empty slot.
type keySlot struct {
	h      uint64
	off, n uint32
}

// keyPart is one part's table (linear probing, a power of two of slots at
// most half full) and the parties its keys point into.
type keyPart struct {
	slots   []keySlot
	parties []int32
}

// keyIndex finds the partner accounts holding a key: a bit filter of all
// its keys in front of their parts' tables.
type keyIndex struct {
	filter keyFilter
	parts  []keyPart
}

// keyFilter is a bit filter of a set of keys' hashes: about eleven bits a
// key, two of them set in one word for each, so that checking a key reads
// one word; about one key in thirty it does not hold passes.
type keyFilter []uint64

// filterBits are the two bits of a key's filter word, from its hash (bits
// the parts and their slots do not use).
func filterBits(h uint64) uint64 { return 1<<(h&63) | 1<<((h>>6)&63) }

func (f keyFilter) word(h uint64) uint64 { return (h >> 12) & uint64(len(f)-1) }

// mayHave reports whether the filter may hold the key of hash h.
func (f keyFilter) mayHave(h uint64) bool {
	b := filterBits(h)
	return f[f.word(h)]&b == b
}

// find returns the parties holding the key of hash h.
func (t *keyPart) find(h uint64) []int32 {
	mask := uint64(len(t.slots) - 1)
	for i := (h << keyPartBits >> 32) & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.n == 0 {
			return nil
		}
		if s.h == h {
			return t.parties[s.off : s.off+s.n]
		}
	}
}

// keySegment is some partner accounts' keys, their party indices counted
// from base.
type keySegment struct {
	pairs []keyParty
	base  int32
}

// buildKeyIndex indexes every partner account's keys, from segments: the
// filter as the keys are counted by part, then the parts' tables on
// workers goroutines.
func buildKeyIndex(segs []keySegment, workers int) keyIndex {
	n := 0
	for _, s := range segs {
		n += len(s.pairs)
	}
	filter := make(keyFilter, max(1, 1<<bits.Len(uint(n/8))))
	var starts [keyParts + 1]int
	for _, s := range segs {
		for _, p := range s.pairs {
			h := keyHash(p.k)
			filter[filter.word(h)] |= filterBits(h)
			starts[partOf(h)+1]++
		}
	}
	for i := 1; i <= keyParts; i++ {
		starts[i] += starts[i-1]
	}
	sorted := make([]keyParty, n)
	next := starts
	for _, s := range segs {
		for _, p := range s.pairs {
			part := partOf(keyHash(p.k))
			sorted[next[part]] = keyParty{p.k, p.party + s.base}
			next[part]++
		}
	}
	parts := make([]keyPart, keyParts)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for part := w; part < keyParts; part += workers {
				parts[part] = buildKeyPart(sorted[starts[part]:starts[part+1]])
			}
		}()
	}
	wg.Wait()
	return keyIndex{filter: filter, parts: parts}
}

// buildKeyPart builds one part's table from its keys: a first pass counts
// each key's parties in the table, a second places them (in their order
// in seg, so that a key's parties are in the order they were loaded).
func buildKeyPart(seg []keyParty) keyPart {
	size := max(16, 1<<bits.Len(uint(2*len(seg)))) // at most half full, repeats counted
	t := keyPart{slots: make([]keySlot, size), parties: make([]int32, len(seg))}
	mask := uint64(size - 1)
	slot := func(h uint64) *keySlot {
		i := (h << keyPartBits >> 32) & mask
		for t.slots[i].n != 0 && t.slots[i].h != h {
			i = (i + 1) & mask
		}
		return &t.slots[i]
	}
	for _, p := range seg {
		h := keyHash(p.k)
		s := slot(h)
		s.h = h
		s.n++
	}
	var off uint32
	for i := range t.slots {
		if s := &t.slots[i]; s.n != 0 {
			s.off, off, s.n = off, off+s.n, 0
		}
	}
	for _, p := range seg {
		s := slot(keyHash(p.k))
		t.parties[s.off+s.n] = p.party
		s.n++
	}
	return t
}

// keyProbe is one key of one row of a batch, by its hash.
type keyProbe struct {
	h   uint64
	row int32
}

// keyProbes gathers those of a batch's keys its index's filter may hold
// and looks them up part by part; its buffers are reused from batch to
// batch.
type keyProbes struct {
	idx            *keyIndex
	all, byPart    []keyProbe
	found, rowOf   []int32 // the hits in part order, and their rows
	hits           []int32 // the hits row by row
	starts, filled []int32
}

func (p *keyProbes) reset() { p.all = p.all[:0] }

// add adds row's key k, unless the filter shows that no partner account
// has it.
func (p *keyProbes) add(k int64, row int32) {
	if h := keyHash(k); p.idx.filter.mayHave(h) {
		p.all = append(p.all, keyProbe{h: h, row: row})
	}
}

// lookup finds the parties of every key added and returns them row by
// row: row r's are hits[starts[r]:starts[r+1]] (a party sharing several
// keys with the row is there several times). Both stay valid until the
// next lookup.
func (p *keyProbes) lookup(rows int) (hits, starts []int32) {
	var next [keyParts + 1]int
	for _, q := range p.all {
		next[partOf(q.h)+1]++
	}
	for i := 1; i <= keyParts; i++ {
		next[i] += next[i-1]
	}
	p.byPart = slices.Grow(p.byPart[:0], len(p.all))[:len(p.all)]
	for _, q := range p.all {
		part := partOf(q.h)
		p.byPart[next[part]] = q
		next[part]++
	}
	// next[part] is now where part ends: look up part by part.
	p.found, p.rowOf = p.found[:0], p.rowOf[:0]
	p.starts = slices.Grow(p.starts[:0], rows+1)[:rows+1]
	clear(p.starts)
	lo := 0
	for part := range keyParts {
		t := &p.idx.parts[part]
		for _, q := range p.byPart[lo:next[part]] {
			for _, party := range t.find(q.h) {
				p.found, p.rowOf = append(p.found, party), append(p.rowOf, q.row)
				p.starts[q.row+1]++
			}
		}
		lo = next[part]
	}
	// Then the hits by row: a counting sort.
	for r := 1; r <= rows; r++ {
		p.starts[r] += p.starts[r-1]
	}
	p.filled = append(p.filled[:0], p.starts[:rows]...)
	p.hits = slices.Grow(p.hits[:0], len(p.found))[:len(p.found)]
	for i, party := range p.found {
		r := p.rowOf[i]
		p.hits[p.filled[r]] = party
		p.filled[r]++
	}
	return p.hits, p.starts
}
