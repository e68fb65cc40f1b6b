package domain

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// CompanyName is a company name reduced for matching. Full keeps every
// distinctive word (legal forms, a leading "The" and connectors removed);
// Core also drops generic words ("bank", "systems", "group"), which say
// little about which company is meant. Both are space-separated, lower-case
// ASCII words.
type CompanyName struct {
	Full string `json:"full"`
	Core string `json:"core"`
}

// MaxNameInput bounds the text NormalizeName looks at; longer input is cut.
const MaxNameInput = 500

// NormalizeName reduces a company name for matching: "ACME Corporation",
// "Acme Corp." and "The Acme Co" all become "acme"; "Müller Maschinenbau
// GmbH" and "Mueller Maschinenbau" both "mueller maschinenbau";
// "Johnson & Sons Ltd" and "Johnson and Sons Limited" both "johnson sons".
// Normalizing a result again returns it unchanged.
func NormalizeName(name string) CompanyName {
	if len(name) > MaxNameInput {
		name = name[:MaxNameInput]
	}
	words := nameWords(name)
	words = expandAbbreviations(words)
	words = dropConnectors(words)
	words = stripLegalForms(words)
	full := strings.Join(words, " ")
	var core []string
	for _, w := range words {
		if !genericWords[w] {
			core = append(core, w)
		}
	}
	c := strings.Join(core, " ")
	if c == "" {
		c = full
	}
	return CompanyName{Full: full, Core: c}
}

// transliterations spell out letters that plain accent folding would lose
// or get wrong for company names (German umlauts are written "ue" when the
// umlaut is unavailable, so "Müller" and "Mueller" are one name).
var transliterations = map[rune]string{
	'ä': "ae", 'ö': "oe", 'ü': "ue", 'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'å': "a",
	'ł': "l", 'đ': "d", 'ð': "d", 'þ': "th", 'ı': "i",
}

// nameWords lower-cases, transliterates and folds accents, turns "&" and
// "+" into "and", joins abbreviations written with dots, slashes or
// apostrophes ("S.A.", "A/S", "Bob's") and splits on everything else.
func nameWords(s string) []string {
	var b strings.Builder
	for _, r := range norm.NFC.String(strings.ToLower(s)) {
		if t, ok := transliterations[r]; ok {
			b.WriteString(t)
			continue
		}
		switch r {
		case '&', '+':
			b.WriteString(" and ")
			continue
		case '.', '/', '\'', '’', '`':
			continue // joins: s.a. → sa, a/s → as, bob's → bobs
		}
		b.WriteRune(r)
	}
	var out strings.Builder
	for _, r := range norm.NFD.String(b.String()) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// a combining accent: dropped (é → e)
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			out.WriteRune(r)
		case transliterations[r] != "":
			out.WriteString(transliterations[r]) // revealed by decomposition: ǿ → ø → o
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			out.WriteRune(r) // a letter of another script is kept as is
		default:
			out.WriteByte(' ')
		}
	}
	return strings.Fields(out.String())
}

// abbreviations are written out so that both spellings compare equal.
var abbreviations = map[string]string{
	"intl": "international", "int": "international", "natl": "national", "st": "saint", "ste": "sainte",
	"mfg": "manufacturing", "svcs": "services", "svc": "services", "tech": "technologies",
	"technology": "technologies", "sys": "systems", "assoc": "associates", "bros": "brothers",
	"dept": "department", "univ": "university", "hosp": "hospital", "ctr": "center", "centre": "center",
	"mgmt": "management", "grp": "group", "hldgs": "holdings", "hldg": "holdings",
}

func expandAbbreviations(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		if full, ok := abbreviations[w]; ok {
			out[i] = full
		} else {
			out[i] = w
		}
	}
	return out
}

// connectors join parts of a name in several languages; "AT&T" and "AT and
// T" compare equal once they are gone. A leading "The" goes too.
var connectors = map[string]bool{"and": true, "und": true, "et": true, "og": true, "och": true}

