-- Conflict detection: normalized names (computed by dealflow, see
-- domain.NormalizeName) with trigram indexes, the vendor's accounts and
-- direct-sales opportunities.

-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE deals
    ADD COLUMN customer_name_full    text,
    ADD COLUMN customer_name_core    text,
    ADD COLUMN customer_domain_label text;

-- Only open registrations conflict, so only they are indexed for matching.
CREATE INDEX deals_open_name_trgm ON deals USING gin (customer_name_full gin_trgm_ops)
    WHERE status IN ('screening', 'conflict_review', 'pending_approval', 'info_requested', 'approved');
CREATE INDEX deals_open_domain_label ON deals (customer_domain_label)
    WHERE status IN ('screening', 'conflict_review', 'pending_approval', 'info_requested', 'approved');

-- accounts are existing customers, owned by direct sales or by a partner,
-- upserted from the CRM by external_id.
CREATE TABLE accounts (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    external_id         text NOT NULL UNIQUE CHECK (length(external_id) BETWEEN 1 AND 200),
    name                text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    name_full           text NOT NULL,
    name_core           text NOT NULL,
    domain              text NOT NULL DEFAULT '',
    registrable_domain  text NOT NULL DEFAULT '',
    domain_label        text NOT NULL DEFAULT '',
    country             text NOT NULL DEFAULT '' CHECK (country = '' OR country ~ '^[A-Z]{2}$'),
    owner_type          text NOT NULL CHECK (owner_type IN ('direct', 'partner')),
    owner_partner_id    uuid REFERENCES partners (id),
    reserved_for_direct boolean NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK ((owner_type = 'partner') = (owner_partner_id IS NOT NULL)),
    CHECK (NOT reserved_for_direct OR owner_type = 'direct')
);
CREATE INDEX accounts_name_trgm ON accounts USING gin (name_full gin_trgm_ops);
CREATE INDEX accounts_registrable_domain ON accounts (registrable_domain) WHERE registrable_domain <> '';
CREATE INDEX accounts_domain_label ON accounts (domain_label) WHERE domain_label <> '';

-- opportunities are the vendor's own direct-sales pipeline.
CREATE TABLE opportunities (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    external_id        text NOT NULL UNIQUE CHECK (length(external_id) BETWEEN 1 AND 200),
    account_name       text NOT NULL CHECK (length(btrim(account_name)) BETWEEN 1 AND 200),
    name_full          text NOT NULL,
    name_core          text NOT NULL,
    domain             text NOT NULL DEFAULT '',
    registrable_domain text NOT NULL DEFAULT '',
    domain_label       text NOT NULL DEFAULT '',
    country            text NOT NULL DEFAULT '' CHECK (country = '' OR country ~ '^[A-Z]{2}$'),
    owner              text NOT NULL DEFAULT '',
    stage              text NOT NULL DEFAULT '',
    status             text NOT NULL CHECK (status IN ('open', 'won', 'lost')),
    amount             bigint CHECK (amount IS NULL OR amount >= 0),
    currency           text CHECK (currency IS NULL OR currency ~ '^[A-Z]{3}$'),
    product_lines      text[] NOT NULL DEFAULT '{}',
    close_date         date,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX opportunities_open_name_trgm ON opportunities USING gin (name_full gin_trgm_ops) WHERE status = 'open';
CREATE INDEX opportunities_open_registrable_domain ON opportunities (registrable_domain)
    WHERE status = 'open' AND registrable_domain <> '';
CREATE INDEX opportunities_open_domain_label ON opportunities (domain_label)
    WHERE status = 'open' AND domain_label <> '';

-- +goose Down
DROP TABLE opportunities;
DROP TABLE accounts;
DROP INDEX deals_open_domain_label;
DROP INDEX deals_open_name_trgm;
ALTER TABLE deals DROP COLUMN customer_name_full, DROP COLUMN customer_name_core, DROP COLUMN customer_domain_label;
