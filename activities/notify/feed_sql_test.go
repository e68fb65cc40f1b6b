package notify_test

import (
	"context"
	"testing"
	"time"

	dealacts "github.com/dealflow/dealflow/activities/deal"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// The feed's SQL (the notification_feed view and its queries): a user
// sees its vendor role's, its organization's and its address's
// notifications; a partner user never sees another organization's deal,
// even addressed to its own address; a partner role audience reaches no
// one across organizations; invitations stay out; read marks are per user.
func TestFeedIsScopedInSQL(t *testing.T) {
	ctx := context.Background()
	q := dbq.New(testDB.Pool)
	pa, err := q.PartnerCreate(ctx, dbq.PartnerCreateParams{Name: "Feed A", Type: "reseller", Tier: "gold"})
	if err != nil {
		t.Fatal(err)
	}
	pb, err := q.PartnerCreate(ctx, dbq.PartnerCreateParams{Name: "Feed B", Type: "reseller", Tier: "gold"})
	if err != nil {
		t.Fatal(err)
	}
	amy := person(t, q, "amy@feed-a.example", domain.RolePartnerUser, pa.ID)
	ben := person(t, q, "ben@feed-b.example", domain.RolePartnerUser, pb.ID)
	cm := person(t, q, "cm@feed-vendor.example", domain.RoleChannelManager, uuid.Nil)
	cm2 := person(t, q, "cm2@feed-vendor.example", domain.RoleChannelManager, uuid.Nil)
	when := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	dealA := submitWith(t, pa.ID, amy, "FeedAlpha", when,
		dealacts.Notification{Audience: "partner:" + pa.ID.String(), Kind: "approved", Subject: "A approved"},
		dealacts.Notification{Audience: "role:channel_manager", Kind: "review_needed", Subject: "A review"},
		dealacts.Notification{Audience: "role:partner_user", Kind: "odd", Subject: "A to a partner role"})
	dealB := submitWith(t, pb.ID, ben, "FeedBeta", when,
		dealacts.Notification{Audience: "partner:" + pb.ID.String(), Kind: "approved", Subject: "B approved"},
		dealacts.Notification{Audience: "email:amy@feed-a.example", Kind: "escalated", Subject: "B to amy's address"},
		dealacts.Notification{Audience: "email:cm@feed-vendor.example", Kind: "escalated", Subject: "B to cm's address"})
	if _, err := testDB.Pool.Exec(ctx, `INSERT INTO notifications (audience, kind, subject, body, created_at, ordinal)
		VALUES ('email:amy@feed-a.example', 'invitation', 'invited', 'https://x/secret', now(), 0)`); err != nil {
		t.Fatal(err)
	}
	subjects := func(u dbq.User, unread bool) map[string]int64 {
		t.Helper()
		rows, err := q.NotifyFeedList(ctx, dbq.NotifyFeedListParams{UserID: u.ID, UnreadOnly: unread, PageSize: 100})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int64{}
		for _, r := range rows {
			if r.DealID.Valid && (r.DealID.UUID.String() == dealA || r.DealID.UUID.String() == dealB) || !r.DealID.Valid {
				out[r.Subject] = r.NotificationID
			}
		}
		return out
	}
	want := map[string][]string{
		"amy": {"A approved"},
		"ben": {"B approved"},
		"cm":  {"A review", "B to cm's address"},
		"cm2": {"A review"},
	}
	users := map[string]dbq.User{"amy": amy, "ben": ben, "cm": cm, "cm2": cm2}
	for name, u := range users {
		got := subjects(u, false)
		if len(got) != len(want[name]) {
			t.Errorf("%s sees %v, want %v", name, got, want[name])
			continue
		}
		for _, s := range want[name] {
			if _, ok := got[s]; !ok {
				t.Errorf("%s sees %v, want %v", name, got, want[name])
			}
		}
	}
	// Marking: ben cannot mark amy's; cm's read leaves cm2's unread.
	amyID := subjects(amy, false)["A approved"]
	if n, err := q.NotifyFeedMarkRead(ctx, dbq.NotifyFeedMarkReadParams{UserID: ben.ID, NotificationID: amyID, ReadAt: when}); err != nil || n != 0 {
		t.Fatalf("ben marked amy's notification: %d, %v", n, err)
	}
	review := subjects(cm, false)["A review"]
	before2, _ := q.NotifyFeedUnreadCount(ctx, cm2.ID)
	if n, err := q.NotifyFeedMarkRead(ctx, dbq.NotifyFeedMarkReadParams{UserID: cm.ID, NotificationID: review, ReadAt: when}); err != nil || n != 1 {
		t.Fatalf("cm's read: %d, %v", n, err)
	}
	if _, ok := subjects(cm, true)["A review"]; ok {
		t.Error("cm's read notification is still unread")
	}
	if after2, _ := q.NotifyFeedUnreadCount(ctx, cm2.ID); after2 != before2 {
		t.Errorf("cm2's unread moved %d → %d", before2, after2)
	}
	// Read-all up to an id leaves newer ones unread.
	n, err := q.NotifyFeedMarkAllRead(ctx, dbq.NotifyFeedMarkAllReadParams{UserID: cm.ID, ReadAt: when,
		UpTo: pgtype.Int8{Int64: review, Valid: true}})
	if err != nil {
		t.Fatal(err)
	}
	if left := subjects(cm, true); len(left) != 1 || left["B to cm's address"] == 0 {
		t.Errorf("after read-all up to %d (%d marked): unread %v", review, n, left)
	}
	if _, err := q.NotifyFeedMarkAllRead(ctx, dbq.NotifyFeedMarkAllReadParams{UserID: cm.ID, ReadAt: when}); err != nil {
		t.Fatal(err)
	}
	if c, _ := q.NotifyFeedUnreadCount(ctx, cm.ID); c != 0 {
		t.Errorf("cm unread after read-all: %d", c)
	}
}
