package api

import (
	"net/http"
	"strconv"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/read"
	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgtype"
)

// feedRoutes serve the caller's own notification feed (docs/notify.md):
// every notification addressed to its role, its organization or its
// address, with what it has read. Every query takes the caller's user id
// and scopes in SQL; nobody reaches another's feed.
func (s *Server) feedRoutes() []Route {
	return []Route{
		{http.MethodGet, "/v1/me/notifications", web.AllRoles, s.listNotifications},
		{http.MethodGet, "/v1/me/notifications/unread-count", web.AllRoles, s.unreadNotifications},
		{http.MethodPost, "/v1/me/notifications/read-all", web.AllRoles, s.readAllNotifications},
		{http.MethodPost, "/v1/me/notifications/:id/read", web.AllRoles, s.readNotification},
	}
}

// feedPage is a page of the feed as the API answers it.
type feedPage struct {
	Notifications []read.FeedItem `json:"notifications"`
	// NextBefore is the before= of the next page ("" : the last page).
	NextBefore string `json:"next_before"`
}

// unreadCount is how many notifications of the feed are unread.
type unreadCount struct {
	Unread int64 `json:"unread"`
}

// readAllResult says how many notifications read-all marked.
type readAllResult struct {
	Marked int64 `json:"marked"`
}

// idQuery parses an optional positive notification id from the query.
func idQuery(c *gin.Context, name string, errs *[]web.FieldError) int64 {
	v := c.Query(name)
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		*errs = append(*errs, web.FieldError{Field: name, Message: "must be a notification id"})
		return 0
	}
	return n
}

// listNotifications pages the feed newest first: unread=true leaves out
// what was read; limit and before (the previous page's next_before) page.
func (s *Server) listNotifications(c *gin.Context) {
	p := web.PrincipalOf(c)
	var errs []web.FieldError
	page := read.FeedPage{UserID: p.UserID}
	if v := c.Query("unread"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, web.FieldError{Field: "unread", Message: "must be true or false"})
		}
		page.UnreadOnly = b
	}
	size, err := pageSize(c.Query("limit"))
	if err != nil {
		errs = append(errs, web.FieldError{Field: "limit", Message: err.Error()})
	}
	page.Size = size
	page.Before = idQuery(c, "before", &errs)
	if len(errs) > 0 {
		web.ValidationProblem(c, errs)
		return
	}
	items, next, err := s.read.NotificationFeed(c, page)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	out := feedPage{Notifications: items}
	if next > 0 {
		out.NextBefore = strconv.FormatInt(next, 10)
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) unreadNotifications(c *gin.Context) {
	n, err := s.read.UnreadNotifications(c, web.PrincipalOf(c).UserID)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, unreadCount{Unread: n})
}

// readNotification marks one notification of the caller's feed read; one
// that is not in its feed (another's, or none) is 404.
func (s *Server) readNotification(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		notFound(c, "notification")
		return
	}
	found, err := s.q.NotifyFeedMarkRead(c, dbq.NotifyFeedMarkReadParams{UserID: web.PrincipalOf(c).UserID,
		NotificationID: id, ReadAt: s.now()})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if found == 0 {
		notFound(c, "notification")
		return
	}
	c.Status(http.StatusNoContent)
}

// readAllNotifications marks the caller's whole feed read, or up to
// up_to (the newest id the reader saw), so what arrived since stays unread.
func (s *Server) readAllNotifications(c *gin.Context) {
	var errs []web.FieldError
	upTo := idQuery(c, "up_to", &errs)
	if len(errs) > 0 {
		web.ValidationProblem(c, errs)
		return
	}
	n, err := s.q.NotifyFeedMarkAllRead(c, dbq.NotifyFeedMarkAllReadParams{UserID: web.PrincipalOf(c).UserID,
		UpTo: pgtype.Int8{Int64: upTo, Valid: upTo > 0}, ReadAt: s.now()})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, readAllResult{Marked: n})
}

// feedDocs documents the feed's routes for the OpenAPI description.
func feedDocs() map[string]routeDoc {
	return map[string]routeDoc{
		"GET /v1/me/notifications":              {Summary: "The caller's notification feed, newest first (its role's, its organization's and its address's notifications)", Response: feedPage{Notifications: []read.FeedItem{}}, Query: []string{"unread", "limit", "before"}},
		"GET /v1/me/notifications/unread-count": {Summary: "How many notifications of the caller's feed are unread", Response: unreadCount{}},
		"POST /v1/me/notifications/read-all":    {Summary: "Mark the caller's feed read (up to up_to, the newest id the reader saw, when given)", Response: readAllResult{}, Query: []string{"up_to"}},
		"POST /v1/me/notifications/:id/read":    {Summary: "Mark one notification of the caller's feed read (not in its feed: 404)", Status: http.StatusNoContent},
	}
}
