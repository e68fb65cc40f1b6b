package steps

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/csvin"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/workflows/lead"
	"github.com/go-playground/validator/v10"
	"github.com/google/uuid"
)

// CreateLeadRequest is the body of POST /v1/leads and POST /v1/referrals,
// one row of an import, and the console's new-lead form.
type CreateLeadRequest struct {
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

// Normalize trims what people type and puts codes in canonical case.
func (r *CreateLeadRequest) Normalize() {
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

// Lead validates r beyond its tags (the web domain) and returns the lead
// the workflow receives.
func (r *CreateLeadRequest) Lead() (lead.Lead, []web.FieldError) {
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
		Region: r.Region, Contact: ContactOf(r.Contact.Name, r.Contact.Email), ProductLines: r.ProductLines,
		Tags: r.Tags, Amount: r.Amount, Currency: r.Currency, Notes: r.Notes,
	}, errs
}

// LeadInput normalizes and validates a lead request into the workflow's
// input (without its id and creator).
func LeadInput(v *validator.Validate, req *CreateLeadRequest, source string) (lead.Input, []web.FieldError) {
	req.Normalize()
	var errs []web.FieldError
	if err := v.Struct(req); err != nil {
		errs = web.FieldErrors(err)
	}
	l, more := req.Lead()
	return lead.Input{ProgramID: req.ProgramID, Source: source, Lead: l}, web.MergeFieldErrors(errs, more)
}

// LeadImportColumns are the columns of a lead import, in any order, named
// in the header row; product_lines and tags separate values with ";".
var LeadImportColumns = []string{"company_name", "company_domain", "country", "region", "contact_name", "contact_email",
	"product_lines", "tags", "amount", "currency", "notes"}

// LeadImportMax bounds the rows of one import.
const LeadImportMax = 10_000

// ParseLeadCSV reads and validates every row of a lead import; each error
// names its line ("line 3: contact.email").
func ParseLeadCSV(v *validator.Validate, text, programID string) ([]lead.Input, []web.FieldError) {
	r := csvin.New(strings.NewReader(text), -1)
	header, err := r.Read()
	if err != nil {
		return nil, []web.FieldError{{Field: "line 1", Message: "a header row naming the columns is required"}}
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	var errs []web.FieldError
	for _, name := range []string{"company_name", "company_domain", "country", "contact_name", "contact_email", "product_lines", "amount", "currency"} {
		if _, ok := col[name]; !ok {
			errs = append(errs, web.FieldError{Field: "line 1", Message: "missing column " + name})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var out []lead.Input
	for {
		rec, err := r.Read()
		line := r.Line()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, web.FieldError{Field: "line " + strconv.Itoa(line), Message: "not valid CSV: " + err.Error()})
			break
		}
		if len(out)+1 > LeadImportMax {
			errs = append(errs, web.FieldError{Field: "line " + strconv.Itoa(line), Message: fmt.Sprintf("at most %d leads per import", LeadImportMax)})
			break
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return rec[i]
			}
			return ""
		}
		req := CreateLeadRequest{ProgramID: programID, Region: get("region"), Currency: get("currency"), Notes: get("notes"),
			ProductLines: SplitList(get("product_lines")), Tags: SplitList(get("tags"))}
		req.Company.Name, req.Company.Domain, req.Company.Country = get("company_name"), get("company_domain"), get("country")
		req.Contact.Name, req.Contact.Email = get("contact_name"), get("contact_email")
		var rowErrs []web.FieldError
		if amt, err := strconv.ParseInt(strings.TrimSpace(get("amount")), 10, 64); err != nil {
			rowErrs = append(rowErrs, web.FieldError{Field: "amount", Message: "must be an integer amount in minor units"})
		} else {
			req.Amount = amt
		}
		in, more := LeadInput(v, &req, lead.SourceImport)
		for _, e := range web.MergeFieldErrors(rowErrs, more) {
			errs = append(errs, web.FieldError{Field: fmt.Sprintf("line %d: %s", line, e.Field), Message: e.Message})
		}
		out = append(out, in)
	}
	if len(out) == 0 && len(errs) == 0 {
		errs = append(errs, web.FieldError{Field: "line 2", Message: "the file holds no leads"})
	}
	return out, errs
}

// SplitList splits a ";"-separated list, trimming and dropping empties.
func SplitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ";") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// LeadRoutingRequest is the body of PUT /v1/programs/{id}/lead-routing
// and what the console's routing page writes.
type LeadRoutingRequest struct {
	Policy json.RawMessage   `json:"policy" validate:"jsontext"`
	Rules  []RoutingRuleBody `json:"rules" validate:"max=100,dive"`
}

