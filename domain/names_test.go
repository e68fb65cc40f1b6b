package domain

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestNormalizeName pins the normalization of legal forms, accents,
// connectors, abbreviations and generic words across countries.
func TestNormalizeName(t *testing.T) {
	cases := []struct{ in, full, core string }{
		{"Acme Corp.", "acme", "acme"},
		{"ACME Corporation", "acme", "acme"},
		{"The Acme Co", "acme", "acme"},
		{"Müller Maschinenbau GmbH", "mueller maschinenbau", "mueller maschinenbau"},
		{"Johnson & Sons Ltd", "johnson sons", "johnson sons"},
		{"AT&T Inc.", "at t", "at t"},
		{"Société Générale SA", "societe generale", "societe generale"},
		{"Kabushiki Kaisha Tanaka", "tanaka", "tanaka"},
		{"Tanaka KK", "tanaka", "tanaka"},
		{"Nordic Fisk A/S", "nordic fisk", "nordic fisk"},
		{"Soylent Foods Pty Ltd", "soylent foods", "soylent"},
		{"Bosch GmbH & Co. KG", "bosch", "bosch"},
		{"Cemex S.A.B. de C.V.", "cemex", "cemex"},
		{"Allegro Sp. z o.o.", "allegro", "allegro"},
		{"Fiat S.p.A.", "fiat", "fiat"},
		{"Intl Paper Co", "international paper", "paper"},
		{"St. Jude Medical", "saint jude medical", "saint jude"},
		{"First National Bank of Omaha", "first national bank of omaha", "omaha"},
		{"First National Bank", "first national bank", "first national bank"},
		{"3M Company", "3m", "3m"},
		{"Co", "co", "co"},
		{"", "", ""},
		{"   ", "", ""},
		{"株式会社 トヨタ", "株式会社 トヨタ", "株式会社 トヨタ"},
		{"Robert'); DROP TABLE deals;--", "robert drop table deals", "robert drop table deals"},
	}
	for _, c := range cases {
		got := NormalizeName(c.in)
		if got.Full != c.full || got.Core != c.core {
			t.Errorf("NormalizeName(%q) = %+v, want full %q core %q", c.in, got, c.full, c.core)
		}
	}
}

// TestNormalizeNameLongInput proves very long input is cut, not choked on.
func TestNormalizeNameLongInput(t *testing.T) {
	got := NormalizeName(strings.Repeat("Acme ", 100000))
	if len(got.Full) > MaxNameInput {
		t.Fatalf("full name of %d bytes", len(got.Full))
	}
}

// TestCompareExplains proves a match explains itself in words.
func TestCompareExplains(t *testing.T) {
	m := Compare(NewParty("Acme Corp.", "acme.com", "US", []string{"firewall"}),
		NewParty("ACME Corporation", "www.acme.com", "US", []string{"firewall", "vpn"}), DefaultMatchThresholds)
	want := "same registrable domain acme.com; names 'acme' ≈ 'acme' 1.00; same country; shared product lines firewall"
	if m.Explanation != want || m.Class != MatchDuplicate || m.Score != 1 {
		t.Fatalf("got %+v", m)
	}
	free := Compare(NewParty("Bob's Plumbing", "gmail.com", "US", nil), NewParty("Alice's Bakery", "bob@gmail.com", "US", nil), DefaultMatchThresholds)
	if free.Class != MatchNone || !strings.Contains(free.Explanation, "free-mail domain gmail.com ignored") {
		t.Fatalf("free mail: %+v", free)
	}
}

// FuzzNormalizeName: no input panics, the result is valid UTF-8 without
// double spaces, and normalizing the full name again changes nothing.
func FuzzNormalizeName(f *testing.F) {
	for _, s := range []string{"Acme Corp.", "Müller GmbH & Co. KG", "AT&T", "S.A. de C.V.", "the and", "Kabushiki Kaisha", "co co co", "Ørsted A/S", "\x00\xff", "'; DROP TABLE x;--"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeName(s)
		if !utf8.ValidString(n.Full) || strings.Contains(n.Full, "  ") || strings.TrimSpace(n.Full) != n.Full {
			t.Fatalf("NormalizeName(%q).Full = %q", s, n.Full)
		}
		if again := NormalizeName(n.Full); again.Full != n.Full {
			t.Fatalf("not idempotent: %q → %q → %q", s, n.Full, again.Full)
		}
	})
}

// TestNameKeys proves spelling variants of one company share a blocking key
// and different companies do not, and that keys are stable.
func TestNameKeys(t *testing.T) {
	shares := func(a, b string) bool {
		ka := map[int64]bool{}
		for _, k := range NameKeys(NormalizeName(a)) {
			ka[k] = true
		}
		for _, k := range NameKeys(NormalizeName(b)) {
			if ka[k] {
				return true
			}
		}
		return false
	}
	for _, p := range [][2]string{
		{"Greenfield Farms", "Greenfeild Farms"}, {"Cyberdyne Systems", "Cyberdyn Systems"},
		{"Northwind Traders", "North Wind Traders"}, {"Acme Corp.", "ACME Corporation"},
		{"Harbor Freight Tools", "Harbor Fright Tools"}, {"Massive Dynamic", "Massive Dynamics Inc"},
	} {
		if !shares(p[0], p[1]) {
			t.Errorf("%q and %q share no key", p[0], p[1])
		}
	}
	for _, p := range [][2]string{{"Delta Air Lines", "Delta Dental"}, {"Initech", "Initrode"}, {"Sunrise Dental", "Sunset Dental"}} {
		if shares(p[0], p[1]) {
			t.Errorf("%q and %q share a key", p[0], p[1])
		}
	}
	a, b := NameKeys(NormalizeName("Blue Harbor Logistics")), NameKeys(NormalizeName("Blue Harbor Logistics"))
	if len(a) == 0 || len(a) != len(b) || a[0] != b[0] {
		t.Fatalf("keys not stable: %v %v", a, b)
	}
	if len(NameKeys(NormalizeName(strings.Repeat("x", 500)))) > maxKeyRunes+2 {
		t.Fatal("long names make too many keys")
	}
}

