package notify

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	htmltemplate "html/template"
	"mime"
	"mime/quotedprintable"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"
)

// DigestMail is one person's daily digest, before rendering.
type DigestMail struct {
	From string
	To   string
	// PersonID and Day (YYYY-MM-DD) name the digest: its Message-ID is
	// derived from them only.
	PersonID string
	Day      string
	// Groups are the notifications by deal, in the order they are listed.
	Groups []DigestGroup
	// FeedURL is the console's notification feed.
	FeedURL string
	// UnsubscribeURL is empty when unsubscribe links are off.
	UnsubscribeURL string
	Date           time.Time
}

// DigestGroup is a deal's notifications in a digest (a group without a
// deal holds notifications of no deal).
type DigestGroup struct {
	Customer string
	// DealURL links the deal ("" for the group of no deal).
	DealURL string
	Items   []DigestItem
}

// DigestItem is one notification listed in a digest.
type DigestItem struct {
	Headline string
	Subject  string
	At       time.Time
}

// Count is how many notifications the digest lists.
func (d DigestMail) Count() int {
	n := 0
	for _, g := range d.Groups {
		n += len(g.Items)
	}
	return n
}

// Subject is the digest's subject line.
func (d DigestMail) Subject() string {
	n := d.Count()
	noun := "notifications"
	if n == 1 {
		noun = "notification"
	}
	return "Your dealflow digest for " + d.Day + ": " + strconv.Itoa(n) + " " + noun
}

var digestText = texttemplate.Must(texttemplate.New("digest-text").Parse(`{{.Subject}}
{{range .Groups}}
{{if .Customer}}{{.Customer}}{{else}}Other{{end}}
{{range .Items}}- {{.At.Format "2006-01-02 15:04 MST"}}: {{.Headline}} ({{.Subject}})
{{end}}{{with .DealURL}}  Open the deal: {{.}}
{{end}}{{end}}
All your notifications: {{.FeedURL}}
{{if .UnsubscribeURL}}
--
You receive this daily digest because of your dealflow notification settings.
Stop these e-mails: {{.UnsubscribeURL}}
{{end}}`))

var digestHTML = htmltemplate.Must(htmltemplate.New("digest-html").Parse(`<!doctype html>
<html><body style="font-family: sans-serif">
<h2>{{.Subject}}</h2>
{{range .Groups}}<h3>{{if .DealURL}}<a href="{{.DealURL}}">{{if .Customer}}{{.Customer}}{{else}}A deal{{end}}</a>{{else}}Other{{end}}</h3>
<ul>{{range .Items}}<li>{{.At.Format "2006-01-02 15:04 MST"}}: <strong>{{.Headline}}</strong> ({{.Subject}})</li>{{end}}</ul>
{{end}}<p><a href="{{.FeedURL}}">All your notifications</a></p>
{{if .UnsubscribeURL}}<hr><p style="font-size: small; color: #666">You receive this daily digest because of your dealflow notification settings.
<a href="{{.UnsubscribeURL}}">Stop these e-mails</a></p>{{end}}
</body></html>
`))

type digestView struct {
	DigestMail
	Subject string
}

// RenderDigest returns the plain-text and HTML bodies of d.
func RenderDigest(d DigestMail) (text, html string, err error) {
	v := digestView{DigestMail: d, Subject: d.Subject()}
	var tb, hb bytes.Buffer
	if err := digestText.Execute(&tb, v); err != nil {
		return "", "", err
	}
	if err := digestHTML.Execute(&hb, v); err != nil {
		return "", "", err
	}
	return tb.String(), hb.String(), nil
}

// DigestMessageID is the Message-ID of a person's digest of day: derived
// from both only, so a retried digest carries the same id.
func DigestMessageID(personID, day, from string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(personID)))
	return "<digest-" + day + "." + hex.EncodeToString(sum[:8]) + "@" + mailDomain(from) + ">"
}

// ComposeDigest returns d as an RFC 5322 message (multipart/alternative)
// with its stable Message-ID.
func ComposeDigest(d DigestMail) ([]byte, error) {
	text, html, err := RenderDigest(d)
	if err != nil {
		return nil, err
	}
	return assemble(header{From: d.From, To: d.To, Subject: d.Subject(), Date: d.Date,
		MessageID: DigestMessageID(d.PersonID, d.Day, d.From), Unsubscribe: d.UnsubscribeURL,
		Boundary: "dealflow-digest-" + d.Day + "-alt"}, text, html)
}

// header is what a notification or digest e-mail says above its body.
type header struct {
	From, To, Subject   string
	Date                time.Time
	MessageID, Boundary string
	Unsubscribe         string
}

// assemble writes the header and the two alternative bodies.
func assemble(hd header, text, html string) ([]byte, error) {
	var b bytes.Buffer
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", hd.From)
	h("To", hd.To)
	h("Subject", mime.QEncoding.Encode("utf-8", hd.Subject))
	h("Date", hd.Date.UTC().Format(time.RFC1123Z))
	h("Message-ID", hd.MessageID)
	h("MIME-Version", "1.0")
	h("Auto-Submitted", "auto-generated")
	if hd.Unsubscribe != "" {
		h("List-Unsubscribe", "<"+hd.Unsubscribe+">")
		h("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	h("Content-Type", `multipart/alternative; boundary="`+hd.Boundary+`"`)
	b.WriteString("\r\n")
	for _, part := range []struct{ typ, body string }{{"text/plain", text}, {"text/html", html}} {
		b.WriteString("--" + hd.Boundary + "\r\n")
		h("Content-Type", part.typ+"; charset=utf-8")
		h("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		w := quotedprintable.NewWriter(&b)
		if _, err := w.Write([]byte(strings.ReplaceAll(part.body, "\n", "\r\n"))); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		b.WriteString("\r\n")
	}
	b.WriteString("--" + hd.Boundary + "--\r\n")
	return b.Bytes(), nil
}
