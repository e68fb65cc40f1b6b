package api

import (
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/read"
)

// quoteDocs documents the quote context's routes for the OpenAPI description.
func quoteDocs(docs map[string]routeDoc) {
	list := func(key string, v any) map[string]any { return map[string]any{key: v} }
	for k, v := range map[string]routeDoc{
		"POST /v1/deals/:id/quotes":           {Summary: "Quote a deal: priced by the waterfall (waits until stored)", Body: createQuoteRequest{}, Response: read.QuoteView{}, Status: 201},
		"GET /v1/quotes":                      {Summary: "Quotes (partners: their organization's)", Response: list("quotes", []read.QuoteView{}), Query: []string{"status", "deal_id"}},
		"GET /v1/quotes/:id":                  {Summary: "A quote explained to the cent: every line's waterfall, every version, every event", Response: read.QuoteView{}},
		"GET /v1/quotes/:id/document.pdf":     {Summary: "The quote's document as a PDF (waterfall per line or per quote)", Media: "application/pdf", Query: []string{"waterfall"}},
		"GET /v1/quotes/:id/document.html":    {Summary: "The quote's document as an HTML page (waterfall per line or per quote)", Media: "text/html", Query: []string{"waterfall"}},
		"GET /v1/quote-catalog/products":      {Summary: "The product catalog", Response: list("products", []domain.Product{}), Query: []string{"q"}},
		"PUT /v1/quote-catalog/products/:sku": {Summary: "Create or replace a product", Body: quoteProductBody{}, Response: domain.Product{}},
		"GET /v1/quote-catalog/prices":        {Summary: "The price book: every entry", Response: list("prices", []domain.Price{})},
		"POST /v1/quote-catalog/prices":       {Summary: "Add a price book entry, in force from its day", Body: quotePriceBody{}, Response: domain.Price{}, Status: 201},
		"POST /v1/quote-catalog/schedules":    {Summary: "Add a volume schedule version (range or slab)", Body: quoteScheduleBody{}, Response: domain.Schedule{}, Status: 201},
		"GET /v1/quote-catalog/policy":        {Summary: "The channel pricing policy in force", Response: domain.ChannelPricing{}},
		"POST /v1/quote-catalog/policy":       {Summary: "Publish a new channel pricing policy version", Body: domain.ChannelPricing{}, Response: domain.ChannelPricing{}, Status: 201},
		"POST /v1/quote-catalog/import":       {Summary: "Import products, prices or schedules from CSV: all rows or none", Media: "text/csv", Response: map[string]any{}, Status: 201, Query: []string{"kind"}},
	} {
		docs[k] = v
	}
	for _, st := range quoteSteps() {
		docs["POST /v1/quotes/:id/"+st.Path] = routeDoc{Summary: st.Path + " (a step of the quote's workflow)", Body: st.NewBody(), Response: read.QuoteView{}}
	}
}