func dropConnectors(words []string) []string {
	var out []string
	for _, w := range words {
		if (connectors[w] || w == "the" && len(out) == 0) && len(words) > 1 {
			continue
		}
		out = append(out, w)
	}
	return out
}

// legalForms are company legal forms across countries, as word sequences
// after nameWords (so "S.A. de C.V." is "sa de cv" and "Sp. z o.o." is
// "sp z oo"). They are removed at the end of a name, repeatedly ("Pty Ltd",
// "GmbH & Co. KG"), and a few at its start ("Kabushiki Kaisha Tanaka").
var legalForms = [][]string{
	{"sab", "de", "cv"}, {"sa", "de", "cv"}, {"s", "de", "rl"}, {"aktiengesellschaft"}, {"sp", "z", "oo"}, {"kabushiki", "kaisha"}, {"yugen", "kaisha"},
	{"public", "limited", "company"}, {"limited", "liability", "company"}, {"pty", "ltd"}, {"pvt", "ltd"},
	{"private", "limited"}, {"co", "ltd"}, {"co", "inc"},
	{"inc"}, {"incorporated"}, {"corp"}, {"corporation"}, {"co"}, {"company"}, {"companies"}, {"cos"}, {"llc"}, {"llp"}, {"lp"},
	{"ltd"}, {"limited"}, {"plc"}, {"gmbh"}, {"ag"}, {"kg"}, {"kgaa"}, {"ohg"}, {"ug"}, {"ev"},
	{"sa"}, {"sas"}, {"sasu"}, {"sarl"}, {"sca"}, {"scs"}, {"snc"}, {"spa"}, {"srl"}, {"sl"}, {"slu"},
	{"bv"}, {"nv"}, {"vof"}, {"ab"}, {"as"}, {"asa"}, {"aps"}, {"oy"}, {"oyj"}, {"hf"}, {"ehf"},
	{"pty"}, {"kk"}, {"gk"}, {"bhd"}, {"sdn"}, {"pte"}, {"pvt"}, {"spzoo"}, {"sro"}, {"zrt"},
	{"kft"}, {"doo"}, {"ad"}, {"ood"}, {"ltda"}, {"sacv"}, {"sab"}, {"cv"}, {"lda"}, {"pc"}, {"pllc"},
}

var leadingLegalForms = [][]string{{"kabushiki", "kaisha"}, {"yugen", "kaisha"}, {"kk"}}

func stripLegalForms(words []string) []string {
	changed := true
	for changed && len(words) > 1 {
		changed = false
		for _, form := range legalForms {
			n := len(form)
			if len(words) > n && equalWords(words[len(words)-n:], form) {
				words = words[:len(words)-n]
				changed = true
				break
			}
		}
	}
	for _, form := range leadingLegalForms {
		n := len(form)
		if len(words) > n && equalWords(words[:n], form) {
			words = words[n:]
			break
		}
	}
	return words
}

func equalWords(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// genericWords say what kind of business a company is, not which one; they
// are left out of the core name (weighted low) but kept in the full name.
var genericWords = map[string]bool{
	"bank": true, "group": true, "holdings": true, "holding": true, "international": true, "global": true,
	"systems": true, "solutions": true, "services": true, "technologies": true, "industries": true,
	"enterprises": true, "national": true, "first": true, "of": true, "for": true, "de": true, "la": true,
	"le": true, "des": true, "du": true, "der": true, "die": true, "el": true, "los": true, "y": true,
	"partners": true, "associates": true, "consulting": true, "software": true, "labs": true,
	"worldwide": true, "america": true, "usa": true, "north": true, "south": true, "east": true,
	"west": true, "central": true, "savings": true, "trust": true, "financial": true, "capital": true,
	"management": true, "network": true, "networks": true, "digital": true, "media": true, "health": true,
	"care": true, "medical": true, "dental": true, "clinic": true, "center": true, "logistics": true,
	"manufacturing": true, "products": true, "foods": true, "store": true, "shop": true, "online": true,
}
