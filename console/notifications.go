package console

import (
	"net/http"
	"strconv"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/read"
	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgtype"
)

// notificationRoutes are the caller's notification feed (docs/notify.md),
// open to every role: each sees only its own, as in the API.
func (s *Console) notificationRoutes() []Route {
	return []Route{
		{http.MethodGet, "/console/notifications", web.AllRoles, s.notificationsPage},
		{http.MethodPost, "/console/notifications/read-all", web.AllRoles, s.notificationsReadAll},
		{http.MethodPost, "/console/notifications/:id/read", web.AllRoles, s.notificationRead},
	}
}

// feedView is what notifications.html shows.
type feedView struct {
	Items      []read.FeedItem
	UnreadOnly bool
	// Newest is the newest id shown, what "mark all read" marks up to.
	Newest int64
	// Next is the before= of the next page (0: none).
	Next int64
}

const feedPageSize = 50

func (s *Console) notificationsPage(c *gin.Context) {
	p := web.PrincipalOf(c)
	q := read.FeedPage{UserID: p.UserID, UnreadOnly: c.Query("unread") == "true", Size: feedPageSize}
	if v, err := strconv.ParseInt(c.Query("before"), 10, 64); err == nil && v > 0 {
		q.Before = v
	}
	items, next, err := s.read.NotificationFeed(c, q)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	v := feedView{Items: items, UnreadOnly: q.UnreadOnly, Next: next}
	if len(items) > 0 {
		v.Newest = items[0].ID
	}
	s.render(c, http.StatusOK, "notifications.html", page{Title: "Notifications", Data: v})
}

// notificationRead marks one notification of the caller's feed read and
// goes back to the feed (or to the page it links, with open=1).
func (s *Console) notificationRead(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		s.notFound(c)
		return
	}
	found, err := s.q.NotifyFeedMarkRead(c, dbq.NotifyFeedMarkReadParams{UserID: web.PrincipalOf(c).UserID, NotificationID: id, ReadAt: s.now()})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if found == 0 {
		s.notFound(c)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/notifications")
}

// notificationsReadAll marks the caller's feed read up to the newest
// notification the page showed.
func (s *Console) notificationsReadAll(c *gin.Context) {
	var upTo int64
	if v := c.PostForm("up_to"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			s.render(c, http.StatusUnprocessableEntity, "notifications.html", page{Title: "Notifications",
				Error: "up_to must be a notification id", Data: feedView{}})
			return
		}
		upTo = n
	}
	if _, err := s.q.NotifyFeedMarkAllRead(c, dbq.NotifyFeedMarkAllReadParams{UserID: web.PrincipalOf(c).UserID,
		UpTo: pgtype.Int8{Int64: upTo, Valid: upTo > 0}, ReadAt: s.now()}); err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/notifications?done=All+notifications+marked+read")
}

// unreadBadge counts the principal's unread notifications for the header;
// a failure shows no badge rather than no page.
func (s *Console) unreadBadge(c *gin.Context, p web.Principal) int64 {
	if s.read == nil {
		return 0
	}
	n, err := s.read.UnreadNotifications(c, p.UserID)
	if err != nil {
		s.log.Warn("unread notifications", "err", err)
		return 0
	}
	return n
}
