-- name: NotifyFeedList :many
-- A user's feed, newest first, a page before a notification id (NULL: from
-- the newest); unread_only leaves out what the user has read.
SELECT f.notification_id, f.deal_id, f.kind, f.subject, f.created_at, f.customer_name, r.read_at
FROM notification_feed f
LEFT JOIN notification_reads r ON r.user_id = f.user_id AND r.notification_id = f.notification_id
WHERE f.user_id = @user_id
  AND (NOT @unread_only::bool OR r.read_at IS NULL)
  AND (sqlc.narg(before_id)::bigint IS NULL OR f.notification_id < sqlc.narg(before_id)::bigint)
ORDER BY f.notification_id DESC
LIMIT @page_size;

-- name: NotifyFeedUnreadCount :one
SELECT count(*)::bigint AS unread
FROM notification_feed f
WHERE f.user_id = @user_id
  AND NOT EXISTS (SELECT 1 FROM notification_reads r WHERE r.user_id = f.user_id AND r.notification_id = f.notification_id);

-- name: NotifyFeedMarkRead :one
-- Marks one notification of the user's feed read (again: no change); 0
-- when it is not in the user's feed.
WITH mine AS (
    SELECT f.notification_id FROM notification_feed f WHERE f.user_id = @user_id AND f.notification_id = @notification_id
), marked AS (
    INSERT INTO notification_reads (user_id, notification_id, read_at)
    SELECT @user_id, notification_id, @read_at FROM mine
    ON CONFLICT (user_id, notification_id) DO NOTHING
)
SELECT count(*)::bigint AS found FROM mine;

-- name: NotifyFeedMarkAllRead :execrows
-- Marks everything unread in the user's feed read, up to a notification id
-- (NULL: all), so what arrived after the reader looked stays unread.
INSERT INTO notification_reads (user_id, notification_id, read_at)
SELECT f.user_id, f.notification_id, @read_at
FROM notification_feed f
WHERE f.user_id = @user_id
  AND (sqlc.narg(up_to)::bigint IS NULL OR f.notification_id <= sqlc.narg(up_to)::bigint)
ON CONFLICT (user_id, notification_id) DO NOTHING;
