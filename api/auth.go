package api

import (
	"net/http"
	"strings"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/tokens"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// Principal is who is calling: the user behind the bearer token, and the
// person behind the user (none for a service user).
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

const ctxPrincipal = "dealflow.principal"

// authenticate resolves the bearer token to a principal, or answers 401;
// an unknown or revoked token counts against the client's address
// (authGuard, which admit consults first).
func (s *Server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		c.Header("WWW-Authenticate", `Bearer realm="dealflow"`)
		problem(c, http.StatusUnauthorized, ProblemUnauthenticated, "send an Authorization header with a Bearer token")
		return
	}
	row, err := s.q.PrincipalByTokenHash(c, tokens.Hash(strings.TrimSpace(token)))
	if db.IsNotFound(err) {
		s.guard.failed(clientAddress(c), s.now())
		c.Header("WWW-Authenticate", `Bearer realm="dealflow", error="invalid_token"`)
		problem(c, http.StatusUnauthorized, ProblemUnauthenticated, "the token is unknown or revoked")
		return
	}
	if err != nil {
		s.unavailable(c, err)
		return
	}
	c.Set(ctxPrincipal, principalOf(row))
	c.Set(ctxTokenKey, row.TokenID.String())
	c.Next()
}

func principalOf(r dbq.PrincipalByTokenHashRow) Principal {
	return Principal{UserID: r.UserID, Name: r.Name, Role: domain.Role(r.Role), PartnerID: r.PartnerID, PersonID: r.PersonID}
}

// allow answers 403 unless the principal holds one of roles. Every route
// declares its roles in routes(): authorization is decided there alone.
func allow(roles ...domain.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := principal(c)
		for _, r := range roles {
			if p.Role == r {
				c.Next()
				return
			}
		}
		problem(c, http.StatusForbidden, ProblemForbidden, "the role "+string(p.Role)+" may not do this")
	}
}

func principal(c *gin.Context) Principal {
	return c.MustGet(ctxPrincipal).(Principal)
}
