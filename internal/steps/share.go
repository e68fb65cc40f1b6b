package steps

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/read"
	"github.com/dealflow/dealflow/workflows/cosell"
	"github.com/google/uuid"
)

// MaxInvitedPartners is how many partners one opportunity may be shared with.
const MaxInvitedPartners = 50

// ShareRequest is a seller's shared opportunity (vendor → partner
// co-selling), the body of POST /v1/cosell/opportunities and the console's
// form: the opportunity, the mode, the invitations' expiry (default 5
// business days), and which partners — by filters, by ids, or both (ANDed).
type ShareRequest struct {
	CustomerName      string   `json:"customer_name" validate:"required,max=200,printable"`
	Domain            string   `json:"domain" validate:"required,max=253,printable"`
	Country           string   `json:"country" validate:"required,iso3166_1_alpha2"`
	ProductLines      []string `json:"product_lines" validate:"required,min=1,max=20,dive,required,max=100,printable"`
	Amount            int64    `json:"amount" validate:"required,gt=0,lte=1000000000000000"`
	Currency          string   `json:"currency" validate:"required,currency"`
	Capabilities      []string `json:"capabilities" validate:"max=20,dive,required,max=100,printable"`
	ExpectedCloseDate string   `json:"expected_close_date" validate:"required,datetime=2006-01-02"`
	Notes             string   `json:"notes" validate:"max=5000,multiline"`
	Mode              string   `json:"mode" validate:"required,oneof=first_to_accept seller_chooses"`
	// ExpiresAt is RFC 3339 ("": DefaultInvitationBusinessDays).
	ExpiresAt  string        `json:"expires_at" validate:"omitempty,datetime=2006-01-02T15:04:05Z07:00"`
	PartnerIDs []string      `json:"partner_ids" validate:"max=50,dive,uuid"`
	Filters    PartnerFilter `json:"filters"`
}

// PartnerFilter chooses partners: by type and tier, and from the partner's
// lead profile by country, product lines (any of them) and tags (all).
type PartnerFilter struct {
	PartnerTypes []string `json:"partner_types" validate:"max=7,dive,oneof=reseller var distributor msp si referral agent"`
	Tiers        []string `json:"tiers" validate:"max=10,dive,required,max=50,printable"`
	Country      string   `json:"country" validate:"omitempty,iso3166_1_alpha2"`
	ProductLines []string `json:"product_lines" validate:"max=20,dive,required,max=100,printable"`
	Tags         []string `json:"tags" validate:"max=20,dive,required,max=50,printable"`
}

// Empty reports whether f chooses nothing.
func (f PartnerFilter) Empty() bool {
	return len(f.PartnerTypes)+len(f.Tiers)+len(f.ProductLines)+len(f.Tags) == 0 && f.Country == ""
}

// Normalize trims and cases what people type before validation.
func (r *ShareRequest) Normalize() {
	r.CustomerName, r.Notes, r.Domain = strings.TrimSpace(r.CustomerName), strings.TrimSpace(r.Notes), strings.TrimSpace(r.Domain)
	r.Country, r.Currency = strings.ToUpper(strings.TrimSpace(r.Country)), strings.ToUpper(strings.TrimSpace(r.Currency))
	r.ProductLines = domain.NormalizeProductLines(r.ProductLines)
	for i, c := range r.Capabilities {
		r.Capabilities[i] = strings.TrimSpace(c)
	}
	for i, id := range r.PartnerIDs {
		r.PartnerIDs[i] = strings.ToLower(strings.TrimSpace(id))
	}
	f := &r.Filters
	for i, t := range f.Tiers {
		f.Tiers[i] = strings.ToLower(strings.TrimSpace(t))
	}
	for i, t := range f.Tags {
		f.Tags[i] = strings.ToLower(strings.TrimSpace(t))
	}
	f.Country = strings.ToUpper(strings.TrimSpace(f.Country))
	f.ProductLines = domain.NormalizeProductLines(f.ProductLines)
}

