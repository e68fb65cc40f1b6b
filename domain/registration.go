package domain

// Customer is the end customer a partner registers a deal for.
type Customer struct {
	Name    string `json:"name"`
	Domain  string `json:"domain"`
	Country string `json:"country"`
}

// Contact is the partner's contact at the customer.
type Contact struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Registration is what a partner submits for a deal, validated and
// normalized by the API before any workflow sees it.
type Registration struct {
	Kind     Kind     `json:"kind"`
	Customer Customer `json:"customer"`
	// RegistrableDomain is Customer.Domain reduced with the public suffix
	// list ("sales.acme.co.uk" → "acme.co.uk"): what conflict checks compare.
	RegistrableDomain string   `json:"registrable_domain"`
	Contact           Contact  `json:"contact"`
	ProductLines      []string `json:"product_lines"`
	// Amount is in minor units of Currency (cents for USD).
	Amount            int64  `json:"amount"`
	Currency          string `json:"currency"`
	ExpectedCloseDate string `json:"expected_close_date"` // YYYY-MM-DD
	Notes             string `json:"notes"`
}

// Outcome is how a protected deal ended, as the partner (or its CRM)
// reported it. Closed-won figures are what incentives pay on.
type Outcome struct {
	Won          bool     `json:"won"`
	Amount       int64    `json:"amount,omitempty"`
	Currency     string   `json:"currency,omitempty"`
	ProductLines []string `json:"product_lines,omitempty"`
	// Units sold, for per-unit SPIFFs (0: not reported, counted as 1).
	Units     int64  `json:"units,omitempty"`
	CloseDate string `json:"close_date"` // YYYY-MM-DD
	Reason    string `json:"reason,omitempty"`
	// QuoteID is the accepted quote the win came from (empty: reported
	// by the partner directly).
	QuoteID string `json:"quote_id,omitempty"`
	// QuoteVersion is the version of that quote the customer accepted.
	QuoteVersion int `json:"quote_version,omitempty"`
}