// RoutingRuleBody is one routing rule (domain.RoutingRule); empty lists
// match anything; an inactive rule is kept but takes no lead.
type RoutingRuleBody struct {
	Name         string   `json:"name" validate:"required,max=100,printable"`
	Countries    []string `json:"countries" validate:"max=250,dive,iso3166_1_alpha2"`
	Regions      []string `json:"regions" validate:"max=50,dive,required,max=100,printable"`
	ProductLines []string `json:"product_lines" validate:"max=50,dive,required,max=100,printable"`
	LeadTags     []string `json:"lead_tags" validate:"max=20,dive,required,max=50,printable"`
	PartnerTypes []string `json:"partner_types" validate:"max=7,dive,oneof=reseller var distributor msp si referral agent"`
	MinTier      string   `json:"min_tier" validate:"omitempty,oneof=registered silver gold platinum"`
	PartnerTags  []string `json:"partner_tags" validate:"max=20,dive,required,max=50,printable"`
	Inactive     bool     `json:"inactive"`
}

// Rule is the domain rule b describes.
func (b RoutingRuleBody) Rule() domain.RoutingRule {
	r := domain.RoutingRule{Name: b.Name, Countries: b.Countries, Regions: b.Regions,
		ProductLines: domain.NormalizeProductLines(b.ProductLines), LeadTags: b.LeadTags, MinTier: b.MinTier, PartnerTags: b.PartnerTags,
		Inactive: b.Inactive}
	for _, t := range b.PartnerTypes {
		r.PartnerTypes = append(r.PartnerTypes, domain.PartnerType(t))
	}
	return r
}

// RuleBodyOf is the body that describes rule r (the console's edit form).
func RuleBodyOf(r domain.RoutingRule) RoutingRuleBody {
	b := RoutingRuleBody{Name: r.Name, Countries: r.Countries, Regions: r.Regions, ProductLines: r.ProductLines,
		LeadTags: r.LeadTags, MinTier: r.MinTier, PartnerTags: r.PartnerTags, Inactive: r.Inactive}
	for _, t := range r.PartnerTypes {
		b.PartnerTypes = append(b.PartnerTypes, string(t))
	}
	return b
}

// Routing validates req into the program's policy and rules as stored
// (the policy as sent, {} when none; the rules as domain rules).
func (req *LeadRoutingRequest) Routing(v *validator.Validate) (json.RawMessage, []byte, []web.FieldError) {
	if err := v.Struct(req); err != nil {
		return nil, nil, web.FieldErrors(err)
	}
	if len(req.Policy) == 0 {
		req.Policy = json.RawMessage(`{}`)
	}
	if _, err := domain.ParseLeadPolicy(req.Policy); err != nil {
		return nil, nil, []web.FieldError{{Field: "policy", Message: err.Error()}}
	}
	rules := make([]domain.RoutingRule, 0, len(req.Rules))
	for _, r := range req.Rules {
		rules = append(rules, r.Rule())
	}
	raw, _ := json.Marshal(rules)
	return req.Policy, raw, nil
}

// LeadProfileRequest is the body of PUT /v1/partners/{id}/lead-profile and
// the console's partner capacity form: what a partner covers, its capacity
// (most open leads at once) and its round-robin weight.
type LeadProfileRequest struct {
	Countries    []string `json:"countries" validate:"max=250,dive,iso3166_1_alpha2"`
	ProductLines []string `json:"product_lines" validate:"max=50,dive,required,max=100,printable"`
	Tags         []string `json:"tags" validate:"max=20,dive,required,max=50,printable"`
	Capacity     int32    `json:"capacity" validate:"gte=0,lte=100000"`
	Weight       int32    `json:"weight" validate:"gte=1,lte=1000"`
}

// NewLeadProfileRequest is a profile request with the defaults: capacity
// 10, weight 1.
func NewLeadProfileRequest() LeadProfileRequest { return LeadProfileRequest{Weight: 1, Capacity: 10} }

// leadImportNamespace derives each imported lead's id from the file and its
// line, so importing the same file again starts no lead twice.
var leadImportNamespace = uuid.MustParse("0d7f5a52-8f3e-4b8e-9a4f-6c1b1c0f6a10")

// ImportedLeadID is the id of the i-th lead of an import file whose
// content hashes to sum (SHA-256): the same file gives the same ids.
func ImportedLeadID(sum [32]byte, i int) string {
	return uuid.NewSHA1(leadImportNamespace, []byte(fmt.Sprintf("%x/%d", sum, i))).String()
}

// NewReferralCode is 12 random characters of [a-z0-9].
func NewReferralCode() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
