-- +goose Up
-- Notification delivery (docs/notify.md): the notifications outbox every
-- deal event writes is delivered by the NotificationDelivery workflow
-- (notify/email). A person chooses how they hear of events; one row per
-- (notification, recipient) records what happened to each delivery, so a
-- retried delivery finds its row and sends nothing twice.
CREATE TABLE notification_preferences (
    person_id  uuid PRIMARY KEY REFERENCES people (id),
    email_mode text NOT NULL CHECK (email_mode IN ('immediate', 'daily_digest', 'off')),
    updated_at timestamptz NOT NULL
);

CREATE TABLE notification_deliveries (
    notification_id bigint NOT NULL REFERENCES notifications (id),
    -- the recipient's e-mail address, lower-cased
    recipient       text NOT NULL CHECK (recipient = lower(btrim(recipient)) AND length(recipient) BETWEEN 3 AND 254),
    person_id       uuid REFERENCES people (id),
    -- sent: handed to the SMTP server; off: the person turned e-mail off;
    -- digest: kept for the person's daily digest; failed: the SMTP server
    -- refused the address for good.
    status          text NOT NULL CHECK (status IN ('sent', 'off', 'digest', 'failed')),
    message_id      text NOT NULL,
    detail          text NOT NULL DEFAULT '',
    recorded_at     timestamptz NOT NULL,
    PRIMARY KEY (notification_id, recipient)
);
CREATE INDEX notification_deliveries_digest ON notification_deliveries (person_id, recorded_at) WHERE status = 'digest';

-- +goose Down
DROP TABLE notification_deliveries;
DROP TABLE notification_preferences;
