-- name: NotifyPending :many
-- The oldest undelivered notifications, in the order they were written
-- (so in event order per deal), with their deal's customer name ('' for
-- a notification of no deal, such as an invitation).
SELECT n.id, n.deal_id, n.event_seq, n.audience, n.kind, n.subject, n.created_at,
       coalesce(d.customer_name, '')::text AS customer_name
FROM notifications n LEFT JOIN deals d ON d.id = n.deal_id
WHERE n.delivered_at IS NULL
ORDER BY n.id
LIMIT @max_rows;

-- name: NotifyGet :one
SELECT n.id, n.deal_id, n.event_seq, n.audience, n.kind, n.subject, n.created_at, n.delivered_at,
       coalesce(d.customer_name, '')::text AS customer_name, coalesce(n.body, '')::text AS body
FROM notifications n LEFT JOIN deals d ON d.id = n.deal_id
WHERE n.id = @id;

-- name: NotifyRecipientsForRole :many
-- The people holding a role who have an e-mail address, with their e-mail
-- preference ('' when they never chose).
SELECT DISTINCT ON (p.email) p.id AS person_id, p.email::text AS email, p.name,
       coalesce(np.email_mode, '')::text AS email_mode
FROM users u
JOIN people p ON p.id = u.person_id
LEFT JOIN notification_preferences np ON np.person_id = p.id
WHERE u.role = @role AND p.email IS NOT NULL
ORDER BY p.email;

-- name: NotifyRecipientsForPartner :many
-- A partner organization's people who have an e-mail address.
SELECT DISTINCT ON (p.email) p.id AS person_id, p.email::text AS email, p.name,
       coalesce(np.email_mode, '')::text AS email_mode
FROM users u
JOIN people p ON p.id = u.person_id
LEFT JOIN notification_preferences np ON np.person_id = p.id
WHERE u.partner_id = @partner_id AND p.email IS NOT NULL
ORDER BY p.email;

-- name: NotifyRecipientByEmail :many
-- The person an address belongs to, if any (an address may be nobody's).
SELECT p.id AS person_id, p.email::text AS email, p.name,
       coalesce(np.email_mode, '')::text AS email_mode
FROM people p
LEFT JOIN notification_preferences np ON np.person_id = p.id
WHERE p.email = lower(btrim(@email::text));

-- name: NotifyDeliveriesFor :many
SELECT * FROM notification_deliveries WHERE notification_id = @notification_id ORDER BY recipient;

-- name: NotifyDeliveryRecord :exec
INSERT INTO notification_deliveries (notification_id, recipient, person_id, status, message_id, detail, recorded_at)
VALUES (@notification_id, @recipient, sqlc.narg(person_id), @status, @message_id, @detail, @recorded_at)
ON CONFLICT (notification_id, recipient) DO NOTHING;

-- name: NotifyMarkDelivered :exec
UPDATE notifications SET delivered_at = @delivered_at WHERE id = @id AND delivered_at IS NULL;

-- name: NotifyPreferenceGet :one
SELECT coalesce((SELECT email_mode FROM notification_preferences WHERE person_id = @person_id), 'immediate')::text AS email_mode;

-- name: NotifyPreferenceSet :exec
INSERT INTO notification_preferences (person_id, email_mode, updated_at)
VALUES (@person_id, @email_mode, @updated_at)
ON CONFLICT (person_id) DO UPDATE SET email_mode = EXCLUDED.email_mode, updated_at = EXCLUDED.updated_at;
