package api

import (
	"net/http"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
)

// TokenView is an API token as an admin sees it: its id and who holds it,
// never its hash.
type TokenView struct {
	ID        string     `json:"id"`
	UserID    string     `json:"user_id"`
	Name      string     `json:"name"`
	Role      string     `json:"role"`
	PartnerID string     `json:"partner_id,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// RevokedTokenView is a revoked token and how many live console sessions
// its revocation ended.
type RevokedTokenView struct {
	TokenView
	SessionsEnded int64 `json:"sessions_ended"`
}

func tokenView(t dbq.TokenListRow) TokenView {
	v := TokenView{ID: t.ID.String(), UserID: t.UserID.String(), Name: t.Name, Role: t.Role, CreatedAt: t.CreatedAt}
	if t.PartnerID.Valid {
		v.PartnerID = t.PartnerID.UUID.String()
	}
	if t.RevokedAt.Valid {
		at := t.RevokedAt.Time
		v.RevokedAt = &at
	}
	return v
}

// maxTokensListed bounds GET /v1/tokens (newest first).
const maxTokensListed = 1000

// listTokens lists API tokens, newest first, so that an admin can find
// the one to revoke.
func (s *Server) listTokens(c *gin.Context) {
	rows, err := s.q.TokenList(c, maxTokensListed)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	out := make([]TokenView, 0, len(rows))
	for _, r := range rows {
		out = append(out, tokenView(r))
	}
	c.JSON(http.StatusOK, gin.H{"tokens": out})
}

// revokeToken revokes a token and ends the console sessions opened with
// it (db.RevokeToken, shared with `dealflow token revoke`). Revoking a
// revoked token answers it as it is.
func (s *Server) revokeToken(c *gin.Context) {
	id, ok := pathID(c, "token")
	if !ok {
		return
	}
	if !s.decodeJSON(c, &struct{}{}, true) {
		return
	}
	tok, ended, err := db.RevokeToken(c, s.pool, id, s.clock.Now())
	if !s.found(c, err, "token") {
		return
	}
	s.log.Info("token revoked", "token", tok.ID, "user", tok.UserID, "by", web.PrincipalOf(c).UserID, "sessions_ended", ended,
		"request_id", web.RequestIDOf(c))
	c.JSON(http.StatusOK, RevokedTokenView{TokenView: tokenView(tok), SessionsEnded: ended})
}
