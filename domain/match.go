package domain

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Match classes, from strongest to none.
const (
	MatchDuplicate = "duplicate"
	MatchLikely    = "likely_conflict"
	MatchNone      = "none"
)

// MatchThresholds turn a score into a class; programs may tune them.
type MatchThresholds struct {
	Duplicate float64 `json:"duplicate"`
	Likely    float64 `json:"likely"`
}

// DefaultMatchThresholds are the thresholds the labeled set was tuned on.
var DefaultMatchThresholds = MatchThresholds{Duplicate: 0.9, Likely: 0.7}

// Party is one side of a comparison, prepared once: its normalized names and
// registrable domain.
type Party struct {
	Name         CompanyName
	Registrable  string // "" when unknown
	Country      string
	ProductLines []string
	prepared     *preparedName // Prepare's work, nil until then
}

// preparedName is what comparing a name needs again for every other name:
// its trigrams (packedTrigrams) and its words.
type preparedName struct {
	full, core []uint64
	words      []string
	squeezed   uint64 // squeezedHash of Full
}

// Prepare computes once what comparing p with many others needs again for
// each: its names' trigrams and words. A prepared party compares exactly as
// it would unprepared, only faster (the account map compares each name
// with several others). A party whose name changes is prepared again.
func (p *Party) Prepare() { p.PrepareIn(new(Prepared)) }

// Prepared holds a party's preparation so that the next party prepared
// into it reuses its memory: the account map prepares a million vendor
// names, each compared only until the next is prepared.
type Prepared struct{ name preparedName }

// PrepareIn prepares p as Prepare does, into s; the party prepared into s
// before must not be compared any more.
func (p *Party) PrepareIn(s *Prepared) {
	p.prepared = nil
	n := &s.name
	n.full = packedTrigrams(p.Name.Full, n.full[:0])
	n.core = packedTrigrams(p.Name.Core, n.core[:0])
	n.words = appendFields(n.words[:0], p.Name.Full)
	n.squeezed = squeezedHash(p.Name.Full)
	p.prepared = n
}

// PrepareArena holds the preparations of many parties kept together (the
// account map's partner accounts) in large blocks: a few allocations for
// a hundred thousand names instead of several each, and less for the
// garbage collector to trace. A party prepared with it stays valid as long
// as the party does.
type PrepareArena struct {
	names    []preparedName
	trigrams []uint64
	words    []string
}

// arenaBlock is how many entries a new block of the arena holds at least.
const arenaBlock = 1 << 14

// PrepareWith prepares p as Prepare does, with a's memory.
func (p *Party) PrepareWith(a *PrepareArena) {
	p.prepared = nil
	if len(a.names) == cap(a.names) {
		a.names = make([]preparedName, 0, arenaBlock)
	}
	a.names = append(a.names, preparedName{})
	n := &a.names[len(a.names)-1]
	n.full, n.core = a.trigramsOf(p.Name.Full), a.trigramsOf(p.Name.Core)
	// A name of b bytes has at most b/2+1 words.
	if need := len(p.Name.Full)/2 + 1; cap(a.words)-len(a.words) < need {
		a.words = make([]string, 0, max(arenaBlock, need))
	}
	words := appendFields(a.words[len(a.words):len(a.words)], p.Name.Full)
	n.words, a.words = words[:len(words):len(words)], a.words[:len(a.words)+len(words)]
	n.squeezed = squeezedHash(p.Name.Full)
	p.prepared = n
}

// trigramsOf is packedTrigrams(s) in the arena's memory.
func (a *PrepareArena) trigramsOf(s string) []uint64 {
	// A name of b bytes has at most b+1 trigrams (one a rune, one a word's
	// end).
	if need := len(s) + 1; cap(a.trigrams)-len(a.trigrams) < need {
		a.trigrams = make([]uint64, 0, max(arenaBlock, need))
	}
	t := packedTrigrams(s, a.trigrams[len(a.trigrams):len(a.trigrams)])
	a.trigrams = a.trigrams[:len(a.trigrams)+len(t)]
	return t[:len(t):len(t)]
}

// appendFields appends strings.Fields(s) to dst.
func appendFields(dst []string, s string) []string {
	start := -1
	for i, c := range s {
		switch {
		case unicode.IsSpace(c):
			if start >= 0 {
				dst = append(dst, s[start:i])
				start = -1
			}
		case start < 0:
			start = i
		}
	}
	if start >= 0 {
		dst = append(dst, s[start:])
	}
	return dst
}

