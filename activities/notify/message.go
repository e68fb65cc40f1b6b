package notify

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	htmltemplate "html/template"
	"net/mail"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"
)

// Mail is one notification e-mail to one recipient, before rendering.
type Mail struct {
	NotificationID int64
	From           string
	To             string
	// Kind is the notification's event type (approved, review_needed, ...).
	Kind     string
	Subject  string
	Customer string
	// DealURL links the deal ("" for a notification of no deal).
	DealURL string
	// Body is a notification's own text (an invitation's, with its link),
	// shown as written.
	Body string
	// UnsubscribeURL is empty when unsubscribe links are off.
	UnsubscribeURL string
	Date           time.Time
}

// Wording is what a template says of one kind of event: a headline and
// what the reader is asked to do.
type Wording struct {
	Headline string
	Action   string
}

// wordings is one template's words per event type the deal workflow
// notifies of; kinds not listed fall back to a generic wording.
var wordings = map[string]Wording{
	"submitted":              {"A deal registration was submitted", "Open the deal to follow its review."},
	"review_needed":          {"A deal registration awaits your review", "Review the registration and approve or reject it."},
	"conflict_review_needed": {"A registration conflicts with another partner's", "Compare the registrations and decide which is protected."},
	"second_approval_needed": {"A second approval is needed", "Another channel manager must approve this deal."},
	"sla_reminder":           {"A review is due soon", "Review the registration before its SLA runs out."},
	"escalated":              {"A review missed its SLA", "The registration's review is overdue; act on it now."},
	"approved":               {"Your deal registration was approved", "The deal is protected; open it to see the protection period."},
	"rejected":               {"Your deal registration was rejected", "Open the deal to read the reason."},
	"info_requested":         {"More information is needed", "Answer the question so the review can continue."},
	"info_answered":          {"The partner answered", "Review the registration again."},
	"withdrawn":              {"A registration was withdrawn", "No action is needed."},
	"extension_requested":    {"A protection extension is requested", "Decide on the extension."},
	"extended":               {"The deal's protection was extended", "Open the deal to see the new expiry."},
	"expiring":               {"The deal's protection expires soon", "Report progress or ask for an extension."},
	"expired":                {"The deal's protection expired", "Open the deal for details."},
	"closed_won":             {"A deal was closed won", "Open the deal to see the figures."},
	"closed_lost":            {"A deal was closed lost", "Open the deal for details."},
	"lead_offered":           {"A lead is offered to your organization", "Accept or decline it before its deadline."},
	"lead_reminder":          {"A lead offer awaits your answer", "Accept or decline it before its deadline."},
	"lead_timed_out":         {"A lead offer timed out", "No action is needed; the lead is offered elsewhere."},
	"lead_pulled_back":       {"A lead was pulled back", "No first contact was recorded in time; its registration was withdrawn."},
	"lead_withdrawn":         {"A lead offer was withdrawn", "No action is needed."},
	"approvals_cleared":      {"Earlier approvals no longer count", "The partner changed the figures; review again."},
	"conflict_resolved":      {"A conflict was resolved", "Open the deal to see the outcome."},
	"invitation":             {"You are invited to dealflow", "Open the link below to set your password; it works once."},
	"password_reset":         {"Reset your password", "The link works once; a new password signs you out everywhere."},
	"sign_in_link":           {"Your sign-in link", "The link works once and only for a few minutes."},
	// Quotes (workflows/quote/lifecycle): their approvals and validity.
	"quote_approval_needed":   {"A quote awaits your approval", "Open the quote and approve or reject its discount."},
	"quote_approval_reminder": {"A quote's approval is due", "The quote's approval has waited past its SLA; approve or reject it."},
	"quote_escalated":         {"A quote's approval missed its SLA", "The approval is overdue (twice its SLA); act on it now."},
	"quote_approved":          {"Your quote was approved", "The customer can now accept it before it expires."},
	"quote_rejected":          {"Your quote was rejected", "Open the quote to read the reason."},
	"quote_expiring":          {"Your quote expires soon", "Have the customer accept it before it expires, or revise it."},
	"quote_expired":           {"Your quote expired", "Revise the deal's quote or create a new one."},
}

