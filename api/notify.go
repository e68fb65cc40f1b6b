package api

import (
	"errors"
	"html/template"
	"net/http"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/internal/unsubscribe"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
)

// notifyRoutes serves the caller's own notification preferences, the
// unsubscribe link of notification e-mails and the feed (docs/notify.md).
func (s *Server) notifyRoutes() []Route {
	return append([]Route{
		{http.MethodGet, "/v1/me/notification-preferences", web.AllRoles, s.getNotificationPreferences},
		{http.MethodPut, "/v1/me/notification-preferences", web.AllRoles, s.putNotificationPreferences},
		{http.MethodGet, "/v1/notifications/unsubscribe", nil, s.unsubscribePage},
		{http.MethodPost, "/v1/notifications/unsubscribe", nil, s.unsubscribe},
	}, s.feedRoutes()...)
}

// notificationPreferences is a person's choice of how notifications reach
// them by e-mail.
type notificationPreferences struct {
	// Email is immediate (each notification when it happens), daily_digest
	// (kept for a daily summary) or off.
	Email string `json:"email" validate:"required,oneof=immediate daily_digest off"`
}

// personOf is the calling person's id; a service user (no person) has no
// preferences: 409.
func personOf(c *gin.Context) (p web.Principal, ok bool) {
	p = web.PrincipalOf(c)
	if !p.PersonID.Valid {
		web.Fail(c, http.StatusConflict, web.ProblemConflict, "a service user receives no notifications; preferences belong to people")
		return p, false
	}
	return p, true
}

func (s *Server) getNotificationPreferences(c *gin.Context) {
	p, ok := personOf(c)
	if !ok {
		return
	}
	mode, err := s.q.NotifyPreferenceGet(c, p.PersonID.UUID)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, notificationPreferences{Email: mode})
}

func (s *Server) putNotificationPreferences(c *gin.Context) {
	p, ok := personOf(c)
	if !ok {
		return
	}
	var req notificationPreferences
	if !s.decodeJSON(c, &req, false) {
		return
	}
	if err := s.validate.Struct(&req); err != nil {
		web.ValidationProblem(c, web.FieldErrors(err))
		return
	}
	if err := s.q.NotifyPreferenceSet(c, dbq.NotifyPreferenceSetParams{PersonID: p.PersonID.UUID, EmailMode: req.Email,
		UpdatedAt: s.now()}); err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, req)
}

var unsubscribeTemplate = template.Must(template.New("unsubscribe").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>dealflow: notification e-mails</title></head>
<body style="font-family: sans-serif">{{if .Done}}<p>You will receive no more notification e-mails. You can turn them on again in your notification preferences.</p>
{{else}}<form method="post"><input type="hidden" name="token" value="{{.Token}}">
<p>Stop all dealflow notification e-mails to you?</p><button type="submit">Unsubscribe</button></form>{{end}}
</body></html>
`))

// unsubscribePage asks to confirm (a link scanner following the e-mail's
// link changes nothing); the form posts to unsubscribe.
func (s *Server) unsubscribePage(c *gin.Context) {
	token := c.Query("token")
	if _, err := unsubscribe.Person(s.cfg.NotifySecret, token); err != nil {
		web.Fail(c, http.StatusNotFound, web.ProblemNotFound, "this unsubscribe link is not valid")
		return
	}
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(http.StatusOK)
	_ = unsubscribeTemplate.Execute(c.Writer, map[string]any{"Token": token})
}

// unsubscribe turns the token's person's e-mail off: the form's post, or a
// mail client's one-click post (RFC 8058, token in the query).
func (s *Server) unsubscribe(c *gin.Context) {
	token := c.Query("token")
	if token == "" {
		token = c.PostForm("token")
	}
	person, err := unsubscribe.Person(s.cfg.NotifySecret, token)
	if err != nil {
		web.Fail(c, http.StatusNotFound, web.ProblemNotFound, "this unsubscribe link is not valid")
		return
	}
	err = s.q.NotifyPreferenceSet(c, dbq.NotifyPreferenceSetParams{PersonID: person, EmailMode: "off", UpdatedAt: s.now()})
	if err != nil {
		// A token names a person who exists (it was signed for one).
		web.Unavailable(c, s.log, errors.Join(errors.New("unsubscribe"), err))
		return
	}
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(http.StatusOK)
	_ = unsubscribeTemplate.Execute(c.Writer, map[string]any{"Done": true})
}

// notifyDocs documents the notify context's routes for the OpenAPI
// description.
func notifyDocs() map[string]routeDoc {
	p := notificationPreferences{}
	docs := feedDocs()
	for k, v := range map[string]routeDoc{
		"GET /v1/me/notification-preferences": {Summary: "The caller's notification preferences (people only; a service user: 409)", Response: p},
		"PUT /v1/me/notification-preferences": {Summary: "Set how notifications reach the caller by e-mail: immediate, daily_digest or off", Body: p, Response: p},
		"GET /v1/notifications/unsubscribe":   {Summary: "The unsubscribe link of notification e-mails: a page asking to confirm (no token needed; the link's signed token names the person)", Media: "text/html", Query: []string{"token"}},
		"POST /v1/notifications/unsubscribe":  {Summary: "Turn the token's person's notification e-mails off (the confirmation form, or a one-click unsubscribe per RFC 8058)", Media: "text/html", Query: []string{"token"}},
	} {
		docs[k] = v
	}
	return docs
}
