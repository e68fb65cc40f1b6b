// Package crm brings the vendor's CRM data into dealflow: existing customer
// accounts and direct-sales opportunities, the sources of conflict besides
// other partners' registrations. Rows arrive as JSON (the API) or CSV (the
// CLI), are validated as a whole, and are upserted by their CRM external id
// in one transaction: a batch with any bad row writes nothing and reports
// every bad row.
package crm

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/dealflow/dealflow/domain"
	"github.com/go-playground/validator/v10"
)

// RowError says what is wrong with one row of a batch. Row counts from 1
// (for CSV, the data row after the header).
type RowError struct {
	Row        int    `json:"row"`
	ExternalID string `json:"external_id,omitempty"`
	Field      string `json:"field"`
	Message    string `json:"message"`
}

func (e RowError) Error() string {
	id := ""
	if e.ExternalID != "" {
		id = " (" + e.ExternalID + ")"
	}
	return fmt.Sprintf("row %d%s: %s: %s", e.Row, id, e.Field, e.Message)
}

// MaxRows bounds one batch.
const MaxRows = 100_000

// Account is an existing customer, owned by direct sales or by a partner.
type Account struct {
	ExternalID        string `json:"external_id"`
	Name              string `json:"name"`
	Domain            string `json:"domain"`
	Country           string `json:"country"`
	OwnerType         string `json:"owner_type"`
	OwnerPartnerID    string `json:"owner_partner_id"`
	ReservedForDirect bool   `json:"reserved_for_direct"`
	// OwnerEmail is the vendor seller (sales_rep) who owns the account:
	// co-sell requests on its customer are routed to them ("" : none).
	OwnerEmail string `json:"owner_email,omitempty"`
	// Relation is customer (the default) or prospect: the vendor's side of
	// an account-mapping category (docs/cosell.md).
	Relation string `json:"relation,omitempty"`
}

// Opportunity is one of the vendor's direct-sales opportunities.
type Opportunity struct {
	ExternalID   string   `json:"external_id"`
	AccountName  string   `json:"account_name"`
	Domain       string   `json:"domain"`
	Country      string   `json:"country"`
	Owner        string   `json:"owner"`
	Stage        string   `json:"stage"`
	Status       string   `json:"status"`
	Amount       *int64   `json:"amount"`
	Currency     string   `json:"currency"`
	ProductLines []string `json:"product_lines"`
	CloseDate    string   `json:"close_date"`
}

// customerFields are what both kinds of rows say about the customer,
// normalized for matching.
type customerFields struct {
	host, registrable, label, full, core, keys string
}

// keysLiteral writes blocking keys as a PostgreSQL array literal, so a
// batch can carry one array per row through unnest.
func keysLiteral(keys []int64) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = strconv.FormatInt(k, 10)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

var countryCheck = validator.New()

// checkCustomer validates and normalizes the customer part of a row.
func checkCustomer(row int, id, nameField, name, domainText, country string, errs *[]RowError) customerFields {
	bad := func(field, msg string) {
		*errs = append(*errs, RowError{Row: row, ExternalID: id, Field: field, Message: msg})
	}
	var c customerFields
	switch {
	case strings.TrimSpace(name) == "":
		bad(nameField, "is required")
	case len(name) > 200:
		bad(nameField, "must be at most 200 characters")
	}
	if strings.TrimSpace(domainText) != "" {
		host, err := domain.NormalizeHost(domainText)
		if err == nil {
			c.registrable, err = domain.RegistrableDomain(host)
		}
		if err != nil {
			bad("domain", "must be a web domain such as acme.com")
		}
		c.host = host
	}
	if country != "" && countryCheck.Var(country, "iso3166_1_alpha2") != nil {
		bad("country", "must be an ISO 3166-1 alpha-2 code such as US")
	}
	c.full, c.core, c.label = domain.NameColumns(name, c.registrable)
	c.keys = keysLiteral(domain.NameKeys(domain.CompanyName{Full: c.full, Core: c.core}))
	return c
}

func checkID(row int, id string, seen map[string]int, errs *[]RowError) {
	switch {
	case id == "":
		*errs = append(*errs, RowError{Row: row, Field: "external_id", Message: "is required"})
	case len(id) > 200:
		*errs = append(*errs, RowError{Row: row, ExternalID: id[:20], Field: "external_id", Message: "must be at most 200 characters"})
	case seen[id] > 0:
		*errs = append(*errs, RowError{Row: row, ExternalID: id, Field: "external_id", Message: fmt.Sprintf("repeats row %d", seen[id])})
	default:
		seen[id] = row
	}
}

// checkText refuses what domain.TextProblem refuses (NUL and other control
// characters, invalid UTF-8) in every text column of a row, each one found
// by reflection and named by its JSON name, so that no column, including
// one added later, can carry text PostgreSQL refuses. It runs before
// the row is trimmed and case-folded, on the text as sent.
func checkText(row int, id string, v any, errs *[]RowError) {
	if domain.TextProblem(id, false) != "" {
		id = "" // not worth echoing
	}
	rv := reflect.ValueOf(v)
	for i := range rv.NumField() {
		var texts []string
		switch f := rv.Field(i); f.Kind() {
		case reflect.String:
			texts = []string{f.String()}
		case reflect.Slice:
			texts, _ = f.Interface().([]string)
		}
		for _, s := range texts {
			if why := domain.TextProblem(s, false); why != "" {
				name, _, _ := strings.Cut(rv.Type().Field(i).Tag.Get("json"), ",")
				*errs = append(*errs, RowError{Row: row, ExternalID: id, Field: name, Message: why})
				break
			}
		}
	}
}

// firstPerField keeps each row's first error per field, so a column with
// control characters is not also reported as, say, an invalid currency.
func firstPerField(errs []RowError) []RowError {
	type key struct {
		row   int
		field string
	}
	seen := map[key]bool{}
	out := errs[:0]
	for _, e := range errs {
		if k := (key{e.Row, e.Field}); !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	return out
}
