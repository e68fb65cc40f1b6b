-- name: NotifyDigestDue :many
-- The people a digest of day is due for: deliveries kept for the digest and
-- not yet in one, or taken by day's digest that was never recorded sent (a
-- digest that crashed), unless the person turned e-mail off since.
SELECT DISTINCT nd.person_id::uuid AS person_id
FROM notification_deliveries nd
LEFT JOIN notification_preferences np ON np.person_id = nd.person_id
WHERE nd.status = 'digest' AND nd.person_id IS NOT NULL
  AND (nd.digest_day IS NULL OR (nd.digest_day = @day::date
       AND NOT EXISTS (SELECT 1 FROM notification_digests g WHERE g.person_id = nd.person_id AND g.day = @day::date)))
  AND coalesce(np.email_mode, 'immediate') <> 'off'
ORDER BY 1;

-- name: NotifyDigestGet :one
SELECT * FROM notification_digests WHERE person_id = @person_id AND day = @day::date;

-- name: NotifyDigestClaim :exec
-- Gives day's digest of a person every delivery kept for it and not yet in
-- a digest.
UPDATE notification_deliveries SET digest_day = @day::date
WHERE person_id = @person_id AND status = 'digest' AND digest_day IS NULL;

-- name: NotifyDigestItems :many
-- What day's digest of a person lists: grouped by deal (notifications of no
-- deal last), oldest first within each.
SELECT n.id, n.deal_id, n.kind, n.subject, n.created_at, nd.recipient,
       coalesce(d.customer_name, '')::text AS customer_name
FROM notification_deliveries nd
JOIN notifications n ON n.id = nd.notification_id
LEFT JOIN deals d ON d.id = n.deal_id
WHERE nd.person_id = @person_id AND nd.status = 'digest' AND nd.digest_day = @day::date
ORDER BY n.deal_id NULLS LAST, n.id;

-- name: NotifyDigestPerson :one
SELECT p.id, p.email::text AS email, p.name FROM people p WHERE p.id = @person_id AND p.email IS NOT NULL;

-- name: NotifyDigestRecord :exec
INSERT INTO notification_digests (person_id, day, recipient, message_id, notifications, sent_at)
VALUES (@person_id, @day::date, @recipient, @message_id, @notifications, @sent_at)
ON CONFLICT (person_id, day) DO NOTHING;