// squeezedHash is the hash of s without its spaces (StringHash of
// strings.ReplaceAll(s, " ", "")), without making that string.
func squeezedHash(s string) uint64 {
	h := uint64(fnvOffset64)
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' {
			h = (h ^ uint64(s[i])) * fnvPrime64
		}
	}
	return h
}

// sameSqueezed reports whether two parties' full names are the same once
// their spaces are taken out ("Northwind" and "North Wind"): prepared
// parties' hashes settle most pairs without reading the names.
func sameSqueezed(pa, pb *Party) bool {
	if pa.prepared != nil && pb.prepared != nil && pa.prepared.squeezed != pb.prepared.squeezed {
		return false
	}
	a, b := pa.Name.Full, pb.Name.Full
	i, j := 0, 0
	for {
		for i < len(a) && a[i] == ' ' {
			i++
		}
		for j < len(b) && b[j] == ' ' {
			j++
		}
		if i == len(a) || j == len(b) {
			return i == len(a) && j == len(b)
		}
		if a[i] != b[j] {
			return false
		}
		i, j = i+1, j+1
	}
}

// name returns p's trigrams and words: prepared, or computed into the
// caller's buffers.
func (p *Party) name(fullBuf, coreBuf []uint64) (full, core []uint64, words []string) {
	if p.prepared != nil {
		return p.prepared.full, p.prepared.core, p.prepared.words
	}
	return packedTrigrams(p.Name.Full, fullBuf), packedTrigrams(p.Name.Core, coreBuf), strings.Fields(p.Name.Full)
}

// NewParty prepares a party from what a person typed; domain may be a host,
// a URL or an e-mail address, or empty.
func NewParty(name, domainText, country string, productLines []string) Party {
	p := Party{Name: NormalizeName(name), Country: strings.ToUpper(strings.TrimSpace(country)), ProductLines: productLines}
	if strings.TrimSpace(domainText) != "" {
		if r, err := RegistrableDomain(domainText); err == nil {
			p.Registrable = r
		}
	}
	return p
}

// Match is how alike two parties are, with the reasons in words.
type Match struct {
	Score       float64  `json:"score"`
	Class       string   `json:"class"`
	Reasons     []string `json:"reasons"`
	Explanation string   `json:"explanation"`
}

// Compare scores how likely a and b name the same customer:
//   - the same registrable domain (not free mail) is the strongest signal:
//     0.75 + 0.25×names;
//   - the same domain name under another suffix (apexsystems.com and
//     apexsystems.net, or with hyphens dropped): 0.55 + 0.45×names;
//   - two different company domains count against: 0.7×names in the same
//     country, 0.6×names across countries;
//   - without usable domains, names decide: names, ×0.85 across countries;
//   - shared product lines add 0.05, disjoint ones take 0.05 away.
//
// "names" weighs the trigram similarity of the full normalized names twice
// and that of the core names (generic words such as "bank" or "dental" left
// out) once, so a shared distinctive word counts, but not alone.
func Compare(a, b Party, th MatchThresholds) Match {
	rel, sameCountry := relate(&a, &b)
	m, nameSim := judge(&a, &b, rel, sameCountry, th, false)
	explain(&m, a, b, rel, nameSim)
	return m
}

// FindMatch compares like Compare but explains only a pair that is at least
// a likely conflict, and reports whether it is: the conflict engine scores
// every candidate and most are not, so the explanation is not worth
// writing for them, nor their names worth comparing to the end once they
// cannot make one (a pair that is not a match has no score).
func FindMatch(a, b Party, th MatchThresholds) (Match, bool) {
	rel, sameCountry := relate(&a, &b)
	return findRelated(&a, &b, rel, sameCountry, th)
}

// findRelated is FindMatch of a pair whose domains relate as rel, in the
// same country (or one unknown) or not.
func findRelated(a, b *Party, rel string, sameCountry bool, th MatchThresholds) (Match, bool) {
	m, nameSim := judge(a, b, rel, sameCountry, th, true)
	if m.Class == MatchNone {
		return m, false
	}
	explain(&m, *a, *b, rel, nameSim)
	return m, true
}

// relate is relationOf the parties' domains, and whether their countries
// are the same (or one unknown).
func relate(a, b *Party) (rel string, sameCountry bool) {
	return relationOf(a.Registrable, b.Registrable), a.Country == "" || b.Country == "" || a.Country == b.Country
}

