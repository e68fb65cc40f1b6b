-- +goose Up
-- Webhooks (docs/webhooks.md): an organization subscribes a URL to the
-- notifications outbox's events; the WebhookDelivery workflow of each
-- subscription (webhook/<id>) posts every matching event, signed as the
-- Standard Webhooks specification says, and records each in
-- webhook_deliveries, the subscription's delivery log.
CREATE TABLE webhook_subscriptions (
    id                 uuid PRIMARY KEY,
    -- NULL: a vendor subscription (any event); else a partner
    -- organization's, which receives only the events addressed to it.
    partner_id         uuid REFERENCES partners (id),
    url                text NOT NULL CHECK (url ~ '^https?://[^[:space:]]+$' AND length(url) <= 2000),
    description        text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    -- the notification kinds delivered; empty: every kind
    event_types        text[] NOT NULL DEFAULT '{}',
    status             text NOT NULL CHECK (status IN ('active', 'disabled')),
    -- why a subscription is disabled (the receiver answered 410 Gone, or
    -- an admin disabled it)
    disabled_reason    text NOT NULL DEFAULT '',
    -- whsec_<base64>: HMAC keys, so kept in clear (a hash cannot sign)
    secret             text NOT NULL CHECK (secret LIKE 'whsec\_%'),
    -- the secret before the last rotation, still signing beside the new
    -- one until previous_expires_at (the overlap)
    previous_secret    text CHECK (previous_secret LIKE 'whsec\_%'),
    previous_expires_at timestamptz,
    -- only notifications after this id are delivered (the outbox's last id
    -- when the subscription was made)
    start_after        bigint NOT NULL,
    created_by         uuid NOT NULL REFERENCES users (id),
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    CHECK ((previous_secret IS NULL) = (previous_expires_at IS NULL))
);
CREATE INDEX webhook_subscriptions_partner ON webhook_subscriptions (partner_id, created_at);

-- One row per (subscription, notification): the delivery log. pending
-- until the receiver answered 2xx (delivered), or retries ran out after
-- three days (dead: dead-lettered, replayable).
CREATE TABLE webhook_deliveries (
    subscription_id  uuid NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    notification_id  bigint NOT NULL REFERENCES notifications (id),
    -- the webhook-id header: the same for every attempt and replay
    webhook_id       text NOT NULL,
    event_type       text NOT NULL,
    status           text NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- the last attempt's HTTP status (0: none, or no answer) and error
    last_status      integer NOT NULL DEFAULT 0,
    last_error       text NOT NULL DEFAULT '',
    first_attempt_at timestamptz,
    last_attempt_at  timestamptz,
    finished_at      timestamptz,
    created_at       timestamptz NOT NULL,
    PRIMARY KEY (subscription_id, notification_id)
);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhook_subscriptions;
