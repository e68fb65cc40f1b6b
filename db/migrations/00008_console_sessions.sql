-- Web console sessions: signing in with an API token opens a session whose
-- id (only its hash is stored) travels in an HttpOnly cookie; each session
-- has its own CSRF token. Revoking the token ends its sessions.

-- +goose Up
CREATE TABLE console_sessions (
    id_hash    bytea PRIMARY KEY,
    token_id   uuid NOT NULL REFERENCES api_tokens (id),
    csrf       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    ended_at   timestamptz
);

-- +goose Down
DROP TABLE console_sessions;
