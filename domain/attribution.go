package domain

import "time"

// Touch is one referral click: which code (and so which partner) brought
// a visitor, and when.
type Touch struct {
	Code      string    `json:"code"`
	PartnerID string    `json:"partner_id"`
	At        time.Time `json:"at"`
}

// Attribute chooses the touch a lead arriving at now is attributed to:
// among touches within the policy's window (AttributionDays before now, up
// to now), the earliest (first touch) or the latest (last touch). ok is
// false when no touch is in the window: the lead is the vendor's.
func Attribute(p LeadPolicy, touches []Touch, now time.Time) (Touch, bool) {
	from := now.AddDate(0, 0, -p.AttributionDays)
	var best Touch
	found := false
	for _, t := range touches {
		if t.At.Before(from) || t.At.After(now) {
			continue
		}
		better := !found ||
			(p.AttributionModel == TouchLast && t.At.After(best.At)) ||
			(p.AttributionModel != TouchLast && t.At.Before(best.At))
		if better {
			best, found = t, true
		}
	}
	return best, found
}
