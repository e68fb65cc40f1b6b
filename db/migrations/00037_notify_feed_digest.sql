-- +goose Up
-- The in-console notification feed and the daily digest (docs/notify.md).
--
-- notification_feed is every notification addressed to a user: its role's
-- (vendor roles only: a partner role's audience would cross organizations),
-- its partner organization's, or its person's address; a partner user's is
-- limited to its own organization's deals. Invitations (their body holds a
-- sign-up link) are mail only. Queries filter it by user_id, which the
-- caller's token gives: nobody reads another's feed.
CREATE VIEW notification_feed AS
SELECT u.id AS user_id, n.id AS notification_id, n.deal_id, n.kind, n.subject, n.created_at,
       coalesce(d.customer_name, '')::text AS customer_name
FROM users u
LEFT JOIN people p ON p.id = u.person_id
JOIN notifications n ON n.audience IN (CASE WHEN u.partner_id IS NULL THEN 'role:' || u.role END,
                                       'partner:' || u.partner_id::text, 'email:' || p.email)
LEFT JOIN deals d ON d.id = n.deal_id
WHERE n.kind <> 'invitation' AND (u.partner_id IS NULL OR d.partner_id = u.partner_id);

-- What a user has read of its feed: one row per (user, notification).
CREATE TABLE notification_reads (
    user_id         uuid NOT NULL REFERENCES users (id),
    notification_id bigint NOT NULL REFERENCES notifications (id),
    read_at         timestamptz NOT NULL,
    PRIMARY KEY (user_id, notification_id)
);

-- A delivery kept for the daily digest names the (local) day of the digest
-- that took it; NULL: waiting for the next one.
ALTER TABLE notification_deliveries ADD COLUMN digest_day date;
CREATE INDEX notification_deliveries_digest_waiting ON notification_deliveries (person_id)
    WHERE status = 'digest' AND digest_day IS NULL;

-- One digest per person per day, recorded after its e-mail is handed to the
-- SMTP server: a retried digest finds it and sends nothing.
CREATE TABLE notification_digests (
    person_id     uuid NOT NULL REFERENCES people (id),
    day           date NOT NULL,
    recipient     text NOT NULL,
    message_id    text NOT NULL,
    notifications integer NOT NULL CHECK (notifications > 0),
    sent_at       timestamptz NOT NULL,
    PRIMARY KEY (person_id, day)
);

-- +goose Down
DROP TABLE notification_digests;
DROP INDEX notification_deliveries_digest_waiting;
ALTER TABLE notification_deliveries DROP COLUMN digest_day;
DROP TABLE notification_reads;
DROP VIEW notification_feed;