// judge scores a pair whose domains relate as rel, in the same country
// (or one unknown) or not, and classes it by th, returning the names'
// similarity for explain. With prune set, it stops comparing the names
// once they cannot lift the score to a likely conflict (the score grows
// with their similarity), and returns no score then.
func judge(a, b *Party, rel string, sameCountry bool, th MatchThresholds, prune bool) (Match, float64) {
	products := productSignal(a.ProductLines, b.ProductLines)
	var reaches func(float64) bool
	if prune {
		reaches = func(sim float64) bool { return scoreOf(rel, sameCountry, products, sim) >= th.Likely }
	}
	nameSim := nameSimilarity(a, b, reaches)
	if nameSim < 0 {
		return Match{Class: MatchNone}, 0
	}
	score := scoreOf(rel, sameCountry, products, nameSim)
	class := MatchNone
	switch {
	case score >= th.Duplicate:
		class = MatchDuplicate
	case score >= th.Likely:
		class = MatchLikely
	}
	return Match{Score: score, Class: class}, nameSim
}

// explain sets m's reasons and explanation: the domains (unless their
// relation is unknown), the names, a free-mail domain ignored, the
// countries, the product lines.
func explain(m *Match, a, b Party, rel string, nameSim float64) {
	why := domainReason(a.Registrable, b.Registrable, rel)
	var out []string
	if why != "" && rel != "unknown" {
		out = append(out, why)
	}
	// As fmt's "names '%s' ≈ '%s' %.2f", without its reflection: the
	// account map explains tens of thousands of matches.
	out = append(out, "names '"+a.Name.Full+"' ≈ '"+b.Name.Full+"' "+strconv.FormatFloat(RoundDecimal(nameSim, 2), 'f', 2, 64))
	if why != "" && rel == "unknown" {
		out = append(out, why)
	}
	switch {
	case a.Country != "" && a.Country == b.Country:
		out = append(out, "same country")
	case a.Country != "" && b.Country != "" && a.Country != b.Country:
		out = append(out, "different countries "+a.Country+" and "+b.Country)
	}
	if len(a.ProductLines) > 0 && len(b.ProductLines) > 0 {
		if shared := intersect(a.ProductLines, b.ProductLines); len(shared) > 0 {
			out = append(out, "shared product lines "+strings.Join(shared, ", "))
		} else {
			out = append(out, "no shared product line")
		}
	}
	m.Reasons, m.Explanation = out, strings.Join(out, "; ")
}

// scoreOf is Compare's score (rounded to three places) of a pair whose
// domains relate as rel, in the same country (or one unknown) or not,
// with products (productSignal) and names as similar as nameSim. It never
// falls as nameSim grows.
func scoreOf(rel string, sameCountry bool, products int, nameSim float64) float64 {
	var score float64
	switch rel {
	case "same":
		score = 0.75 + 0.25*nameSim
	case "same_label":
		score = 0.55 + 0.45*nameSim
	case "different":
		score = 0.6 * nameSim
		if sameCountry {
			score = 0.7 * nameSim
		}
	default:
		score = nameSim
		if !sameCountry {
			score *= 0.85
		}
	}
	score += 0.05 * float64(products)
	return RoundDecimal(math.Max(0, math.Min(1, score)), 3)
}

// productSignal is 1 when both parties name product lines and share one,
// -1 when both name some but share none, else 0.
func productSignal(a, b []string) int {
	switch {
	case len(a) == 0 || len(b) == 0:
		return 0
	case len(intersect(a, b)) > 0:
		return 1
	}
	return -1
}

// nameSimilarity is how alike two parties' names are, from 0 to 1: the
// higher of their trigram similarity and typoSimilarity. With reaches
// set, it stops (returning -1) as soon as it knows the similarity is one
// reaches refuses, which must refuse every lower one too.
func nameSimilarity(pa, pb *Party, reaches func(float64) bool) float64 {
	a, b := pa.Name, pb.Name
	if a.Full == "" || b.Full == "" {
		if reaches != nil && !reaches(0) {
			return -1
		}
		return 0
	}
	if a.Full == b.Full || sameSqueezed(pa, pb) {
		return 1 // "Northwind" and "North Wind"
	}
	var b1, b2, b3, b4 [64]uint64
	fa, ca, wa := pa.name(b1[:], b2[:])
	fb, cb, wb := pb.name(b3[:], b4[:])
	// As the SQL reads 2 * similarity(full) + similarity(core): single
	// precision similarities added in double precision.
	trgm := (2*float64(packedSimilarity(fa, fb)) + float64(packedSimilarity(ca, cb))) / 3
	if reaches != nil && !reaches(math.Max(trgm, typoBound(wa, wb))) {
		return -1
	}
	return math.Max(trgm, typoSimilarity(wa, wb))
}

