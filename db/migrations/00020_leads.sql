-- Leads the vendor passes to partners: each program's routing rules and
-- lead policy, each partner's lead profile (what it covers, its capacity
-- and round-robin weight), the leads projection of each LeadDistribution
-- workflow, the offers made to partners and the append-only lead history.
-- A lead a partner accepts becomes a registration of kind vendor_sourced.

-- +goose Up
ALTER TABLE deals DROP CONSTRAINT deals_kind_check;
ALTER TABLE deals ADD CONSTRAINT deals_kind_check CHECK (kind IN ('resale', 'referral', 'vendor_sourced'));

-- lead_policy holds only what differs from domain.DefaultLeadPolicy;
-- lead_rules is the ordered list of domain.RoutingRule.
ALTER TABLE programs
    ADD COLUMN lead_policy jsonb NOT NULL DEFAULT '{}'::jsonb,
    ADD COLUMN lead_rules  jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(lead_rules) = 'array');

-- A partner receives leads only once it has a profile (opt in).
CREATE TABLE partner_lead_profiles (
    partner_id    uuid PRIMARY KEY REFERENCES partners (id),
    countries     text[] NOT NULL DEFAULT '{}',
    product_lines text[] NOT NULL DEFAULT '{}',
    tags          text[] NOT NULL DEFAULT '{}',
    capacity      integer NOT NULL DEFAULT 10 CHECK (capacity BETWEEN 0 AND 100000),
    weight        integer NOT NULL DEFAULT 1 CHECK (weight BETWEEN 1 AND 1000),
    -- assigned counts the offers routing made to the partner: the memory
    -- of weighted round-robin.
    assigned      bigint NOT NULL DEFAULT 0 CHECK (assigned >= 0),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE leads (
    id                 uuid PRIMARY KEY,
    program_id         uuid NOT NULL REFERENCES programs (id),
    source             text NOT NULL CHECK (source IN ('vendor', 'import', 'form', 'partner_referral')),
    status             text NOT NULL CHECK (status IN ('new', 'offered', 'accepted', 'working', 'queued')),
    company_name       text NOT NULL CHECK (length(btrim(company_name)) BETWEEN 1 AND 200),
    company_domain     text NOT NULL,
    registrable_domain text NOT NULL,
    country            text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    region             text NOT NULL DEFAULT '',
    contact_name       text NOT NULL,
    contact_email      text NOT NULL,
    product_lines      text[] NOT NULL,
    tags               text[] NOT NULL DEFAULT '{}',
    -- amount is the estimated value; 0 for a lead from the public form (unknown)
    amount             bigint NOT NULL CHECK (amount >= 0),
    currency           text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    notes              text NOT NULL DEFAULT '',
    -- the partner that holds the lead (accepted or working), and the
    -- registration it became
    partner_id         uuid REFERENCES partners (id),
    deal_id            uuid REFERENCES deals (id),
    round              integer NOT NULL DEFAULT 0,
    accept_due_at      timestamptz,
    contact_due_at     timestamptz,
    workflow_id        text NOT NULL UNIQUE,
    created_by         text NOT NULL,
    last_event_seq     integer NOT NULL,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL
);
CREATE INDEX leads_queue ON leads (status, created_at DESC, id DESC);
CREATE INDEX leads_partner ON leads (partner_id) WHERE partner_id IS NOT NULL;

-- lead_offers: who was offered the lead in which round, and how it ended.
CREATE TABLE lead_offers (
    lead_id    uuid NOT NULL REFERENCES leads (id),
    round      integer NOT NULL CHECK (round > 0),
    partner_id uuid NOT NULL REFERENCES partners (id),
    offered_at timestamptz NOT NULL,
    due_at     timestamptz NOT NULL,
    outcome    text NOT NULL DEFAULT 'open'
        CHECK (outcome IN ('open', 'accepted', 'declined', 'timed_out', 'lost', 'pulled_back')),
    reason     text NOT NULL DEFAULT '',
    decided_at timestamptz,
    PRIMARY KEY (lead_id, round, partner_id)
);
CREATE INDEX lead_offers_partner ON lead_offers (partner_id, outcome);

CREATE TABLE lead_events (
    lead_id     uuid NOT NULL REFERENCES leads (id),
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
    PRIMARY KEY (lead_id, seq)
);
CREATE TRIGGER lead_events_append_only
    BEFORE UPDATE OR DELETE ON lead_events
    FOR EACH ROW EXECUTE FUNCTION reject_change();

-- +goose Down
DROP TABLE lead_events;
DROP TABLE lead_offers;
DROP TABLE leads;
DROP TABLE partner_lead_profiles;
ALTER TABLE programs DROP COLUMN lead_rules, DROP COLUMN lead_policy;
ALTER TABLE deals DROP CONSTRAINT deals_kind_check;
ALTER TABLE deals ADD CONSTRAINT deals_kind_check CHECK (kind IN ('resale', 'referral'));
