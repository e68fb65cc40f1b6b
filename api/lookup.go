package api

import (
	"net/http"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// pathID is the path's id, or false once it has answered 404 "no such
// noun": a malformed id names nothing, as an unknown one does.
func pathID(c *gin.Context, noun string) (uuid.UUID, bool) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		notFound(c, noun)
		return uuid.Nil, false
	}
	return id, true
}

// found reports whether the lookup of a noun that returned err found it;
// otherwise it has answered: 404 "no such noun" for no row (the queries
// are scoped, so a partner cannot tell another organization's record from
// none), 503 for anything else (logged).
func (s *Server) found(c *gin.Context, err error, noun string) bool {
	switch {
	case err == nil:
		return true
	case db.IsNotFound(err):
		notFound(c, noun)
	default:
		web.Unavailable(c, s.log, err)
	}
	return false
}

// notFound answers 404 "no such noun".
func notFound(c *gin.Context, noun string) {
	web.Fail(c, http.StatusNotFound, web.ProblemNotFound, "no such "+noun)
}
