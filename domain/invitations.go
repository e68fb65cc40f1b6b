package domain

import "time"

// InvitationTTL is how long an invitation link can be accepted.
const InvitationTTL = 7 * 24 * time.Hour

// InvitationProblem says why an invitation expiring at expiresAt and
// accepted at accepted (zero: never) cannot be accepted at now (empty: it
// can): a link is single-use and expires.
func InvitationProblem(expiresAt time.Time, accepted time.Time, now time.Time) string {
	switch {
	case !accepted.IsZero():
		return "this invitation has already been used; ask your administrator for a new one"
	case !now.Before(expiresAt):
		return "this invitation has expired; ask your administrator for a new one"
	}
	return ""
}

// InvitableRoles are the roles an inviter of role by may give: a partner
// admin invites partner users and admins of its own organization; a vendor
// admin invites anyone.
func InvitableRoles(by Role) []Role {
	switch by {
	case RolePartnerAdmin:
		return []Role{RolePartnerUser, RolePartnerAdmin}
	case RoleAdmin:
		return []Role{RolePartnerUser, RolePartnerAdmin, RoleChannelManager, RoleFinance, RoleAdmin}
	}
	return nil
}

// MayGrant reports whether an inviter of role by may give role r.
func MayGrant(by, r Role) bool {
	for _, x := range InvitableRoles(by) {
		if x == r {
			return true
		}
	}
	return false
}
