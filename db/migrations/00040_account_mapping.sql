-- Account mapping (docs/cosell.md, "Account mapping"): a partner uploads its
-- accounts (customers and prospects); dealflow matches them with the
-- vendor's accounts and open opportunities the way the conflict engine
-- does (normalized names, registrable domains, the same score) and keeps
-- the overlaps, by category, for the partner, the vendor's sellers and
-- channel managers to read — each category only once the partner opts in.
-- The matching itself is repeatable SQL (db/functions/60_mapping.sql).

-- +goose Up
-- The vendor's side of a category: a CRM account is a customer unless the
-- CRM says prospect; an open opportunity is its own category.
ALTER TABLE accounts ADD COLUMN relation text NOT NULL DEFAULT 'customer' CHECK (relation IN ('customer', 'prospect'));

-- partner_accounts are a partner's own accounts, upserted by the partner's
-- external id, normalized like accounts (domain.NameColumns, NameKeys).
CREATE TABLE partner_accounts (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id         uuid NOT NULL REFERENCES partners (id),
    external_id        text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 200),
    name               text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    name_full          text NOT NULL,
    name_core          text NOT NULL,
    name_keys          bigint[] NOT NULL DEFAULT '{}',
    domain             text NOT NULL DEFAULT '',
    registrable_domain text NOT NULL DEFAULT '',
    domain_label       text NOT NULL DEFAULT '',
    country            text NOT NULL DEFAULT '' CHECK (country = '' OR country ~ '^[A-Z]{2}$'),
    relation           text NOT NULL CHECK (relation IN ('customer', 'prospect')),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (partner_id, external_id)
);
CREATE INDEX partner_accounts_registrable_domain ON partner_accounts (registrable_domain);
CREATE INDEX partner_accounts_domain_label ON partner_accounts (domain_label);
CREATE INDEX partner_accounts_name_keys ON partner_accounts USING gin (name_keys) WITH (fastupdate = off);

-- account_overlaps are the matches of a partner account with a vendor
-- account (vendor_kind 'account', vendor_id accounts.id) or open
-- opportunity ('opportunity', opportunities.id) scoring at least a likely
-- conflict. The category is (partner_relation, vendor_category). Rows are
-- derived: the map rewrites them; opt-in only decides who reads them.
CREATE TABLE account_overlaps (
    partner_account_id uuid NOT NULL REFERENCES partner_accounts (id) ON DELETE CASCADE,
    vendor_kind        text NOT NULL CHECK (vendor_kind IN ('account', 'opportunity')),
    vendor_id          uuid NOT NULL,
    partner_id         uuid NOT NULL REFERENCES partners (id),
    partner_relation   text NOT NULL CHECK (partner_relation IN ('customer', 'prospect')),
    vendor_category    text NOT NULL CHECK (vendor_category IN ('customer', 'prospect', 'opportunity')),
    score              numeric(4, 3) NOT NULL CHECK (score BETWEEN 0 AND 1),
    class              text NOT NULL CHECK (class IN ('duplicate', 'likely_conflict')),
    explanation        text NOT NULL,
    PRIMARY KEY (partner_account_id, vendor_kind, vendor_id)
);
CREATE INDEX account_overlaps_partner ON account_overlaps (partner_id, partner_relation, vendor_category);
CREATE INDEX account_overlaps_vendor ON account_overlaps (vendor_id);

-- mapping_opt_ins are the categories a partner shares: it reads its
-- overlaps of a category, and the vendor reads them, only when opted in.
CREATE TABLE mapping_opt_ins (
    partner_id       uuid NOT NULL REFERENCES partners (id),
    partner_relation text NOT NULL CHECK (partner_relation IN ('customer', 'prospect')),
    vendor_category  text NOT NULL CHECK (vendor_category IN ('customer', 'prospect', 'opportunity')),
    opted_in_by      uuid NOT NULL REFERENCES users (id),
    opted_in_at      timestamptz NOT NULL,
    PRIMARY KEY (partner_id, partner_relation, vendor_category)
);

-- +goose Down
DROP TRIGGER IF EXISTS partner_accounts_remap_ins ON partner_accounts;
DROP TRIGGER IF EXISTS partner_accounts_remap_upd ON partner_accounts;
DROP TRIGGER IF EXISTS accounts_remap_ins ON accounts;
DROP TRIGGER IF EXISTS accounts_remap_upd ON accounts;
DROP TRIGGER IF EXISTS opportunities_remap_ins ON opportunities;
DROP TRIGGER IF EXISTS opportunities_remap_upd ON opportunities;
DROP TABLE mapping_opt_ins;
DROP TABLE account_overlaps;
DROP TABLE partner_accounts;
ALTER TABLE accounts DROP COLUMN relation;