// typoSimilarity rescues names that differ by typing slips ("Greenfeild
// Farms", "Harbor Fright Tools"): word by word, each word of five letters
// or more within one edit in six or so (similarity ≥ 0.85), shorter words
// equal. Anything else is no evidence (0), so that "Sunrise Dental" and
// "Sunset Dental" or "Phoenix Dental" and "Phoenix Medical" stay apart.
func typoSimilarity(wa, wb []string) float64 { return typoWords(wa, wb, true) }

// typoBound is at least typoSimilarity(wa, wb), from the words' lengths
// alone (wordBound), without computing any edit distance.
func typoBound(wa, wb []string) float64 { return typoWords(wa, wb, false) }

// typoWords is typoSimilarity with exact set, else typoBound: word by
// word, equal words count 1, a short word (under five letters, as the
// SQL's length()) that differs or a long one under 0.85 alike makes it 0.
// A word's bound is checked first even when exact (editSimilarity never
// exceeds it), so that far-apart words skip the edit distance.
func typoWords(wa, wb []string, exact bool) float64 {
	if len(wa) != len(wb) {
		return 0
	}
	total := 0.0
	for i := range wa {
		if wa[i] == wb[i] {
			total++ // editSimilarity of equal words
			continue
		}
		sim, long := wordBound(wa[i], wb[i])
		if !long || sim < 0.85 {
			return 0
		}
		if exact {
			if sim = editSimilarity(wa[i], wb[i]); sim < 0.85 {
				return 0
			}
		}
		total += sim
	}
	return total / float64(len(wa))
}

// wordBound is at least editSimilarity of two differing words, from their
// lengths: words d runes apart in length are at least d edits apart (and
// differing valid text at least one), and d edits make them at most
// 1 − d ÷ the longer length alike. long says both have five letters or
// more.
func wordBound(a, b string) (float64, bool) {
	na, nb := utf8.RuneCountInString(a), utf8.RuneCountInString(b)
	d := max(na, nb) - min(na, nb)
	if d == 0 && utf8.ValidString(a) && utf8.ValidString(b) {
		d = 1
	}
	return 1 - float64(d)/float64(max(na, nb)), na >= 5 && nb >= 5
}