// Input checks what the tags cannot (the web domain, the dates, that
// partners are chosen at all) on the server's clock and builds the
// workflow's input, without the opportunity id, seller and partners.
func (r *ShareRequest) Input(now, today time.Time) (cosell.OpportunityInput, []web.FieldError) {
	var errs []web.FieldError
	host, err := domain.NormalizeHost(r.Domain)
	registrable := ""
	if err == nil {
		registrable, err = domain.RegistrableDomain(host)
	}
	if err != nil {
		errs = append(errs, web.FieldError{Field: "domain", Message: "must be a web domain such as acme.com"})
	}
	if day, _ := time.Parse(time.DateOnly, r.ExpectedCloseDate); day.Before(today) {
		errs = append(errs, web.FieldError{Field: "expected_close_date", Message: "must not lie in the past"})
	}
	var given time.Time
	if r.ExpiresAt != "" {
		t, err := time.Parse(time.RFC3339, r.ExpiresAt)
		given = t.UTC()
		if err != nil || !given.After(now) || given.After(now.AddDate(0, 3, 0)) {
			errs = append(errs, web.FieldError{Field: "expires_at", Message: "must lie in the future, within 3 months"})
		}
	}
	if len(r.PartnerIDs) == 0 && r.Filters.Empty() {
		errs = append(errs, web.FieldError{Field: "filters", Message: "choose partners by filters or partner_ids"})
	}
	filters, _ := json.Marshal(map[string]any{"filters": r.Filters, "partner_ids": r.PartnerIDs})
	return cosell.OpportunityInput{Mode: domain.ShareMode(r.Mode), Filters: filters, ExpiresAt: domain.InvitationExpiry(now, given),
		Opportunity: cosell.Opportunity{CustomerName: r.CustomerName, RegistrableDomain: registrable, Country: r.Country,
			ProductLines: r.ProductLines, Amount: r.Amount, Currency: r.Currency, Capabilities: r.Capabilities,
			ExpectedCloseDate: r.ExpectedCloseDate, Notes: r.Notes}}, errs
}

// FillForm takes the request from the console's form: lists are comma
// separated, the amount is in minor units, the expiry a date (its end of
// day, UTC) or empty. It says what it cannot read.
func (r *ShareRequest) FillForm(get func(string) string, getAll func(string) []string) string {
	list := func(name string) []string {
		var out []string
		for _, s := range strings.Split(get(name), ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	r.CustomerName, r.Domain, r.Country, r.Currency = get("customer_name"), get("domain"), get("country"), get("currency")
	r.ProductLines, r.Capabilities, r.PartnerIDs = list("product_lines"), list("capabilities"), list("partner_ids")
	r.ExpectedCloseDate, r.Notes, r.Mode = get("expected_close_date"), get("notes"), get("mode")
	r.Filters = PartnerFilter{PartnerTypes: getAll("partner_types"), Tiers: list("tiers"), Country: get("filter_country"),
		ProductLines: list("filter_product_lines"), Tags: list("tags")}
	for _, id := range r.PartnerIDs {
		if _, err := uuid.Parse(id); err != nil {
			return "partner_ids: must be partner ids (UUIDs), comma separated"
		}
	}
	if v := strings.TrimSpace(get("amount")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return "amount: must be a whole number of minor units"
		}
		r.Amount = n
	}
	if v := strings.TrimSpace(get("expires_on")); v != "" {
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return "expires_on: must be a date as YYYY-MM-DD"
		}
		r.ExpiresAt = d.Add(24*time.Hour - time.Second).Format(time.RFC3339)
	}
	return ""
}

// Partners is the filter the read layer chooses partners by (at most
// MaxInvitedPartners+1, so that too many is seen).
func (r *ShareRequest) Partners() read.SharePartnerFilter {
	f := r.Filters
	return read.SharePartnerFilter{Types: f.PartnerTypes, Tiers: f.Tiers, ProductLines: f.ProductLines, Tags: f.Tags,
		Country: f.Country, IDs: r.PartnerIDs}
}

// CheckPartners refuses a choice of no partner, or of too many.
func CheckPartners(ids []string) []web.FieldError {
	switch {
	case len(ids) == 0:
		return []web.FieldError{{Field: "filters", Message: "no partner matches the filters and ids"}}
	case len(ids) > MaxInvitedPartners:
		return []web.FieldError{{Field: "filters", Message: "more than " + strconv.Itoa(MaxInvitedPartners) + " partners match: narrow the filters"}}
	}
	return nil
}
