package crm

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// The key parts behind their filter, built from two segments of keys, find
// exactly the parties of every key, row by row, as a plain map does: keys of one party and of several, keys
// nobody has (which the filter mostly turns away), and rows with no keys
// at all.
func TestKeyPartsFindWhatAMapFinds(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	want := map[int64][]int32{}
	var pairs []keyParty
	var keys []int64
	for party := range int32(20000) {
		for range 1 + r.IntN(15) {
			k := int64(r.Uint64())
			if len(keys) > 0 && r.IntN(10) == 0 {
				k = keys[r.IntN(len(keys))] // a key several parties have
			}
			if slices.Contains(want[k], party) {
				continue
			}
			keys = append(keys, k)
			want[k] = append(want[k], party)
			pairs = append(pairs, keyParty{k, party})
		}
	}
	// In two segments, as two ranges of partner accounts load: the
	// second's parties counted from its base.
	split := slices.IndexFunc(pairs, func(p keyParty) bool { return p.party >= 12345 })
	second := slices.Clone(pairs[split:])
	for i := range second {
		second[i].party -= 12345
	}
	ix := buildKeyIndex([]keySegment{{slices.Clone(pairs[:split]), 0}, {second, 12345}}, 2)
	p := keyProbes{idx: &ix}
	passed, absent := 0, 0
	for batch := range 3 {
		p.reset()
		rows := 500 + batch*700
		wantRows := make([][]int32, rows)
		for row := range int32(rows) {
			for range r.IntN(20) { // some rows have none
				k := int64(r.Uint64())
				if r.IntN(3) == 0 {
					k = keys[r.IntN(len(keys))]
				}
				before := len(p.all)
				p.add(k, row)
				if want[k] == nil {
					absent++
					passed += len(p.all) - before
				}
				wantRows[row] = append(wantRows[row], want[k]...)
			}
		}
		hits, starts := p.lookup(rows)
		for row := range rows {
			got := slices.Clone(hits[starts[row]:starts[row+1]])
			slices.Sort(got)
			slices.Sort(wantRows[row])
			if !slices.Equal(got, wantRows[row]) {
				t.Fatalf("batch %d row %d: %v, want %v", batch, row, got, wantRows[row])
			}
		}
	}
	// About eleven bits a key: a few in a hundred keys nobody has pass.
	if rate := float64(passed) / float64(absent); rate > 0.06 {
		t.Fatalf("%d of %d keys nobody has passed the filter (%.3f)", passed, absent, rate)
	}
}
