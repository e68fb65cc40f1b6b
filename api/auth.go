package api

import (
	"net/http"
	"strings"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/tokens"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
)

// authenticate resolves the bearer token to a principal, or answers 401;
// an unknown or revoked token counts against the client's address
// (authGuard, which admit consults first).
func (s *Server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		c.Header("WWW-Authenticate", `Bearer realm="dealflow"`)
		web.Fail(c, http.StatusUnauthorized, web.ProblemUnauthenticated, "send an Authorization header with a Bearer token")
		return
	}
	row, err := s.q.PrincipalByTokenHash(c, tokens.Hash(strings.TrimSpace(token)))
	if db.IsNotFound(err) {
		s.guard.Failed(web.ClientAddress(c), s.now())
		c.Header("WWW-Authenticate", `Bearer realm="dealflow", error="invalid_token"`)
		web.Fail(c, http.StatusUnauthorized, web.ProblemUnauthenticated, "the token is unknown or revoked")
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	web.SetPrincipal(c, principalOf(row))
	c.Set(ctxTokenKey, row.TokenID.String())
	c.Next()
}

func principalOf(r dbq.PrincipalByTokenHashRow) web.Principal {
	return web.Principal{UserID: r.UserID, Name: r.Name, Role: domain.Role(r.Role), PartnerID: r.PartnerID, PersonID: r.PersonID}
}

// allow answers 403 unless the principal holds one of roles. Every route
// declares its roles in routes(): authorization is decided there alone.
func allow(roles ...domain.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := web.PrincipalOf(c)
		for _, r := range roles {
			if p.Role == r {
				c.Next()
				return
			}
		}
		web.Fail(c, http.StatusForbidden, web.ProblemForbidden, "the role "+string(p.Role)+" may not do this")
	}
}
