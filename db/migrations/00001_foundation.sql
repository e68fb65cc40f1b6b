-- Partners, the people who act for them or for the vendor, their API tokens,
-- and deal registrations with their append-only event history.

-- +goose Up
CREATE TABLE partners (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    type       text NOT NULL CHECK (type IN ('reseller', 'var', 'distributor', 'msp', 'si', 'referral', 'agent')),
    tier       text NOT NULL CHECK (length(tier) BETWEEN 1 AND 50),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A user is a person (or a system such as a CRM) acting with one role. Partner
-- roles belong to exactly one partner organization; vendor roles to none.
CREATE TABLE users (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    role       text NOT NULL CHECK (role IN ('partner_user', 'partner_admin', 'channel_manager', 'finance', 'admin')),
    partner_id uuid REFERENCES partners (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((role IN ('partner_user', 'partner_admin')) = (partner_id IS NOT NULL))
);
CREATE UNIQUE INDEX users_identity ON users (name, role, coalesce(partner_id, '00000000-0000-0000-0000-000000000000'::uuid));

-- Bearer tokens are stored only as their SHA-256 hash.
CREATE TABLE api_tokens (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL REFERENCES users (id),
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

-- deals is the read-side projection of each DealRegistration workflow.
CREATE TABLE deals (
    id                          uuid PRIMARY KEY,
    partner_id                  uuid NOT NULL REFERENCES partners (id),
    status                      text NOT NULL,
    customer_name               text NOT NULL,
    customer_domain             text NOT NULL,
    customer_registrable_domain text NOT NULL,
    customer_country            text NOT NULL CHECK (customer_country ~ '^[A-Z]{2}$'),
    contact_name                text NOT NULL,
    contact_email               text NOT NULL,
    product_lines               text[] NOT NULL,
    amount                      bigint NOT NULL CHECK (amount > 0),
    currency                    text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    expected_close_date         date NOT NULL,
    notes                       text NOT NULL DEFAULT '',
    submitted_by                uuid NOT NULL REFERENCES users (id),
    workflow_id                 text NOT NULL UNIQUE,
    last_event_seq              integer NOT NULL,
    created_at                  timestamptz NOT NULL,
    updated_at                  timestamptz NOT NULL
);
CREATE INDEX deals_partner_recent ON deals (partner_id, created_at DESC, id DESC);
CREATE INDEX deals_status_recent ON deals (status, created_at DESC, id DESC);
CREATE INDEX deals_registrable_domain ON deals (customer_registrable_domain);

-- deal_events is the append-only history of every transition: who, when,
-- from, to, why. (deal_id, seq) makes recording a transition idempotent.
CREATE TABLE deal_events (
    deal_id     uuid NOT NULL REFERENCES deals (id),
    seq         integer NOT NULL CHECK (seq > 0),
    type        text NOT NULL,
    from_status text,
    to_status   text NOT NULL,
    actor_id    text NOT NULL,
    actor_name  text NOT NULL,
    actor_role  text NOT NULL,
    reason      text NOT NULL DEFAULT '',
    payload     jsonb NOT NULL DEFAULT '{}'::jsonb,
    occurred_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (deal_id, seq)
);

-- +goose StatementBegin
CREATE FUNCTION reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER deal_events_append_only
    BEFORE UPDATE OR DELETE ON deal_events
    FOR EACH ROW EXECUTE FUNCTION reject_change();

-- +goose Down
DROP TABLE deal_events;
DROP FUNCTION reject_change();
DROP TABLE deals;
DROP TABLE api_tokens;
DROP TABLE users;
DROP TABLE partners;
