-- Referral links and the public lead form: each partner's (and partner
-- user's) referral codes, the clicks on them (no personal data beyond what
-- attribution needs: a salted hash of the client address, the browser
-- family, the time), the landing URLs a link may redirect to, and on each
-- lead its attribution and the consent its submitter gave.

-- +goose Up
-- referral_settings holds the install's salt for hashing client addresses
-- (one row); rotating it makes old hashes unlinkable.
CREATE TABLE referral_settings (
    id   boolean PRIMARY KEY DEFAULT true CHECK (id),
    salt text NOT NULL DEFAULT (gen_random_uuid()::text || gen_random_uuid()::text)
);
INSERT INTO referral_settings DEFAULT VALUES;

-- Landing URLs a referral link may redirect to (no open redirect).
CREATE TABLE referral_landings (
    url        text PRIMARY KEY CHECK (url ~ '^https?://[^\s]+$' AND length(url) <= 2000),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE referral_codes (
    code       text PRIMARY KEY CHECK (code ~ '^[a-z0-9]{6,32}$'),
    partner_id uuid NOT NULL REFERENCES partners (id),
    user_id    uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
CREATE INDEX referral_codes_partner ON referral_codes (partner_id);

CREATE TABLE referral_clicks (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text NOT NULL REFERENCES referral_codes (code),
    client_hash bytea NOT NULL CHECK (length(client_hash) = 32),
    ua_family   text NOT NULL CHECK (length(ua_family) <= 40),
    clicked_at  timestamptz NOT NULL
);
CREATE INDEX referral_clicks_code ON referral_clicks (code, clicked_at);

ALTER TABLE leads
    ADD COLUMN referral_code         text REFERENCES referral_codes (code),
    ADD COLUMN attributed_partner_id uuid REFERENCES partners (id),
    ADD COLUMN touched_at            timestamptz,
    ADD COLUMN consent_version       text,
    ADD COLUMN consent_at            timestamptz,
    ADD COLUMN conflicts             jsonb NOT NULL DEFAULT '[]'::jsonb;
CREATE INDEX leads_referral_code ON leads (referral_code) WHERE referral_code IS NOT NULL;

-- +goose Down
ALTER TABLE leads DROP COLUMN conflicts, DROP COLUMN consent_at, DROP COLUMN consent_version, DROP COLUMN touched_at,
    DROP COLUMN attributed_partner_id, DROP COLUMN referral_code;
DROP TABLE referral_clicks;
DROP TABLE referral_codes;
DROP TABLE referral_landings;
DROP TABLE referral_settings;
