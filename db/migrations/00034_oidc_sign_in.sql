-- OpenID Connect sign-in for vendor staff (docs/people.md): the pending
-- sign-ins (the state's SHA-256 hash, the nonce and the PKCE verifier,
-- single-use, expiring) and the users deactivated because the identity
-- provider no longer grants their role (a later sign-in whose groups grant
-- it again reactivates them; a user an admin deactivated stays refused).

-- +goose Up
CREATE TABLE oidc_sign_ins (
    state_hash bytea PRIMARY KEY CHECK (length(state_hash) = 32),
    nonce      text NOT NULL CHECK (length(nonce) BETWEEN 32 AND 128),
    verifier   text NOT NULL CHECK (length(verifier) BETWEEN 43 AND 128),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX oidc_sign_ins_expiry ON oidc_sign_ins (expires_at);

CREATE TABLE oidc_role_drops (
    user_id    uuid PRIMARY KEY REFERENCES users (id),
    dropped_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE oidc_role_drops;
DROP TABLE oidc_sign_ins;
