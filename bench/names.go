// Package bench loads synthetic data and measures dealflow's hot paths
// beside a bare baseline run in the same process on the same rows, so that
// the figures mean something on a shared, noisy machine.
package bench

import (
	"math/rand/v2"
	"strings"
)

// Word lists for realistic synthetic company names: many companies share
// words ("Blue", "Harbor", "Logistics"), as real ones do.
var (
	firstWords = strings.Fields(`Blue Red Green Silver Golden Black White North South East West Pacific Atlantic
		Summit Pinnacle Apex Vertex Horizon Frontier Pioneer Liberty Patriot Eagle Falcon Hawk Lion Tiger Bear Wolf
		Cedar Oak Pine Maple Willow Birch Aspen Sierra Rocky Harbor Bay River Lake Ocean Coastal Prairie Valley
		Highland Lowland Metro Urban Royal Imperial Crown Sterling Premier Prime Elite Alpha Beta Delta Gamma Omega
		Sigma Nova Stellar Lunar Solar Orbit Quantum Fusion Vector Matrix Nexus Core Bright Clear Swift Rapid Smart
		Precision Allied United National American Global Universal General Standard Modern Classic Heritage Legacy
		Evergreen Sunrise Sunset Twilight Midnight Crystal Diamond Emerald Sapphire Ruby Amber Ivory Granite Iron
		Steel Copper Titan Atlas Orion Phoenix Mercury Jupiter Saturn Apollo Zenith Polaris Keystone Cornerstone
		Landmark Benchmark Bridge Gateway Harvest Meadow Orchard Willowbrook Brookside Riverside Lakeside Hillside
		Johnson Smith Williams Brown Jones Miller Davis Garcia Rodriguez Wilson Martinez Anderson Taylor Thomas
		Moore Jackson Martin Lee Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott
		Hill Adams Baker Nelson Carter Mitchell Perez Roberts Turner Phillips Campbell Parker Evans Edwards Collins
		Stewart Morris Murphy Cook Rogers Morgan Peterson Cooper Reed Bailey Bell Kelly Howard Ward Cox Richardson
		Wood Watson Brooks Bennett Gray James Reyes Hughes Price Myers Long Foster Sanders Ross Powell Sullivan
		Russell Ortiz Jenkins Perry Butler Barnes Fisher Henderson Coleman Simmons Patterson Jordan Reynolds
		Hamilton Graham Kim Gonzales Alexander Ramos Wallace Griffin West Cole Hayes Chavez Gibson Bryant Ellis
		Stevens Murray Ford Marshall Owens McDonald Harrison Ruiz Kennedy Wells Alvarez Woods Mendoza Castillo
		Olson Webb Washington Tucker Freeman Burns Henry Vasquez Snyder Simpson Crawford Jimenez Porter Mason
		Shaw Gordon Wagner Hunter Romero Hicks Dixon Hunt Palmer Robertson Black Holmes Stone Meyer Boyd Mills
		Warren Fox Rose Rice Moreno Schmidt Patel Ferguson Nichols Herrera Medina Ryan Fernandez Weaver Daniels
		Stephens Gardner Payne Kelley Dunn Pierce Arnold Tran Spencer Peters Hawkins Grant Hansen Castro Hoffman
		Hart Elliott Cunningham Knight Bradley Mueller Schneider Fischer Weber Becker Schulz Koch Richter Klein
		Wolf Neumann Schwarz Zimmermann Braun Krueger Hofmann Hartmann Lange Schmitt Werner Krause Meier Lehmann
		Dubois Durand Lefebvre Moreau Laurent Simon Michel Garnier Rossi Russo Ferrari Esposito Bianchi Romano
		Colombo Ricci Marino Greco Bruno Gallo Conti Tanaka Suzuki Watanabe Ito Yamamoto Nakamura Kobayashi Kato`)
	middleWords = strings.Fields(`Harbor Bridge Stone Field Brook Ridge Creek Point Rock Wave Spring Forge Gate
		Tower Works Mill Port Crest Peak Path Trail Way Line Link Star Light Fire Wind Water Leaf Tree Wood Root
		Seed Grove Farm Ranch Garden Park Square Circle Arrow Shield Anchor Compass Beacon Lantern Signal Pulse
		Spark Flow Stream Current Tide Shore Coast Island Cape Canyon Mesa Plains Hollow Glen Dale Heights View
		Vista Crossing Junction Landing Station Depot Yard Dock Pier Wharf Quay Haven Harbour Castle Manor Hall
		Court Lodge Cabin Barn Shed Loft Studio Lab Hub Nest Hive Den Camp Base Fort Keep Mark Sign Code Data
		Cloud Byte Bit Net Web Grid Mesh Node Cell Chip Wire Cable Fiber Logic Mind Sense Vision Focus Insight`)
	industryWords = strings.Fields(`Logistics Systems Solutions Technologies Consulting Partners Group Holdings
		Industries Enterprises Services Software Networks Capital Ventures Health Medical Dental Pharma Foods
		Farms Energy Power Electric Solar Mining Metals Steel Plastics Chemicals Construction Builders Roofing
		Plumbing Heating Engineering Design Media Marketing Advertising Publishing Studios Entertainment Sports
		Fitness Travel Airlines Shipping Freight Transport Motors Automotive Aerospace Robotics Analytics Security
		Insurance Bank Financial Investments Realty Properties Homes Hotels Restaurants Bakery Brewing Apparel
		Textiles Furniture Hardware Tools Supply Distribution Trading Imports Exports Manufacturing Labs Clinic`)
	legalSuffixes = strings.Fields(`Inc Inc. LLC Ltd Ltd. Limited Corp Corp. Corporation Co Company GmbH AG SA
		SAS SARL S.p.A. BV NV AB AS A/S Oy PLC Pty.Ltd KK LLP LP Srl`)
	tlds      = []string{".com", ".com", ".com", ".com", ".io", ".net", ".co", ".co.uk", ".de", ".fr", ".com.au", ".ca", ".nl", ".es", ".it"}
	countries = []string{"US", "US", "US", "US", "GB", "DE", "FR", "CA", "AU", "NL", "ES", "IT", "SE", "JP", "BR", "IN"}
)

