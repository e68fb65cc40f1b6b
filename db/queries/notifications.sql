-- name: NotificationInsert :exec
INSERT INTO notifications (deal_id, event_seq, ordinal, audience, kind, subject, created_at)
VALUES (@deal_id::uuid, @event_seq::int, @ordinal, @audience, @kind, @subject, @created_at)
ON CONFLICT (deal_id, event_seq, ordinal) DO NOTHING;

-- name: NotificationListForDeal :many
SELECT * FROM notifications WHERE deal_id = @deal_id::uuid ORDER BY event_seq, ordinal;
