package domain

import (
	"encoding/csv"
	"os"
	"testing"
)

// TestMatchQuality scores every labeled pair in testdata/conflict-labeled.csv
// (the shared development set, extended with our own cases) and prints
// precision and recall; it fails below 0.97 precision or 0.95 recall.
func TestMatchQuality(t *testing.T) {
	rows := labeledPairs(t)
	var tp, fp, fn, tn int
	for _, r := range rows {
		a := NewParty(r[0], r[1], r[2], nil)
		b := NewParty(r[3], r[4], r[5], nil)
		m := Compare(a, b, DefaultMatchThresholds)
		predicted, actual := m.Class != MatchNone, r[6] == "1"
		switch {
		case predicted && actual:
			tp++
		case predicted && !actual:
			fp++
			t.Logf("false positive: %q / %q: %.3f %s", r[0], r[3], m.Score, m.Explanation)
		case !predicted && actual:
			fn++
			t.Logf("false negative: %q / %q: %.3f %s", r[0], r[3], m.Score, m.Explanation)
		default:
			tn++
		}
	}
	precision := float64(tp) / float64(tp+fp)
	recall := float64(tp) / float64(tp+fn)
	t.Logf("labeled pairs %d: tp %d fp %d fn %d tn %d; precision %.3f recall %.3f", len(rows)-1, tp, fp, fn, tn, precision, recall)
	if precision < 0.97 || recall < 0.95 {
		t.Fatalf("precision %.3f (want ≥ 0.97), recall %.3f (want ≥ 0.95)", precision, recall)
	}
}

// labeledPairs reads testdata/conflict-labeled.csv without its header:
// name, domain and country of each side, then the label (1: a match).
func labeledPairs(t *testing.T) [][]string {
	t.Helper()
	f, err := os.Open("testdata/conflict-labeled.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows[1:]
}