// editSimilarity is 1 − (optimal string alignment distance ÷ longer length):
// insertions, deletions, substitutions and adjacent transpositions.
func editSimilarity(a, b string) float64 {
	// Words are short: their runes and the three rows live on the stack
	// up to editStack runes (the account map compares many thousands).
	var sa, sb [editStack]rune
	var r0, r1, r2 [editStack + 1]int
	ra, rb := appendRunes(sa[:0], a), appendRunes(sb[:0], b)
	n, m := len(ra), len(rb)
	if n == 0 && m == 0 {
		return 1
	}
	// Three rows of the distance matrix: two back (transpositions), one
	// back, and the current one.
	prev2, prev, cur := r0[:], r1[:], r2[:]
	if m+1 > len(prev) {
		prev2, prev, cur = make([]int, m+1), make([]int, m+1), make([]int, m+1)
	}
	for j := 0; j <= m; j++ {
		prev[j] = j
	}
	for i := 1; i <= n; i++ {
		cur[0] = i
		for j := 1; j <= m; j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return 1 - float64(prev[m])/float64(max(n, m))
}

// editStack is how many runes editSimilarity compares without allocating.
const editStack = 32

// appendRunes appends s's runes to dst (as []rune(s), into dst's room).
func appendRunes(dst []rune, s string) []rune {
	for _, r := range s {
		dst = append(dst, r)
	}
	return dst
}

// domainReason says why two registrable domains relate as rel
// (relationOf): "" when one is missing.
func domainReason(a, b, rel string) string {
	switch rel {
	case "same":
		return "same registrable domain " + a
	case "same_label":
		return "same domain name under " + a + " and " + b
	case "different":
		return "different domains " + a + " and " + b
	}
	if a == "" || b == "" {
		return ""
	}
	free := a
	if !IsFreeMail(a) {
		free = b
	}
	return "free-mail domain " + free + " ignored"
}

// relationOf compares two registrable domains: same, same_label (one
// name under two suffixes), different, or unknown (missing or free mail).
func relationOf(a, b string) string {
	switch {
	case a == "" || b == "":
		return "unknown"
	case a == b:
		if IsFreeMail(a) {
			return "unknown"
		}
		return "same"
	case IsFreeMail(a) || IsFreeMail(b):
		return "unknown"
	case DomainLabel(a) == DomainLabel(b):
		return "same_label"
	}
	return "different"
}

// CouldMatch reports whether FindMatch(a, b, th) can find a match at all,
// judging only by what is cheap to compare: domains and countries. False
// means that no name similarity could lift the pair's score to th.Likely
// (different domains in different countries score at most 0.6), so the
// account map skips comparing the names of such pairs; true says nothing.
func CouldMatch(a, b *Party, th MatchThresholds) bool {
	sa, sb := NewMatchScreen(a), NewMatchScreen(b)
	return sa.CouldMatch(&sb, th)
}

// MatchScreen is what CouldMatch reads of a party, worked out once for a
// party screened against many: its domain, domain name and country, each
// with a hash that settles most comparisons without reading the strings.
type MatchScreen struct {
	registrable, label, country string
	regHash, labelHash, ctyHash uint64
	free, products              bool
}

// NewMatchScreen works out p's screen.
func NewMatchScreen(p *Party) MatchScreen {
	s := MatchScreen{registrable: p.Registrable, country: p.Country, products: len(p.ProductLines) > 0}
	if p.Registrable != "" {
		s.free, s.label = IsFreeMail(p.Registrable), DomainLabel(p.Registrable)
	}
	s.regHash, s.labelHash, s.ctyHash = StringHash(s.registrable), StringHash(s.label), StringHash(s.country)
	return s
}

// CouldMatch is CouldMatch of the two screens' parties.
func (a *MatchScreen) CouldMatch(b *MatchScreen, th MatchThresholds) bool {
	if a.products && b.products {
		return true
	}
	rel, sameCountry := a.relation(b)
	// The score at a name similarity of 1, the highest there is (product
	// lines on only one side, or none, change nothing).
	return scoreOf(rel, sameCountry, 0, 1) >= th.Likely
}

// relation is relate of the screens' parties, hashes first.
func (a *MatchScreen) relation(b *MatchScreen) (rel string, sameCountry bool) {
	sameCountry = a.country == "" || b.country == "" || a.ctyHash == b.ctyHash && a.country == b.country
	switch {
	case a.registrable == "" || b.registrable == "" || a.free || b.free:
		return "unknown", sameCountry
	case a.regHash == b.regHash && a.registrable == b.registrable:
		return "same", sameCountry
	case a.labelHash == b.labelHash && a.label == b.label:
		return "same_label", sameCountry
	}
	return "different", sameCountry
}

// FindMatchScreened is FindMatch(*a, *b, th) for parties whose screens
// are at hand (sa of a, sb of b, from NewMatchScreen): their domains'
// relation and countries are read from the screens instead of being
// compared again. The account map screens every pair before it scores it.
func FindMatchScreened(a, b *Party, sa, sb *MatchScreen, th MatchThresholds) (Match, bool) {
	rel, sameCountry := sa.relation(sb)
	return findRelated(a, b, rel, sameCountry, th)
}

// DomainLabel is a registrable domain's name without its public suffix and
// hyphens: "wayne-enterprises.com" → "wayneenterprises".
func DomainLabel(registrable string) string {
	label, _, _ := strings.Cut(registrable, ".")
	return strings.ReplaceAll(label, "-", "")
}

func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		for _, y := range b {
			if x == y {
				out = append(out, x)
				break
			}
		}
	}
	return out
}

// MatchableDomain returns the registrable domain and domain name to match
// on, or empty strings for none or free mail, which prove nothing.
func MatchableDomain(registrable string) (string, string) {
	if registrable == "" || IsFreeMail(registrable) {
		return "", ""
	}
	return registrable, DomainLabel(registrable)
}

// NameColumns are the normalized-name columns stored beside a customer
// name, so that the database can find candidates by index.
func NameColumns(name, registrable string) (full, core, label string) {
	n := NormalizeName(name)
	_, label = MatchableDomain(registrable)
	return n.Full, n.Core, label
}