// syntheticCompany returns a company name and its web domain.
func syntheticCompany(r *rand.Rand) (string, string) {
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	var words []string
	switch r.IntN(5) {
	case 0:
		words = []string{pick(firstWords), pick(middleWords)}
	case 1:
		words = []string{pick(firstWords), pick(middleWords), pick(industryWords)}
	case 2:
		words = []string{pick(firstWords), "&", pick(firstWords)}
	case 3:
		words = []string{pick(firstWords), pick(industryWords)}
	default:
		words = []string{pick(firstWords) + strings.ToLower(pick(middleWords)), pick(industryWords)}
	}
	var distinct []string
	for _, w := range words {
		if w != "&" {
			distinct = append(distinct, w)
		}
	}
	// The domain comes from the first two words ("Cooper & Hunt" →
	// cooperhunt), as companies pick theirs.
	domainPart := strings.ToLower(strings.Join(distinct[:min(2, len(distinct))], ""))
	if r.IntN(4) == 0 {
		domainPart += strings.ToLower(pick(industryWords))
	}
	if r.IntN(10) < 7 {
		words = append(words, pick(legalSuffixes))
	}
	return strings.Join(words, " "), domainPart + pick(tlds)
}

// variant turns a name into what another person might type for the same
// company: another legal form, a typo, a case change, "and" for "&".
func variant(r *rand.Rand, name string) string {
	words := strings.Fields(name)
	switch r.IntN(4) {
	case 0: // another legal form
		if len(words) > 1 {
			words = words[:len(words)-1]
		}
		words = append(words, legalSuffixes[r.IntN(len(legalSuffixes))])
	case 1: // a typo: swap two letters of the longest word
		longest := 0
		for i, w := range words {
			if len(w) > len(words[longest]) {
				longest = i
			}
		}
		if w := []rune(words[longest]); len(w) > 4 {
			i := 1 + r.IntN(len(w)-3)
			w[i], w[i+1] = w[i+1], w[i]
			words[longest] = string(w)
		}
	case 2:
		return strings.ToUpper(name)
	default:
		for i, w := range words {
			if w == "&" {
				words[i] = "and"
			}
		}
	}
	return strings.Join(words, " ")
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }
