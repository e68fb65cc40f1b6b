package quotedoc

import (
	"fmt"
	"net/http"

	"github.com/dealflow/dealflow/read"
)

// Format is a document's file format.
type Format string

// The formats a quote document is rendered in.
const (
	FormatPDF  Format = "pdf"
	FormatHTML Format = "html"
)

// Render renders doc in format f with the waterfall shown as mode says.
func Render(doc read.QuoteDocument, mode Waterfall, f Format) ([]byte, error) {
	if f == FormatPDF {
		return PDF(doc, mode)
	}
	return HTML(doc, mode)
}

// SetHeaders sets what an answer carrying doc in format f needs: its media
// type, its file name (quote-<id>-v<version>.<ext>, shown inline), and for
// HTML the policy that allows only its own style sheet. The API and the
// console serve documents the same way.
func SetHeaders(h http.Header, doc read.QuoteDocument, f Format) {
	h.Set("Content-Disposition", fmt.Sprintf(`inline; filename="quote-%s-v%d.%s"`, doc.Quote.ID, doc.Quote.Version, f))
	if f == FormatPDF {
		h.Set("Content-Type", "application/pdf")
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
}
