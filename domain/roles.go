package domain

// Role is what a principal (a user, through one of its API tokens) may do.
type Role string

// The roles dealflow knows. Partner roles belong to one partner organization;
// the others are the vendor's staff.
const (
	RolePartnerUser    Role = "partner_user"
	RolePartnerAdmin   Role = "partner_admin"
	RoleChannelManager Role = "channel_manager"
	RoleFinance        Role = "finance"
	RoleAdmin          Role = "admin"
	// RoleSalesRep is a vendor seller (account executive): owns accounts
	// and territories, answers co-sell requests, and reads only the
	// engagements and accounts assigned to them.
	RoleSalesRep Role = "sales_rep"
	// RoleSystem is the actor role of decisions dealflow takes itself
	// (automatic rules, timers). No token carries it.
	RoleSystem Role = "system"
)

// TokenRoles lists the roles a token can be created with.
var TokenRoles = []Role{RolePartnerUser, RolePartnerAdmin, RoleChannelManager, RoleFinance, RoleAdmin, RoleSalesRep}

// Valid reports whether r is a role a token may carry.
func (r Role) Valid() bool {
	for _, k := range TokenRoles {
		if k == r {
			return true
		}
	}
	return false
}

// IsPartner reports whether r belongs to a partner organization, so that
// everything it reads or changes must be scoped to that organization.
func (r Role) IsPartner() bool { return r == RolePartnerUser || r == RolePartnerAdmin }

// Actor identifies who did something: recorded with every event.
type Actor struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role Role   `json:"role"`
	// PartnerID is the actor's organization, for partner roles.
	PartnerID string `json:"partner_id,omitempty"`
	// PersonID is the person behind the user: one person may hold several
	// roles and tokens (users), and four-eyes rules count people, not
	// users. Empty for a service (integration) user and for actors
	// recorded before people existed.
	PersonID string `json:"person_id,omitempty"`
	// Service marks a service user (an integration such as a CRM): no
	// person stands behind it, so it never counts as an approver.
	Service bool `json:"service,omitempty"`
}

// SamePerson reports whether a and b are the same person: the same user,
// or two users (roles, tokens) of one person. An actor recorded before
// people existed carries no PersonID and is compared by its user alone.
func (a Actor) SamePerson(b Actor) bool {
	return a.ID == b.ID || (a.PersonID != "" && a.PersonID == b.PersonID)
}

// SystemActor is the actor recorded for decisions dealflow takes by itself.
var SystemActor = Actor{ID: "system", Name: "dealflow", Role: RoleSystem}
