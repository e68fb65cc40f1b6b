-- Sign-in beyond the password (docs/people.md, docs/security.md):
-- single-use, expiring e-mailed links (password reset and one-time sign-in)
-- stored only as their token's SHA-256 hash; an optional TOTP second factor
-- per person (its secret encrypted with AES-256-GCM under
-- DEALFLOW_TOTP_KEY, the last accepted time step kept so that a code is
-- never accepted twice), single-use recovery codes (hashed), and the
-- pending second-factor challenges between a first factor and the code.

-- +goose Up
CREATE TABLE sign_in_links (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    person_id  uuid NOT NULL REFERENCES people (id),
    -- reset: sets a new password; sign_in: opens a session once.
    purpose    text NOT NULL CHECK (purpose IN ('reset', 'sign_in')),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX sign_in_links_person ON sign_in_links (person_id, purpose, created_at DESC);

ALTER TABLE people
    -- nonce || AES-256-GCM(secret); NULL: no TOTP enrolment, even pending
    ADD COLUMN totp_secret     bytea,
    -- set when the enrolment was confirmed with a valid code: from then on
    -- sign-in asks for a code
    ADD COLUMN totp_enabled_at timestamptz,
    -- the 30-second step of the last code accepted; an older or equal step
    -- is refused (replay)
    ADD COLUMN totp_last_step  bigint,
    ADD CONSTRAINT people_totp_enabled_has_secret CHECK (totp_enabled_at IS NULL OR totp_secret IS NOT NULL);

CREATE TABLE recovery_codes (
    person_id  uuid NOT NULL REFERENCES people (id),
    code_hash  bytea NOT NULL CHECK (length(code_hash) = 32),
    created_at timestamptz NOT NULL,
    used_at    timestamptz,
    PRIMARY KEY (person_id, code_hash)
);

CREATE TABLE mfa_challenges (
    id_hash    bytea PRIMARY KEY CHECK (length(id_hash) = 32),
    user_id    uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    -- wrong codes given; at the limit the challenge is dead
    failures   int NOT NULL DEFAULT 0 CHECK (failures >= 0),
    ended_at   timestamptz
);

-- +goose Down
DROP TABLE mfa_challenges;
DROP TABLE recovery_codes;
ALTER TABLE people DROP CONSTRAINT people_totp_enabled_has_secret,
    DROP COLUMN totp_last_step, DROP COLUMN totp_enabled_at, DROP COLUMN totp_secret;
DROP TABLE sign_in_links;
