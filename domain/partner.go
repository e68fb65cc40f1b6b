package domain

import "strings"

// PartnerType is the kind of business a partner organization runs.
type PartnerType string

// Partner types, as the field names them (see shared/docs/domain.md).
const (
	PartnerReseller    PartnerType = "reseller"
	PartnerVAR         PartnerType = "var"
	PartnerDistributor PartnerType = "distributor"
	PartnerMSP         PartnerType = "msp"
	PartnerSI          PartnerType = "si"
	PartnerReferral    PartnerType = "referral"
	PartnerAgent       PartnerType = "agent"
)

// PartnerTypes lists every partner type.
var PartnerTypes = []PartnerType{PartnerReseller, PartnerVAR, PartnerDistributor, PartnerMSP, PartnerSI, PartnerReferral, PartnerAgent}

// Valid reports whether t is a known partner type.
func (t PartnerType) Valid() bool {
	for _, k := range PartnerTypes {
		if k == t {
			return true
		}
	}
	return false
}

// Tiers lists the program tiers in ascending order. Programs may define
// others; these are the defaults the field uses.
var Tiers = []string{"registered", "silver", "gold", "platinum"}

// NormalizeTier lower-cases and trims a tier name so "Gold" and "gold " are one tier.
func NormalizeTier(t string) string { return strings.ToLower(strings.TrimSpace(t)) }

// TierRank gives a tier's position in Tiers (0 = lowest), or -1 if unknown.
func TierRank(t string) int {
	t = NormalizeTier(t)
	for i, k := range Tiers {
		if k == t {
			return i
		}
	}
	return -1
}
