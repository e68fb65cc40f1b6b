-- name: WebhookSubscriptionCreate :one
-- A new subscription delivers only what the outbox gets from now on.
INSERT INTO webhook_subscriptions (id, partner_id, url, description, event_types, status, secret,
    start_after, created_by, created_at, updated_at)
VALUES (@id, sqlc.narg(partner_id), @url, @description, @event_types::text[], 'active', @secret,
    (SELECT coalesce(max(id), 0) FROM notifications), @created_by, @created_at, @created_at)
RETURNING *;

-- name: WebhookSubscriptionGet :one
-- One subscription, within the caller's scope (NULL: the vendor sees
-- every organization's; a partner only its own).
SELECT * FROM webhook_subscriptions
WHERE id = @id AND (sqlc.narg(scope)::uuid IS NULL OR partner_id = sqlc.narg(scope)::uuid);

-- name: WebhookSubscriptionList :many
SELECT * FROM webhook_subscriptions
WHERE sqlc.narg(scope)::uuid IS NULL OR partner_id = sqlc.narg(scope)::uuid
ORDER BY created_at, id;

-- name: WebhookSubscriptionsActive :many
SELECT id FROM webhook_subscriptions WHERE status = 'active' ORDER BY id;

-- name: WebhookSubscriptionUpdate :one
-- Changes the URL, description, event types or status; re-enabling clears
-- the reason it was disabled.
UPDATE webhook_subscriptions
SET url = @url, description = @description, event_types = @event_types::text[], status = @status,
    disabled_reason = CASE WHEN @status = 'active' THEN '' ELSE @disabled_reason END, updated_at = @updated_at
WHERE id = @id AND (sqlc.narg(scope)::uuid IS NULL OR partner_id = sqlc.narg(scope)::uuid)
RETURNING *;

-- name: WebhookSubscriptionRotate :one
-- A new secret; the current one keeps signing beside it until
-- previous_expires_at (an expiry now or earlier: no overlap).
UPDATE webhook_subscriptions
SET previous_secret = secret, previous_expires_at = @previous_expires_at, secret = @secret, updated_at = @updated_at
WHERE id = @id AND (sqlc.narg(scope)::uuid IS NULL OR partner_id = sqlc.narg(scope)::uuid)
RETURNING *;

-- name: WebhookSubscriptionDelete :execrows
DELETE FROM webhook_subscriptions
WHERE id = @id AND (sqlc.narg(scope)::uuid IS NULL OR partner_id = sqlc.narg(scope)::uuid);

-- name: WebhookSubscriptionDisable :exec
-- The receiver said 410 Gone: the subscription stops, saying why.
UPDATE webhook_subscriptions SET status = 'disabled', disabled_reason = @disabled_reason, updated_at = @updated_at
WHERE id = @id AND status = 'active';

-- name: WebhookPending :many
-- The subscription's next events after cursor, oldest first: the
-- notifications it may receive (a vendor subscription: any; a partner's:
-- those addressed to its organization or to one of its people), of its
-- event types, not yet delivered or dead-lettered.
SELECT n.id, n.deal_id, n.kind
FROM webhook_subscriptions s
JOIN notifications n ON n.id > greatest(@after::bigint, s.start_after)
WHERE s.id = @subscription_id AND s.status = 'active'
  AND (cardinality(s.event_types) = 0 OR n.kind = ANY (s.event_types))
  AND (s.partner_id IS NULL
       OR n.audience = 'partner:' || s.partner_id::text
       OR n.audience IN (SELECT 'email:' || p.email FROM users u JOIN people p ON p.id = u.person_id
                         WHERE u.partner_id = s.partner_id AND p.email IS NOT NULL))
  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d
                  WHERE d.subscription_id = s.id AND d.notification_id = n.id AND d.status IN ('delivered', 'dead'))
ORDER BY n.id
LIMIT @max_rows;

-- name: WebhookEventGet :one
-- One event as a subscription receives it; no row when the subscription
-- may not receive it (or it does not exist).
SELECT n.id, n.deal_id, n.event_seq, n.audience, n.kind, n.subject, n.created_at,
       coalesce(d.customer_name, '')::text AS customer_name, d.partner_id AS deal_partner_id
FROM webhook_subscriptions s
JOIN notifications n ON n.id = @notification_id
LEFT JOIN deals d ON d.id = n.deal_id
WHERE s.id = @subscription_id
  AND (s.partner_id IS NULL
       OR n.audience = 'partner:' || s.partner_id::text
       OR n.audience IN (SELECT 'email:' || p.email FROM users u JOIN people p ON p.id = u.person_id
                         WHERE u.partner_id = s.partner_id AND p.email IS NOT NULL));

-- name: WebhookDeliveryEnsure :exec
INSERT INTO webhook_deliveries (subscription_id, notification_id, webhook_id, event_type, status, created_at)
VALUES (@subscription_id, @notification_id, @webhook_id, @event_type, 'pending', @created_at)
ON CONFLICT (subscription_id, notification_id) DO NOTHING;

-- name: WebhookDeliveryAttempted :exec
-- Records one attempt: delivered on a 2xx, else still pending with the
-- answer (a delivered row stays delivered).
UPDATE webhook_deliveries
SET attempts = attempts + 1, last_status = @last_status, last_error = @last_error,
    first_attempt_at = coalesce(first_attempt_at, @attempted_at), last_attempt_at = @attempted_at,
    status = CASE WHEN @delivered::bool THEN 'delivered' ELSE status END,
    finished_at = CASE WHEN @delivered::bool THEN @attempted_at ELSE finished_at END
WHERE subscription_id = @subscription_id AND notification_id = @notification_id;

-- name: WebhookDeliveryDead :exec
-- Retries ran out: dead-lettered, kept in the log, replayable.
UPDATE webhook_deliveries
SET status = 'dead', finished_at = @finished_at, last_error = CASE WHEN @reason::text = '' THEN last_error ELSE @reason END
WHERE subscription_id = @subscription_id AND notification_id = @notification_id AND status = 'pending';

-- name: WebhookDeliveryReplay :execrows
-- Replay from an event: its delivered and dead-lettered rows, and every
-- later one's, are pending again (to be delivered with their webhook-id).
UPDATE webhook_deliveries
SET status = 'pending', finished_at = NULL
WHERE subscription_id = @subscription_id AND notification_id >= @from_id AND status <> 'pending';

-- name: WebhookDeliveryList :many
-- The subscription's delivery log, newest first, a page before a cursor
-- (0: the newest).
SELECT * FROM webhook_deliveries
WHERE subscription_id = @subscription_id AND (@before::bigint = 0 OR notification_id < @before::bigint)
ORDER BY notification_id DESC
LIMIT @max_rows;
