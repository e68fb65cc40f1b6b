-- People with accounts: a password (argon2id, PHC string) on the person,
-- users that can be deactivated (their tokens and sessions stop at once),
-- console sessions opened by a password sign-in (a user, no token), and
-- single-use, expiring invitations whose token is stored only as its
-- SHA-256 hash. Notifications that concern no deal (an invitation e-mail)
-- may leave deal_id empty and carry a body.

-- +goose Up
ALTER TABLE people ADD COLUMN password_hash text CHECK (password_hash LIKE '$argon2id$%');
ALTER TABLE users ADD COLUMN deactivated_at timestamptz;

ALTER TABLE console_sessions ALTER COLUMN token_id DROP NOT NULL;
ALTER TABLE console_sessions ADD COLUMN user_id uuid REFERENCES users (id);
ALTER TABLE console_sessions ADD CONSTRAINT console_sessions_holder CHECK ((token_id IS NULL) <> (user_id IS NULL));
CREATE INDEX console_sessions_user ON console_sessions (user_id) WHERE user_id IS NOT NULL AND ended_at IS NULL;

CREATE TABLE invitations (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    email       text NOT NULL CHECK (email = lower(btrim(email)) AND length(email) <= 254 AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    role        text NOT NULL CHECK (role IN ('partner_user', 'partner_admin', 'channel_manager', 'finance', 'admin')),
    partner_id  uuid REFERENCES partners (id),
    invited_by  uuid NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    user_id     uuid REFERENCES users (id),
    CHECK ((role IN ('partner_user', 'partner_admin')) = (partner_id IS NOT NULL)),
    CHECK (expires_at > created_at)
);
CREATE INDEX invitations_partner ON invitations (partner_id, created_at DESC);

ALTER TABLE notifications ALTER COLUMN deal_id DROP NOT NULL;
ALTER TABLE notifications ALTER COLUMN event_seq DROP NOT NULL;
ALTER TABLE notifications ADD COLUMN body text NOT NULL DEFAULT '';

-- +goose Down
DELETE FROM notifications WHERE deal_id IS NULL;
ALTER TABLE notifications DROP COLUMN body;
ALTER TABLE notifications ALTER COLUMN event_seq SET NOT NULL;
ALTER TABLE notifications ALTER COLUMN deal_id SET NOT NULL;
DROP TABLE invitations;
DELETE FROM console_sessions WHERE token_id IS NULL;
DROP INDEX console_sessions_user;
ALTER TABLE console_sessions DROP CONSTRAINT console_sessions_holder;
ALTER TABLE console_sessions DROP COLUMN user_id;
ALTER TABLE console_sessions ALTER COLUMN token_id SET NOT NULL;
ALTER TABLE users DROP COLUMN deactivated_at;
ALTER TABLE people DROP COLUMN password_hash;
