// Package webhook holds the webhook delivery context's activities: waiting
// for a subscription's next events (recording each in its delivery log),
// one signed delivery attempt of an event, and dead-lettering an event
// whose retries ran out. The WebhookDelivery workflow
// (workflows/webhook/delivery) calls them through a nil *Activities and
// keeps the retry schedule itself; an attempt that got no 2xx is an
// outcome, not an error, so that Temporal's retries are left for
// PostgreSQL being away.
package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/dealflow/dealflow/activities"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/internal/clock"
	"github.com/dealflow/dealflow/internal/stdwebhook"
	"github.com/dealflow/dealflow/workflows/webhook"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/activity"
)

// Activities holds the pool, the HTTP client webhooks are posted with and
// the clock.
type Activities struct {
	Pool  *pgxpool.Pool
	HTTP  *http.Client
	Clock clock.Clock
	// Poll is how often WebhookAwaitPending looks for events (0: 200 ms).
	Poll time.Duration
}

// New returns Activities on pool, posting with a client that follows no
// redirect (a 3xx is an answer to retry, not a new address).
func New(pool *pgxpool.Pool) *Activities {
	return &Activities{Pool: pool, Clock: clock.System{}, HTTP: &http.Client{
		Timeout:       stdwebhook.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (a *Activities) now() time.Time { return clock.Or(a.Clock).Now() }

func ts(t time.Time) pgtype.Timestamptz { return pgtype.Timestamptz{Time: t, Valid: true} }

// WebhookAwaitPending returns up to req.Max of the subscription's events
// after req.After, oldest first, each recorded pending in its delivery log,
// waiting up to req.Wait (heartbeating) for one; Active is false once the
// subscription is disabled or deleted.
func (a *Activities) WebhookAwaitPending(ctx context.Context, req webhook.AwaitRequest) (webhook.Pending, error) {
	id, err := uuid.Parse(req.SubscriptionID)
	if err != nil {
		return webhook.Pending{}, nil
	}
	q := dbq.New(a.Pool)
	var out webhook.Pending
	err = activities.Await(ctx, req.Wait, a.Poll, func() (bool, error) {
		sub, err := q.WebhookSubscriptionGet(ctx, dbq.WebhookSubscriptionGetParams{ID: id})
		if errors.Is(err, pgx.ErrNoRows) || err == nil && sub.Status != "active" {
			out = webhook.Pending{}
			return true, nil
		}
		if err != nil {
			return false, err
		}
		rows, err := q.WebhookPending(ctx, dbq.WebhookPendingParams{SubscriptionID: id, After: req.After, MaxRows: int32(max(req.Max, 1))})
		if err != nil {
			return false, err
		}
		out = webhook.Pending{Active: true, Events: make([]webhook.Event, 0, len(rows))}
		for _, r := range rows {
			if err := q.WebhookDeliveryEnsure(ctx, dbq.WebhookDeliveryEnsureParams{SubscriptionID: id, NotificationID: r.ID,
				WebhookID: webhook.MessageID(req.SubscriptionID, r.ID), EventType: r.Kind, CreatedAt: a.now()}); err != nil {
				return false, err
			}
			e := webhook.Event{ID: r.ID}
			if r.DealID.Valid {
				e.DealID = r.DealID.UUID.String()
			}
			out.Events = append(out.Events, e)
		}
		return len(rows) > 0, nil
	})
	if err != nil {
		return webhook.Pending{}, err
	}
	return out, nil
}

// WebhookAttempt posts one event to the subscription's URL, signed with
// its secret (and, during a rotation's overlap, the previous one too),
// with the event's stable webhook-id, and records the attempt in the
// delivery log. A 410 disables the subscription, saying why.
func (a *Activities) WebhookAttempt(ctx context.Context, req webhook.AttemptRequest) (webhook.AttemptResult, error) {
	id, err := uuid.Parse(req.SubscriptionID)
	if err != nil {
		return webhook.AttemptResult{Outcome: webhook.Inactive}, nil
	}
	q := dbq.New(a.Pool)
	sub, err := q.WebhookSubscriptionGet(ctx, dbq.WebhookSubscriptionGetParams{ID: id})
	if errors.Is(err, pgx.ErrNoRows) || err == nil && sub.Status != "active" {
		return webhook.AttemptResult{Outcome: webhook.Inactive}, nil
	}
	if err != nil {
		return webhook.AttemptResult{}, err
	}
	ev, err := q.WebhookEventGet(ctx, dbq.WebhookEventGetParams{SubscriptionID: id, NotificationID: req.EventID})
	if errors.Is(err, pgx.ErrNoRows) {
		// No longer addressed to the subscription's organization (its
		// person left it): nothing may be sent.
		return webhook.AttemptResult{Outcome: webhook.Skipped, Error: "the event is no longer one this subscription may receive"}, nil
	}
	if err != nil {
		return webhook.AttemptResult{}, err
	}
	body, err := Payload(ev, sub.PartnerID)
	if err != nil {
		return webhook.AttemptResult{}, err
	}
	now := a.now()
	secrets := []string{sub.Secret}
	if sub.PreviousSecret.Valid && sub.PreviousExpiresAt.Valid && now.Before(sub.PreviousExpiresAt.Time) {
		secrets = append(secrets, sub.PreviousSecret.String)
	}
	if activity.IsActivity(ctx) {
		activity.RecordHeartbeat(ctx, req.Attempt)
	}
	res, err := stdwebhook.Post(ctx, a.HTTP, sub.Url, webhook.MessageID(req.SubscriptionID, req.EventID), now, body, secrets...)
	if err != nil {
		return webhook.AttemptResult{}, err
	}
	if activity.IsActivity(ctx) {
		activity.RecordHeartbeat(ctx, req.Attempt)
	}
	if err := q.WebhookDeliveryAttempted(ctx, dbq.WebhookDeliveryAttemptedParams{SubscriptionID: id, NotificationID: req.EventID,
		LastStatus: int32(res.Status), LastError: truncate(res.Error, 500), AttemptedAt: ts(now), Delivered: res.Delivered()}); err != nil {
		return webhook.AttemptResult{}, err
	}
	out := webhook.AttemptResult{Outcome: webhook.Retry, Status: res.Status, Error: res.Error}
	switch {
	case res.Delivered():
		out.Outcome = webhook.Delivered
	case res.Gone():
		out.Outcome = webhook.Gone
		if err := q.WebhookSubscriptionDisable(ctx, dbq.WebhookSubscriptionDisableParams{ID: id, UpdatedAt: now,
			DisabledReason: fmt.Sprintf("the receiver answered 410 Gone to event %d at %s", req.EventID, now.Format(time.RFC3339))}); err != nil {
			return webhook.AttemptResult{}, err
		}
	}
	return out, nil
}

// WebhookDeadLetter records that an event's retries ran out: dead in the
// delivery log, with the last error, replayable.
func (a *Activities) WebhookDeadLetter(ctx context.Context, d webhook.DeadLetter) error {
	id, err := uuid.Parse(d.SubscriptionID)
	if err != nil {
		return nil
	}
	return dbq.New(a.Pool).WebhookDeliveryDead(ctx, dbq.WebhookDeliveryDeadParams{SubscriptionID: id, NotificationID: d.EventID,
		FinishedAt: ts(a.now()), Reason: truncate(d.Reason, 500)})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
