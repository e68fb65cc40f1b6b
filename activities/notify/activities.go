// Package notify holds the notification delivery context's activities:
// waiting for undelivered rows of the notifications outbox and delivering
// one by e-mail to each of its recipients (resolved from its audience,
// honouring each person's preference), recording every (notification,
// recipient) once. The NotificationDelivery workflow
// (workflows/notify/delivery) calls them through a nil *Activities.
package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dealflow/dealflow/activities"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/internal/clock"
	"github.com/dealflow/dealflow/internal/unsubscribe"
	"github.com/dealflow/dealflow/workflows/notify"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/activity"
)

// Settings are what e-mail delivery needs beyond the database.
type Settings struct {
	// SMTPAddr is the SMTP server's host:port.
	SMTPAddr string
	// From is the From address of every e-mail.
	From string
	// ConsoleURL is the console's base URL, for links.
	ConsoleURL string
	// Secret signs unsubscribe links ("" = none).
	Secret string
}

// Activities holds the pool, the mail settings and the clock.
type Activities struct {
	Pool     *pgxpool.Pool
	Settings Settings
	Clock    clock.Clock
	// Poll is how often NotifyAwaitPending looks at the outbox (0: 200 ms).
	Poll time.Duration
}

// New returns Activities on pool with settings.
func New(pool *pgxpool.Pool, s Settings) *Activities {
	return &Activities{Pool: pool, Settings: s, Clock: clock.System{}}
}

func (a *Activities) now() time.Time { return clock.Or(a.Clock).Now() }

// NotifyAwaitPending returns up to req.Max undelivered notifications, oldest
// first, waiting up to req.Wait (heartbeating) for one to appear; it
// returns none when the wait ends empty.
func (a *Activities) NotifyAwaitPending(ctx context.Context, req notify.AwaitRequest) ([]notify.Pending, error) {
	q := dbq.New(a.Pool)
	var out []notify.Pending
	err := activities.Await(ctx, req.Wait, a.Poll, func() (bool, error) {
		rows, err := q.NotifyPending(ctx, int32(max(req.Max, 1)))
		if err != nil {
			return false, err
		}
		out = make([]notify.Pending, 0, len(rows))
		for _, r := range rows {
			out = append(out, notify.Pending{ID: r.ID, DealID: dealIDOf(r.DealID)})
		}
		return len(rows) > 0, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// NotifyDeliver delivers notification id to each of its recipients not yet
// recorded: e-mailed (immediate), kept for the digest, or skipped (off);
// each recorded once, after its e-mail is sent, so a retry resends at most
// the one message whose recording failed, with the same Message-ID. Then
// it marks the notification delivered.
func (a *Activities) NotifyDeliver(ctx context.Context, id int64) (notify.Outcome, error) {
	var out notify.Outcome
	if a.Settings.SMTPAddr == "" {
		return out, errors.New("e-mail delivery is off (DEALFLOW_SMTP_ADDR unset)")
	}
	q := dbq.New(a.Pool)
	n, err := q.NotifyGet(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return out, nil
	}
	if err != nil {
		return out, err
	}
	if n.DeliveredAt.Valid {
		return out, nil
	}
	recipients, err := a.recipients(ctx, q, n.Audience)
	if err != nil {
		return out, err
	}
	done, err := q.NotifyDeliveriesFor(ctx, id)
	if err != nil {
		return out, err
	}
	recorded := map[string]bool{}
	for _, d := range done {
		recorded[d.Recipient] = true
	}
	for _, r := range recipients {
		if activity.IsActivity(ctx) {
			activity.RecordHeartbeat(ctx, r.Email)
		}
		if recorded[r.Email] {
			out.Already++
			continue
		}
		if Personal(n.Kind) {
			r.Mode = ModeImmediate
		}
		status, detail := r.Mode, ""
		switch r.Mode {
		case ModeOff:
			out.Off++
		case ModeDigest:
			status = "digest"
			out.Digest++
		default:
			status = "sent"
			err := a.send(ctx, n, r)
			switch {
			case errors.Is(err, ErrRefused):
				status, detail = "failed", err.Error()
				out.Failed++
			case err != nil:
				return out, fmt.Errorf("notification %d to %s: %w", id, r.Email, err)
			default:
				out.Sent++
			}
		}
		if err := q.NotifyDeliveryRecord(ctx, dbq.NotifyDeliveryRecordParams{NotificationID: id, Recipient: r.Email,
			PersonID: uuid.NullUUID{UUID: r.PersonID, Valid: r.PersonID != uuid.Nil}, Status: status,
			MessageID: MessageID(id, r.Email, a.Settings.From), Detail: detail, RecordedAt: a.now()}); err != nil {
			return out, err
		}
		recorded[r.Email] = true
	}
	return out, q.NotifyMarkDelivered(ctx, dbq.NotifyMarkDeliveredParams{ID: id, DeliveredAt: pgtype.Timestamptz{Time: a.now(), Valid: true}})
}

// recipients resolves an audience; one that cannot be parsed has none (it
// is marked delivered, as nobody can receive it).
func (a *Activities) recipients(ctx context.Context, q *dbq.Queries, audience string) ([]Recipient, error) {
	aud, err := ParseAudience(audience)
	if err != nil {
		if activity.IsActivity(ctx) {
			activity.GetLogger(ctx).Warn("notification audience unknown; nobody to deliver to", "audience", audience)
		}
		return nil, nil
	}
	return resolve(ctx, q, aud)
}

func (a *Activities) send(ctx context.Context, n dbq.NotifyGetRow, r Recipient) error {
	m := Mail{NotificationID: n.ID, From: a.Settings.From, To: r.Email, Kind: n.Kind, Subject: n.Subject,
		Customer: n.CustomerName, Body: n.Body, Date: n.CreatedAt}
	if n.DealID.Valid {
		m.DealURL = a.Settings.ConsoleURL + "/console/deals/" + n.DealID.UUID.String()
	}
	if a.Settings.Secret != "" && r.PersonID != uuid.Nil && !Personal(n.Kind) {
		m.UnsubscribeURL = a.Settings.ConsoleURL + "/v1/notifications/unsubscribe?token=" + unsubscribe.Token(a.Settings.Secret, r.PersonID)
	}
	msg, err := Compose(m)
	if err != nil {
		return err
	}
	return send(ctx, a.Settings.SMTPAddr, a.Settings.From, r.Email, msg)
}

// dealIDOf is a notification's deal id, or "" for a notification of no
// deal (an invitation), which orders among the others by its id alone.
func dealIDOf(id uuid.NullUUID) string {
	if !id.Valid {
		return ""
	}
	return id.UUID.String()
}

// NotifyDeliverBatch delivers notifications ids one after the other, in the
// order given (outbox order), as NotifyDeliver does each: one activity per
// batch instead of one per notification, so a busy outbox is not held up by
// a Temporal round trip per notification. A retry skips what an earlier
// attempt delivered (delivered_at) and recipients it recorded.
func (a *Activities) NotifyDeliverBatch(ctx context.Context, ids []int64) (notify.Outcome, error) {
	var total notify.Outcome
	for i, id := range ids {
		if activity.IsActivity(ctx) {
			activity.RecordHeartbeat(ctx, i)
		}
		out, err := a.NotifyDeliver(ctx, id)
		if err != nil {
			return total, err
		}
		total.Add(out)
	}
	return total, nil
}
