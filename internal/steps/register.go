package steps

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
)

// CreateDealRequest is the body of POST /v1/deals and of the console's
// registration form: registering is a deal's first step.
type CreateDealRequest struct {
	Kind     string `json:"kind" validate:"omitempty,oneof=resale referral"`
	Customer struct {
		Name    string `json:"name" validate:"required,max=200,printable"`
		Domain  string `json:"domain" validate:"required,max=253,printable"`
		Country string `json:"country" validate:"required,iso3166_1_alpha2"`
	} `json:"customer" validate:"required"`
	Contact struct {
		Name  string `json:"name" validate:"required,max=200,printable"`
		Email string `json:"email" validate:"required,max=254,email"`
	} `json:"contact" validate:"required"`
	ProductLines      []string `json:"product_lines" validate:"required,min=1,max=20,dive,required,max=100,printable"`
	Amount            int64    `json:"amount" validate:"required,gt=0,lte=1000000000000000"`
	Currency          string   `json:"currency" validate:"required,currency"`
	ExpectedCloseDate string   `json:"expected_close_date" validate:"required,datetime=2006-01-02"`
	Notes             string   `json:"notes" validate:"max=5000,multiline"`
}

// Normalize trims what people type and puts codes in canonical case, before
// validation, so " us " and "usd" are accepted as US and USD.
func (r *CreateDealRequest) Normalize() {
	r.Customer.Name = strings.TrimSpace(r.Customer.Name)
	r.Customer.Domain = strings.TrimSpace(r.Customer.Domain)
	r.Customer.Country = strings.ToUpper(strings.TrimSpace(r.Customer.Country))
	r.Contact.Name = strings.TrimSpace(r.Contact.Name)
	r.Contact.Email = strings.TrimSpace(r.Contact.Email)
	r.Currency = strings.ToUpper(strings.TrimSpace(r.Currency))
	r.ExpectedCloseDate = strings.TrimSpace(r.ExpectedCloseDate)
	r.Notes = strings.TrimSpace(r.Notes)
	r.Kind = strings.ToLower(strings.TrimSpace(r.Kind))
	if r.Kind == "" {
		r.Kind = string(domain.KindResale)
	}
	r.ProductLines = domain.NormalizeProductLines(r.ProductLines)
}

// ContactOf is a contact as typed, trimmed.
func ContactOf(name, email string) domain.Contact {
	return domain.Contact{Name: strings.TrimSpace(name), Email: strings.TrimSpace(email)}
}

// Registration validates r beyond its tags (domain, dates) and returns the
// domain value the workflow receives.
func (r *CreateDealRequest) Registration(today time.Time) (domain.Registration, []web.FieldError) {
	var errs []web.FieldError
	host, err := domain.NormalizeHost(r.Customer.Domain)
	registrable := ""
	if err == nil {
		registrable, err = domain.RegistrableDomain(host)
	}
	if err != nil {
		errs = append(errs, web.FieldError{Field: "customer.domain", Message: "must be a web domain such as acme.com"})
	}
	if d, err := time.Parse(time.DateOnly, r.ExpectedCloseDate); err == nil {
		if why := domain.ExpectedCloseProblem(d, today); why != "" {
			errs = append(errs, web.FieldError{Field: "expected_close_date", Message: why})
		}
	}
	return domain.Registration{
		Kind:              domain.Kind(r.Kind),
		Customer:          domain.Customer{Name: r.Customer.Name, Domain: host, Country: r.Customer.Country},
		RegistrableDomain: registrable,
		Contact:           domain.Contact{Name: r.Contact.Name, Email: r.Contact.Email},
		ProductLines:      r.ProductLines,
		Amount:            r.Amount,
		Currency:          r.Currency,
		ExpectedCloseDate: r.ExpectedCloseDate,
		Notes:             r.Notes,
	}, errs
}

// Hash identifies a registration's content for its idempotency key: the
// normalized request, so spacing and case do not matter.
func (r CreateDealRequest) Hash() string {
	body, _ := json.Marshal(r)
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}
