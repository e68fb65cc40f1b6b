package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/activities/notify"
	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/clock"
	"github.com/dealflow/dealflow/internal/testenv"
	"github.com/google/uuid"
)

// A password reset mail reaches a person who turned notification e-mails
// off (they asked for it), with its link and no unsubscribe link.
func TestPersonalMailIgnoresPreferenceAndUnsubscribe(t *testing.T) {
	ctx := context.Background()
	mp, err := testenv.StartMailpit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer mp.Stop()
	q := dbq.New(testDB.Pool)
	quiet := person(t, q, "quiet@vendor.example", domain.RoleFinance, uuid.Nil)
	if err := q.NotifyPreferenceSet(ctx, dbq.NotifyPreferenceSetParams{PersonID: quiet.PersonID.UUID, EmailMode: notify.ModeOff, UpdatedAt: at}); err != nil {
		t.Fatal(err)
	}
	if err := db.MailLink(ctx, testDB.Pool, db.LinkRequest{Email: "quiet@vendor.example", Purpose: domain.LinkReset, Now: at,
		LinkBase: "http://console.example"}); err != nil {
		t.Fatal(err)
	}
	acts := &notify.Activities{Pool: testDB.Pool, Clock: clock.Fixed(at.Add(time.Minute)), Poll: 10 * time.Millisecond,
		Settings: notify.Settings{SMTPAddr: mp.SMTPAddr, From: "dealflow <noreply@vendor.example>",
			ConsoleURL: "http://console.example", Secret: "0123456789abcdef"}}
	var id int64
	if err := testDB.Pool.QueryRow(ctx, `SELECT id FROM notifications WHERE audience = 'email:quiet@vendor.example'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	out, err := acts.NotifyDeliver(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := mp.Messages(ctx)
	if err != nil || out.Sent != 1 || out.Off != 0 || len(msgs) != 1 || msgs[0].To[0].Address != "quiet@vendor.example" {
		t.Fatalf("delivery %+v, mailpit %+v, %v", out, msgs, err)
	}
	full, err := mp.Message(ctx, msgs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(full.Text, "http://console.example"+db.ResetPath+"?token=dft_") || strings.Contains(full.Text, "unsubscribe") ||
		full.Subject != "Reset your dealflow password" {
		t.Fatalf("reset mail: %+v", full)
	}
	if !notify.Personal("sign_in_link") || notify.Personal("approved") {
		t.Error("Personal kinds")
	}
}
