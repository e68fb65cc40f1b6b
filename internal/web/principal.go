package web

import (
	"github.com/dealflow/dealflow/domain"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// Principal is who is calling: the user behind the bearer token or the
// console session, and the person behind the user (none for a service
// user).
type Principal struct {
	UserID    uuid.UUID
	Name      string
	Role      domain.Role
	PartnerID uuid.NullUUID
	PersonID  uuid.NullUUID
}

// Actor is how the principal is recorded in events: with its person, whom
// four-eyes rules compare, or marked as a service.
func (p Principal) Actor() domain.Actor {
	a := domain.Actor{ID: p.UserID.String(), Name: p.Name, Role: p.Role, Service: !p.PersonID.Valid}
	if p.PartnerID.Valid {
		a.PartnerID = p.PartnerID.UUID.String()
	}
	if p.PersonID.Valid {
		a.PersonID = p.PersonID.UUID.String()
	}
	return a
}

// Scope is the organization every query the principal reaches is limited
// to: its partner for partner roles, none (all) for vendor roles. Queries
// take it as scope_partner_id.
func (p Principal) Scope() uuid.NullUUID {
	if p.Role.IsPartner() {
		// A partner role always has a partner (a CHECK constraint says so);
		// should it not, Valid stays true with a zero id and matches nothing.
		return uuid.NullUUID{UUID: p.PartnerID.UUID, Valid: true}
	}
	return uuid.NullUUID{}
}

// Owns reports whether p is a partner user of the organization partnerID.
func (p Principal) Owns(partnerID uuid.UUID) bool {
	return p.Role.IsPartner() && p.PartnerID.Valid && p.PartnerID.UUID == partnerID
}

// HasRole reports whether p holds one of roles.
func (p Principal) HasRole(roles ...domain.Role) bool {
	for _, r := range roles {
		if p.Role == r {
			return true
		}
	}
	return false
}

const ctxPrincipal = "dealflow.principal"

// SetPrincipal records who is calling, once authenticated.
func SetPrincipal(c *gin.Context, p Principal) { c.Set(ctxPrincipal, p) }

// PrincipalOf is who is calling; only handlers behind authentication ask.
func PrincipalOf(c *gin.Context) Principal {
	return c.MustGet(ctxPrincipal).(Principal)
}

// MaybePrincipal is who is calling, if anyone has been authenticated (a
// console page open to all shows the signed-in user when there is one).
func MaybePrincipal(c *gin.Context) (Principal, bool) {
	v, ok := c.Get(ctxPrincipal)
	if !ok {
		return Principal{}, false
	}
	p, ok := v.(Principal)
	return p, ok
}
