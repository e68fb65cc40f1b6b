package api

import (
	"errors"
	"github.com/dealflow/dealflow/internal/web"
	"html/template"
	"net/http"
	"net/mail"
	"strings"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/lead"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// The public lead form: served by dealflow, no sign-in, no JavaScript.
const (
	// ConsentVersion names the consent wording the form shows; a lead
	// stores the version its submitter agreed to.
	ConsentVersion = "lead-form-consent-v1"
	consentText    = "I agree that the vendor and its partner may contact me about this request and keep these details for that purpose."
	// leadFormMaxBytes bounds a submitted form.
	leadFormMaxBytes = 8 << 10
	// leadFormPerMinute is how many forms one address may send a minute.
	leadFormPerMinute = 5
)

var leadFormPage = template.Must(template.New("form").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Contact us</title>
<style>.hp{position:absolute;left:-10000px}label{display:block;margin:.5em 0}</style></head>
<body><main>
{{if .Sent}}<h1>Thank you</h1><p>We received your request and will be in touch.</p>{{else}}
<h1>Contact us</h1>
{{if .Errors}}<ul role="alert">{{range .Errors}}<li>{{.Field}}: {{.Message}}</li>{{end}}</ul>{{end}}
<form method="post" action="/lead-form">
<input type="hidden" name="ref" value="{{.Ref}}">
<input type="hidden" name="consent_version" value="{{.ConsentVersion}}">
<label>Company <input name="company" maxlength="200" required value="{{.V.company}}"></label>
<label>Company website <input name="website" maxlength="253" value="{{.V.website}}"></label>
<label>Country (two letters, e.g. DE) <input name="country" maxlength="2" required value="{{.V.country}}"></label>
<label>Your name <input name="name" maxlength="200" required value="{{.V.name}}"></label>
<label>E-mail <input name="email" type="email" maxlength="254" required value="{{.V.email}}"></label>
<label>Interested in <input name="interest" maxlength="100" value="{{.V.interest}}"></label>
<label>Message <textarea name="message" maxlength="2000">{{.V.message}}</textarea></label>
<div class="hp" aria-hidden="true"><label>Leave this empty <input name="homepage" tabindex="-1" autocomplete="off"></label></div>
<label><input type="checkbox" name="consent" value="yes" required> {{.ConsentText}}</label>
<button type="submit">Send</button>
</form>{{end}}
</main></body></html>`))

type leadFormData struct {
	Sent                        bool
	Ref                         string
	ConsentVersion, ConsentText string
	V                           map[string]string
	Errors                      []web.FieldError
}

func (s *Server) renderLeadForm(c *gin.Context, status int, d leadFormData) {
	d.ConsentVersion, d.ConsentText = ConsentVersion, consentText
	if d.V == nil {
		d.V = map[string]string{}
	}
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	c.Status(status)
	_ = leadFormPage.Execute(c.Writer, d)
}

// leadForm serves the public form; ?ref= carries a referral code.
func (s *Server) leadForm(c *gin.Context) {
	ref := strings.ToLower(c.Query("ref"))
	if !validCode(ref) {
		ref = ""
	}
	s.renderLeadForm(c, http.StatusOK, leadFormData{Ref: ref})
}

// submitLeadForm takes a lead from the public form: throttled per client
// address, size-limited, with a honeypot (a filled one is thanked and
// dropped), an e-mail syntax check and the consent (stored with its
// wording's version). The lead is attributed under the default program's
// policy (window, first or last touch) to the form's code or the cookie's
// touches, screened for conflicts and queued for the vendor.
func (s *Server) submitLeadForm(c *gin.Context) {
	if ok, wait := s.formLimiter.Allow(web.ClientAddress(c), s.now()); !ok {
		web.RetryAfter(c, wait)
		s.renderLeadForm(c, http.StatusTooManyRequests, leadFormData{Errors: []web.FieldError{{Field: "form", Message: "too many requests from your address; try again later"}}})
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, leadFormMaxBytes)
	if err := c.Request.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.renderLeadForm(c, http.StatusRequestEntityTooLarge, leadFormData{Errors: []web.FieldError{{Field: "form", Message: "the form is too large"}}})
			return
		}
		s.renderLeadForm(c, http.StatusBadRequest, leadFormData{Errors: []web.FieldError{{Field: "form", Message: "the form could not be read"}}})
		return
	}
	v := map[string]string{}
	for _, k := range []string{"company", "website", "country", "name", "email", "interest", "message", "ref", "consent", "consent_version", "homepage"} {
		v[k] = strings.TrimSpace(c.Request.PostForm.Get(k))
	}
	if v["homepage"] != "" { // a bot filled the honeypot: thank it, keep nothing
		s.renderLeadForm(c, http.StatusOK, leadFormData{Sent: true})
		return
	}
	in, errs := leadFromForm(v)
	if len(errs) > 0 {
		s.renderLeadForm(c, http.StatusUnprocessableEntity, leadFormData{Ref: v["ref"], V: v, Errors: errs})
		return
	}
	now := s.now()
	touches := cookieTouches(c)
	if validCode(strings.ToLower(v["ref"])) {
		touches = append(touches, domain.Touch{Code: strings.ToLower(v["ref"]), At: now})
	}
	at := &lead.Attribution{ConsentVersion: ConsentVersion, ConsentAt: now}
	if t, ok := domain.Attribute(s.defaultLeadPolicy(c), touches, now); ok {
		if rc, err := s.q.ReferralCodeGet(c, t.Code); err == nil {
			at.Code, at.PartnerID, at.TouchedAt = rc.Code, rc.PartnerID.String(), t.At
		}
	}
	id, err := uuid.NewV7()
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	in.LeadID, in.Attribution = id.String(), at
	in.Creator = domain.Actor{ID: "lead-form", Name: "public lead form", Role: domain.RoleSystem}
	if _, err := s.leads.Create(c, in); err != nil {
		s.log.Error("lead form: lead not created", "error", err, "request_id", web.RequestIDOf(c))
		s.renderLeadForm(c, http.StatusServiceUnavailable, leadFormData{Ref: v["ref"], V: v,
			Errors: []web.FieldError{{Field: "form", Message: "we could not take your request just now; please try again"}}})
		return
	}
	c.Header("X-Lead-Id", id.String())
	s.renderLeadForm(c, http.StatusCreated, leadFormData{Sent: true})
}

// leadFromForm validates the form's fields into a lead (value unknown: 0
// in currency XXX, "no currency").
func leadFromForm(v map[string]string) (lead.Input, []web.FieldError) {
	var errs []web.FieldError
	bad := func(f, m string) { errs = append(errs, web.FieldError{Field: f, Message: m}) }
	text := func(f string, max int, required bool) {
		switch {
		case required && v[f] == "":
			bad(f, "is required")
		case len(v[f]) > max:
			bad(f, "is too long")
		case domain.TextProblem(v[f], f == "message") != "":
			bad(f, domain.TextProblem(v[f], f == "message"))
		}
	}
	text("company", 200, true)
	text("name", 200, true)
	text("website", 253, false)
	text("interest", 100, false)
	text("message", 2000, false)
	country := strings.ToUpper(v["country"])
	if len(country) != 2 || country[0] < 'A' || country[0] > 'Z' || country[1] < 'A' || country[1] > 'Z' {
		bad("country", "must be a two-letter country code such as DE")
	}
	email, ok := emailOK(v["email"])
	if !ok {
		bad("email", "must be an e-mail address such as jo@example.com")
	}
	if v["consent"] != "yes" {
		bad("consent", "is required to send the form")
	} else if v["consent_version"] != ConsentVersion {
		bad("consent", "the form has changed; please read the consent again and resend")
	}
	site := v["website"]
	if site == "" && ok {
		site = email[strings.LastIndexByte(email, '@')+1:]
		if domain.IsFreeMail(site) {
			site = ""
		}
	}
	host, registrable := "", ""
	if site != "" {
		h, err := domain.NormalizeHost(site)
		if err == nil {
			registrable, err = domain.RegistrableDomain(h)
		}
		if err != nil {
			bad("website", "must be a web domain such as example.com")
		}
		host = h
	}
	lines := []string{}
	if v["interest"] != "" {
		lines = domain.NormalizeProductLines([]string{v["interest"]})
	}
	return lead.Input{Source: lead.SourceForm, Lead: lead.Lead{
		Company: domain.Customer{Name: v["company"], Domain: host, Country: country}, RegistrableDomain: registrable,
		Contact: domain.Contact{Name: v["name"], Email: email}, ProductLines: lines, Currency: "XXX", Notes: v["message"],
	}}, errs
}

// emailOK checks an address's syntax: one plain address (no display
// name), a domain with a dot, at most 254 characters.
func emailOK(s string) (string, bool) {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		return "", false
	}
	at := strings.LastIndexByte(s, '@')
	return s, at > 0 && strings.Contains(s[at+1:], ".") && !strings.HasSuffix(s, ".")
}