// personal are the kinds a person asked for themselves (a password reset,
// a sign-in link): sent whatever their notification preference, without
// an unsubscribe link.
var personal = map[string]bool{"password_reset": true, "sign_in_link": true}

// Personal reports whether kind is sent whatever the recipient's
// preference (the person asked for it).
func Personal(kind string) bool { return personal[kind] }

// WordingFor returns the wording of kind (a generic one for a kind without
// its own).
func WordingFor(kind string) Wording {
	if w, ok := wordings[kind]; ok {
		return w
	}
	return Wording{"There is news on a deal", "Open the deal to see what changed."}
}

type view struct {
	Mail
	Wording
}

var textTemplate = texttemplate.Must(texttemplate.New("text").Parse(`{{.Headline}}

{{.Subject}}
{{with .Customer}}Customer: {{.}}
{{end}}{{with .Body}}
{{.}}
{{end}}
{{.Action}}
{{.DealURL}}
{{if .UnsubscribeURL}}
--
You receive this because of your dealflow notification settings.
Stop these e-mails: {{.UnsubscribeURL}}
{{end}}`))

var htmlTemplate = htmltemplate.Must(htmltemplate.New("html").Parse(`<!doctype html>
<html><body style="font-family: sans-serif">
<h2>{{.Headline}}</h2>
<p>{{.Subject}}{{with .Customer}}<br>Customer: <strong>{{.}}</strong>{{end}}</p>
{{with .Body}}<pre style="font-family: sans-serif; white-space: pre-wrap">{{.}}</pre>{{end}}
<p>{{.Action}}</p>
{{with .DealURL}}<p><a href="{{.}}">Open the deal</a></p>{{end}}
{{if .UnsubscribeURL}}<hr><p style="font-size: small; color: #666">You receive this because of your dealflow notification settings.
<a href="{{.UnsubscribeURL}}">Stop these e-mails</a></p>{{end}}
</body></html>
`))

// Render returns the plain-text and HTML bodies of m.
func Render(m Mail) (text, html string, err error) {
	v := view{Mail: m, Wording: WordingFor(m.Kind)}
	var tb, hb bytes.Buffer
	if err := textTemplate.Execute(&tb, v); err != nil {
		return "", "", err
	}
	if err := htmlTemplate.Execute(&hb, v); err != nil {
		return "", "", err
	}
	return tb.String(), hb.String(), nil
}

// MessageID is the Message-ID of notification id's e-mail to recipient:
// derived from both only, so a retried delivery sends the same id and the
// receiver can tell it is the same message.
func MessageID(notificationID int64, recipient, from string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(recipient)))
	return "<notification-" + strconv.FormatInt(notificationID, 10) + "." + hex.EncodeToString(sum[:8]) + "@" + mailDomain(from) + ">"
}

// mailDomain is the domain of the From address, which Message-IDs end in.
func mailDomain(from string) string {
	if a, err := mail.ParseAddress(from); err == nil {
		if _, d, ok := strings.Cut(a.Address, "@"); ok && d != "" {
			return d
		}
	}
	return "dealflow.localhost"
}

// Compose returns m as an RFC 5322 message (multipart/alternative: plain
// text and HTML) with its stable Message-ID.
func Compose(m Mail) ([]byte, error) {
	text, html, err := Render(m)
	if err != nil {
		return nil, err
	}
	return assemble(header{From: m.From, To: m.To, Subject: m.Subject, Date: m.Date,
		MessageID: MessageID(m.NotificationID, m.To, m.From), Unsubscribe: m.UnsubscribeURL,
		Boundary: "dealflow-" + strconv.FormatInt(m.NotificationID, 10) + "-alt"}, text, html)
}
