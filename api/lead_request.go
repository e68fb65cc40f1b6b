package api

import (
	"encoding/json"
	"github.com/dealflow/dealflow/internal/steps"
	"github.com/dealflow/dealflow/internal/web"
	"strings"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/lead"
)

// createLeadRequest is the body of POST /v1/leads, and one row of an import.
type createLeadRequest struct {
	ProgramID string `json:"program_id" validate:"omitempty,uuid"`
	Company   struct {
		Name    string `json:"name" validate:"required,max=200,printable"`
		Domain  string `json:"domain" validate:"required,max=253,printable"`
		Country string `json:"country" validate:"required,iso3166_1_alpha2"`
	} `json:"company" validate:"required"`
	Region  string `json:"region" validate:"max=100,printable"`
	Contact struct {
		Name  string `json:"name" validate:"required,max=200,printable"`
		Email string `json:"email" validate:"required,max=254,email"`
	} `json:"contact" validate:"required"`
	ProductLines []string `json:"product_lines" validate:"required,min=1,max=20,dive,required,max=100,printable"`
	Tags         []string `json:"tags" validate:"max=20,dive,required,max=50,printable"`
	Amount       int64    `json:"amount" validate:"required,gt=0,lte=1000000000000000"`
	Currency     string   `json:"currency" validate:"required,currency"`
	Notes        string   `json:"notes" validate:"max=5000,multiline"`
}

func (r *createLeadRequest) normalize() {
	r.Company.Name = strings.TrimSpace(r.Company.Name)
	r.Company.Domain = strings.TrimSpace(r.Company.Domain)
	r.Company.Country = strings.ToUpper(strings.TrimSpace(r.Company.Country))
	r.Region = strings.TrimSpace(r.Region)
	r.Contact.Name = strings.TrimSpace(r.Contact.Name)
	r.Contact.Email = strings.TrimSpace(r.Contact.Email)
	r.Currency = strings.ToUpper(strings.TrimSpace(r.Currency))
	r.Notes = strings.TrimSpace(r.Notes)
	r.ProductLines = domain.NormalizeProductLines(r.ProductLines)
	for i, t := range r.Tags {
		r.Tags[i] = strings.ToLower(strings.TrimSpace(t))
	}
}

// lead validates r beyond its tags (the web domain) and returns the lead
// the workflow receives.
func (r *createLeadRequest) lead() (lead.Lead, []web.FieldError) {
	host, err := domain.NormalizeHost(r.Company.Domain)
	registrable := ""
	if err == nil {
		registrable, err = domain.RegistrableDomain(host)
	}
	var errs []web.FieldError
	if err != nil {
		errs = append(errs, web.FieldError{Field: "company.domain", Message: "must be a web domain such as acme.com"})
	}
	return lead.Lead{
		Company: domain.Customer{Name: r.Company.Name, Domain: host, Country: r.Company.Country}, RegistrableDomain: registrable,
		Region: r.Region, Contact: steps.ContactOf(r.Contact.Name, r.Contact.Email), ProductLines: r.ProductLines,
		Tags: r.Tags, Amount: r.Amount, Currency: r.Currency, Notes: r.Notes,
	}, errs
}

// leadStepBody is the body of accept, decline and contacted.
type leadStepBody struct {
	Reason string `json:"reason" validate:"max=2000,multiline"`
}

// leadRoutingRequest is the body of PUT /v1/programs/{id}/lead-routing.
type leadRoutingRequest struct {
	Policy json.RawMessage   `json:"policy" validate:"jsontext"`
	Rules  []routingRuleBody `json:"rules" validate:"max=100,dive"`
}

// routingRuleBody is one routing rule (domain.RoutingRule); empty lists
// match anything.
type routingRuleBody struct {
	Name         string   `json:"name" validate:"required,max=100,printable"`
	Countries    []string `json:"countries" validate:"max=250,dive,iso3166_1_alpha2"`
	Regions      []string `json:"regions" validate:"max=50,dive,required,max=100,printable"`
	ProductLines []string `json:"product_lines" validate:"max=50,dive,required,max=100,printable"`
	LeadTags     []string `json:"lead_tags" validate:"max=20,dive,required,max=50,printable"`
	PartnerTypes []string `json:"partner_types" validate:"max=7,dive,oneof=reseller var distributor msp si referral agent"`
	MinTier      string   `json:"min_tier" validate:"omitempty,oneof=registered silver gold platinum"`
	PartnerTags  []string `json:"partner_tags" validate:"max=20,dive,required,max=50,printable"`
}

func (b routingRuleBody) rule() domain.RoutingRule {
	r := domain.RoutingRule{Name: b.Name, Countries: b.Countries, Regions: b.Regions,
		ProductLines: domain.NormalizeProductLines(b.ProductLines), LeadTags: b.LeadTags, MinTier: b.MinTier, PartnerTags: b.PartnerTags}
	for _, t := range b.PartnerTypes {
		r.PartnerTypes = append(r.PartnerTypes, domain.PartnerType(t))
	}
	return r
}

// leadProfileRequest is the body of PUT /v1/partners/{id}/lead-profile.
type leadProfileRequest struct {
	Countries    []string `json:"countries" validate:"max=250,dive,iso3166_1_alpha2"`
	ProductLines []string `json:"product_lines" validate:"max=50,dive,required,max=100,printable"`
	Tags         []string `json:"tags" validate:"max=20,dive,required,max=50,printable"`
	Capacity     int32    `json:"capacity" validate:"gte=0,lte=100000"`
	Weight       int32    `json:"weight" validate:"gte=1,lte=1000"`
}
