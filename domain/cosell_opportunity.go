package domain

import "time"

// ShareMode is how a shared opportunity (vendor → partner co-selling)
// finds its partner.
type ShareMode string

// The modes of a shared opportunity: the first invited partner to accept
// wins it; or invited partners express interest and the seller chooses.
const (
	ShareFirstToAccept ShareMode = "first_to_accept"
	ShareSellerChooses ShareMode = "seller_chooses"
)

// Valid reports whether m is a known mode.
func (m ShareMode) Valid() bool { return m == ShareFirstToAccept || m == ShareSellerChooses }

// DefaultInvitationBusinessDays is how long an invitation to a shared
// opportunity stays open when the seller gives no expiry: 5 business days.
const DefaultInvitationBusinessDays = 5

// InvitationExpiry is when invitations sent at now expire: at the given
// time if set, else DefaultInvitationBusinessDays business days later.
func InvitationExpiry(now, given time.Time) time.Time {
	if !given.IsZero() {
		return given
	}
	return AddBusinessDays(now, DefaultInvitationBusinessDays, nil)
}
