package console

import (
	"net/http"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/internal/quotedoc"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// The quote document in the console: the API's document (the same read
// layer, the same renderer, internal/quotedoc) with a session instead of a
// token. The console's quote pages link here; ?waterfall=lines|quote
// chooses the waterfall as in the API.

func (s *Console) quoteDocRoutes() []Route {
	return []Route{
		{http.MethodGet, "/console/quotes/:id/document.pdf", web.AllRoles, s.quoteDocument(quotedoc.FormatPDF)},
		{http.MethodGet, "/console/quotes/:id/document.html", web.AllRoles, s.quoteDocument(quotedoc.FormatHTML)},
	}
}

// quoteDocument serves the quote the path names, within the caller's
// scope (a partner: its own organization's; another's is "Not found").
func (s *Console) quoteDocument(f quotedoc.Format) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := uuid.Parse(c.Param("id"))
		if err != nil {
			s.notFound(c)
			return
		}
		mode, ok := quotedoc.ParseWaterfall(c.Query("waterfall"))
		if !ok {
			web.ValidationProblem(c, []web.FieldError{{Field: "waterfall", Message: "must be lines or quote"}})
			return
		}
		doc, err := s.read.QuoteDocument(c, id, web.PrincipalOf(c).Scope())
		if db.IsNotFound(err) {
			s.notFound(c)
			return
		}
		if err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
		b, err := quotedoc.Render(doc, mode, f)
		if err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
		quotedoc.SetHeaders(c.Writer.Header(), doc, f)
		c.Status(http.StatusOK)
		_, _ = c.Writer.Write(b)
	}
}