// A name with no letter or digit ("!!!", "®", U+FFFD) has no keys, as an
// empty list, never a nil one: the deals' and accounts' name_keys columns
// are NOT NULL, and a nil list is stored as NULL (the review's sweep: such
// a customer name failed the deal's intake and answered 503).
func TestNameKeysOfANameWithoutLettersAreEmptyNotNil(t *testing.T) {
	for _, name := range []string{"!!!", "®", "\ufffd", "", "   "} {
		if keys := NameKeys(NormalizeName(name)); keys == nil || len(keys) != 0 {
			t.Errorf("NameKeys(%q) = %#v, want an empty list", name, keys)
		}
		if full, core := SplitNameKeys(NormalizeName(name)); full == nil || core == nil {
			t.Errorf("SplitNameKeys(%q) = %#v, %#v, want empty lists", name, full, core)
		}
	}
}

// AppendMatchKeys gives one key for each of NameKeys, unsorted, its
// repeats next to each other, and two names share a match key exactly when
// they share a name key: over names of every length around the cut, with
// wide runes, bytes that are not UTF-8, and every slip of one or two
// letters of a few names (374 names, 70,000 pairs).
func TestMatchKeysShareAsNameKeys(t *testing.T) {
	names := []string{"", "   ", "Acme", "Acme Corp", "Blue Harbor Logistics GmbH", "Müller Bäckerei", "東京電力 株式会社",
		"AT&T Field Services", "a b c", "X", "Greenfeild Farms", strings.Repeat("Northwind ", 8), "3M", "Société Générale SA",
		"Balloon Bookkeeping", "Mississippi Aaaa", "zzzzzz", "Aab Baa", "Ssssüüüß", "Bad \xff\xfe Bytes", "Bad \xef\xbf\xbd Bytes"}
	for k := 1; k <= 40; k++ {
		names = append(names, "Qwertzuiopasdfghjklyxcvbnmqwertzuiopasdfghjkl"[:k], strings.Repeat("ßä", k/2+1)[:2*k])
	}
	for _, base := range []string{"Greenfield", "Cyberdyne Systems", "Müllerbau", "Harbor Freight Tools"} {
		for i := range len(base) {
			names = append(names, base[:i]+base[i+1:], base[:i]+"x"+base[i+1:], base[:i]+"e"+base[i:])
			if i+1 < len(base) {
				names = append(names, base[:i]+base[i+1:i+2]+base[i:i+1]+base[i+2:])
			}
			if i+2 < len(base) {
				names = append(names, base[:i]+base[i+2:])
			}
		}
	}
	sets := make([]map[int64]bool, len(names))
	match := make([]map[int64]bool, len(names))
	for i, name := range names {
		n := NormalizeName(name)
		got := AppendMatchKeys(nil, n)
		adjacent := len(slices.Compact(slices.Clone(got)))
		distinct := slices.Compact(slices.Sorted(slices.Values(got)))
		if adjacent != len(distinct) {
			t.Errorf("AppendMatchKeys(%q): %d keys once their neighbours' repeats are dropped, %d distinct", name, adjacent, len(distinct))
		}
		want := NameKeys(n)
		if len(distinct) != len(want) {
			t.Errorf("AppendMatchKeys(%q): %d distinct keys, NameKeys %d", name, len(distinct), len(want))
		}
		sets[i], match[i] = map[int64]bool{}, map[int64]bool{}
		for _, k := range want {
			sets[i][k] = true
		}
		for _, k := range got {
			match[i][k] = true
		}
	}
	share := func(a, b map[int64]bool) bool {
		for k := range a {
			if b[k] {
				return true
			}
		}
		return false
	}
	pairs, shared := 0, 0
	for i := range names {
		for j := range i {
			byName, byMatch := share(sets[i], sets[j]), share(match[i], match[j])
			if byName != byMatch {
				t.Errorf("%q and %q: share a name key %v, a match key %v", names[i], names[j], byName, byMatch)
			}
			pairs++
			if byName {
				shared++
			}
		}
	}
	if shared < pairs/50 {
		t.Errorf("only %d of %d pairs share a key: the test compares too few that do", shared, pairs)
	}
	// A full name longer than the powers at hand: the same but for its
	// spaces, the same key; one letter near its end otherwise, another.
	long := strings.Repeat("abcdefghij", 25)
	fullKey := func(full string) int64 { return AppendMatchKeys(nil, CompanyName{Full: full})[0] }
	if fullKey(long) != fullKey(long[:7]+" "+long[7:200]+"  "+long[200:]) || fullKey(long) == fullKey(long[:240]+"x"+long[241:]) {
		t.Error("a long full name's key does not follow its letters past the table of powers")
	}
	buf, n := make([]int64, 0, 64), NormalizeName("Blue Harbor Logistics")
	if allocs := testing.AllocsPerRun(100, func() { buf = AppendMatchKeys(buf[:0], n) }); allocs > 0 {
		t.Errorf("AppendMatchKeys allocates %v times", allocs)
	}
}
