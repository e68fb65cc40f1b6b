package notify_test

import (
	"context"
	"testing"
	"time"

	dealacts "github.com/dealflow/dealflow/activities/deal"
	"github.com/dealflow/dealflow/activities/notify"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/testenv"
	notifywf "github.com/dealflow/dealflow/workflows/notify"
	"github.com/google/uuid"
)

// A batch is delivered in the order given, each notification as
// NotifyDeliver does it; delivering the batch again sends nothing.
func TestDeliverBatchInOrderOnce(t *testing.T) {
	ctx := context.Background()
	mp, err := testenv.StartMailpit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer mp.Stop()
	q := dbq.New(testDB.Pool)
	p, err := q.PartnerCreate(ctx, dbq.PartnerCreateParams{Name: "Batch Partner", Type: "reseller", Tier: "gold"})
	if err != nil {
		t.Fatal(err)
	}
	kim := person(t, q, "kim@batch.example", domain.RolePartnerUser, p.ID)
	deal := submitWith(t, p.ID, kim, "Batchco", at,
		dealacts.Notification{Audience: "partner:" + p.ID.String(), Kind: "submitted", Subject: "Batchco: first"},
		dealacts.Notification{Audience: "partner:" + p.ID.String(), Kind: "approved", Subject: "Batchco: second"})
	notes, err := q.NotificationListForDeal(ctx, uuid.MustParse(deal))
	if err != nil || len(notes) != 2 {
		t.Fatal(notes, err)
	}
	acts := &notify.Activities{Pool: testDB.Pool, Poll: 10 * time.Millisecond,
		Settings: notify.Settings{SMTPAddr: mp.SMTPAddr, From: "noreply@vendor.example", ConsoleURL: "http://console.example"}}
	ids := []int64{notes[0].ID, notes[1].ID}
	out, err := acts.NotifyDeliverBatch(ctx, ids)
	if err != nil || out != (notifywf.Outcome{Sent: 2}) {
		t.Fatalf("batch: %+v, %v", out, err)
	}
	if again, err := acts.NotifyDeliverBatch(ctx, ids); err != nil || again != (notifywf.Outcome{}) {
		t.Fatalf("again: %+v, %v", again, err)
	}
	msgs, err := mp.Messages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Mailpit lists newest first.
	if len(msgs) != 2 || msgs[1].Subject != "Batchco: first" || msgs[0].Subject != "Batchco: second" {
		t.Fatalf("mailpit holds %+v", msgs)
	}
}
