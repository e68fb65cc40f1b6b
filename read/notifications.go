package read

import (
	"context"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// FeedItem is one notification in a user's feed (docs/notify.md): what
// happened, on which deal, and whether the user has read it.
type FeedItem struct {
	ID      int64  `json:"id"`
	Kind    string `json:"kind"`
	Subject string `json:"subject"`
	// DealID and Customer name the deal ("" for a notification of none).
	DealID    string    `json:"deal_id,omitempty"`
	Customer  string    `json:"customer_name,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Read      bool      `json:"read"`
	// ReadAt is when the user marked it read.
	ReadAt *time.Time `json:"read_at,omitempty"`
	// Link is the console page it is about.
	Link string `json:"link,omitempty"`
}

// FeedPage asks for a page of a user's feed.
type FeedPage struct {
	UserID     uuid.UUID
	UnreadOnly bool
	// Before is the id the page starts below (0: the newest).
	Before int64
	Size   int
}

// NotificationFeed returns a page of the user's feed, newest first, and
// the id the next page starts below (0: none). The feed is the user's own:
// its role's, its organization's and its address's notifications, a partner
// user's limited to its organization's deals, all in SQL
// (notification_feed).
func (rd *Reader) NotificationFeed(ctx context.Context, p FeedPage) ([]FeedItem, int64, error) {
	rows, err := rd.q.NotifyFeedList(ctx, dbq.NotifyFeedListParams{UserID: p.UserID, UnreadOnly: p.UnreadOnly,
		BeforeID: pgtype.Int8{Int64: p.Before, Valid: p.Before > 0}, PageSize: int32(p.Size + 1)})
	if err != nil {
		return nil, 0, err
	}
	var next int64
	if len(rows) > p.Size {
		rows = rows[:p.Size]
		next = rows[len(rows)-1].NotificationID
	}
	out := make([]FeedItem, 0, len(rows))
	for _, r := range rows {
		it := FeedItem{ID: r.NotificationID, Kind: r.Kind, Subject: r.Subject, Customer: r.CustomerName,
			CreatedAt: r.CreatedAt.UTC(), Read: r.ReadAt.Valid}
		if r.ReadAt.Valid {
			t := r.ReadAt.Time.UTC()
			it.ReadAt = &t
		}
		if r.DealID.Valid {
			it.DealID = r.DealID.UUID.String()
			it.Link = "/console/deals/" + it.DealID
		}
		out = append(out, it)
	}
	return out, next, nil
}

// UnreadNotifications counts the unread notifications of the user's feed.
func (rd *Reader) UnreadNotifications(ctx context.Context, user uuid.UUID) (int64, error) {
	return rd.q.NotifyFeedUnreadCount(ctx, user)
}
