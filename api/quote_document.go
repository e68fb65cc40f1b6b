package api

import (
	"net/http"

	"github.com/dealflow/dealflow/internal/quotedoc"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
)

// The quote document (issue 15 §5): GET /v1/quotes/{id}/document.pdf and
// document.html print the quote GET /v1/quotes/{id} answers with — the
// same read, the same scope (a partner: its own organization's quotes;
// another's is 404) — with the waterfall per line or per quote
// (?waterfall=lines|quote).

func (s *Server) quoteDocumentRoutes() []Route {
	return []Route{
		{http.MethodGet, "/v1/quotes/:id/document.pdf", web.AllRoles, s.quoteDocument(quotedoc.FormatPDF)},
		{http.MethodGet, "/v1/quotes/:id/document.html", web.AllRoles, s.quoteDocument(quotedoc.FormatHTML)},
	}
}

// quoteDocument serves a quote's document in format f.
func (s *Server) quoteDocument(f quotedoc.Format) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := pathID(c, "quote")
		if !ok {
			return
		}
		mode, ok := quotedoc.ParseWaterfall(c.Query("waterfall"))
		if !ok {
			web.ValidationProblem(c, []web.FieldError{{Field: "waterfall", Message: "must be lines or quote"}})
			return
		}
		doc, err := s.read.QuoteDocument(c, id, web.PrincipalOf(c).Scope())
		if !s.found(c, err, "quote") {
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
