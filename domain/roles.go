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
	// RoleSystem is the actor role of decisions dealflow takes itself
	// (automatic rules, timers). No token carries it.
	RoleSystem Role = "system"
)

// TokenRoles lists the roles a token can be created with.
var TokenRoles = []Role{RolePartnerUser, RolePartnerAdmin, RoleChannelManager, RoleFinance, RoleAdmin}

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
}

// SystemActor is the actor recorded for decisions dealflow takes by itself.
var SystemActor = Actor{ID: "system", Name: "dealflow", Role: RoleSystem}
