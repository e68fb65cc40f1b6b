-- Co-selling (docs/cosell.md): the vendor's sellers (role sales_rep), who
-- own accounts (the CRM account import's owner_email) and territories, and
-- co-sell engagements — a partner's request for the vendor's help on an
-- approved registration, routed to a seller and, once accepted, worked
-- jointly. Each engagement is a CoSellEngagement workflow (cosell/<deal>);
-- these tables are its projection and its append-only history.

-- +goose Up
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('partner_user', 'partner_admin', 'channel_manager', 'finance', 'admin', 'sales_rep'));

-- The seller who owns the account in the CRM, by e-mail ('' : none).
ALTER TABLE accounts ADD COLUMN owner_email text NOT NULL DEFAULT ''
    CHECK (owner_email = lower(btrim(owner_email)) AND length(owner_email) <= 254);
CREATE INDEX accounts_owner_email ON accounts (owner_email) WHERE owner_email <> '';

-- A territory rule gives a seller the customers of one country and/or one
-- product line ('' : any); the most specific rule wins (domain.PickTerritory).
CREATE TABLE cosell_territories (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_email text NOT NULL CHECK (seller_email = lower(btrim(seller_email)) AND seller_email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    country      text NOT NULL DEFAULT '' CHECK (country = '' OR country ~ '^[A-Z]{2}$'),
    product_line text NOT NULL DEFAULT '' CHECK (length(product_line) <= 100),
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (country, product_line, seller_email)
);

-- cosell_engagements is the read-side projection of each CoSellEngagement
-- workflow. assignee_email is the seller it is routed to ('' : the channel
-- managers' queue); a seller reads only the engagements assigned to them.
CREATE TABLE cosell_engagements (
    id              uuid PRIMARY KEY,
    deal_id         uuid NOT NULL REFERENCES deals (id),
    partner_id      uuid NOT NULL REFERENCES partners (id),
    workflow_id     text NOT NULL,
    type            text NOT NULL CHECK (type IN ('technical_validation', 'proof_of_concept', 'executive_sponsor', 'pricing_support', 'joint_customer_meeting')),
    need_by         date NOT NULL,
    message         text NOT NULL,
    status          text NOT NULL CHECK (status IN ('requested', 'accepted', 'declined', 'ended')),
    routed_via      text NOT NULL DEFAULT '' CHECK (routed_via IN ('', 'account_owner', 'territory', 'queue', 'reassigned')),
    assignee_email  text NOT NULL DEFAULT '',
    stage           text NOT NULL DEFAULT '',
    next_steps      text NOT NULL DEFAULT '',
    response_due_at timestamptz,
    reminded        boolean NOT NULL DEFAULT false,
    escalated       boolean NOT NULL DEFAULT false,
    decline_reason  text NOT NULL DEFAULT '',
    outcome         text NOT NULL DEFAULT '' CHECK (outcome IN ('', 'won', 'lost', 'expired', 'withdrawn', 'rejected')),
    plan            jsonb NOT NULL DEFAULT '[]'::jsonb,
    notes           jsonb NOT NULL DEFAULT '[]'::jsonb,
    last_event_seq  integer NOT NULL,
    created_by      uuid NOT NULL REFERENCES users (id),
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
-- One open engagement per deal (its workflow ID is cosell/<deal>).
CREATE UNIQUE INDEX cosell_engagements_open_deal ON cosell_engagements (deal_id) WHERE status IN ('requested', 'accepted');
CREATE INDEX cosell_engagements_assignee ON cosell_engagements (assignee_email, created_at DESC);
CREATE INDEX cosell_engagements_partner ON cosell_engagements (partner_id, created_at DESC);

-- cosell_events is the engagement's append-only history: who, when, why.
CREATE TABLE cosell_events (
    engagement_id   uuid NOT NULL REFERENCES cosell_engagements (id),
    seq             integer NOT NULL CHECK (seq > 0),
    type            text NOT NULL,
    actor_id        text NOT NULL,
    actor_name      text NOT NULL,
    actor_role      text NOT NULL,
    actor_person_id uuid,
    reason          text NOT NULL DEFAULT '',
    payload         jsonb NOT NULL DEFAULT '{}'::jsonb,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (engagement_id, seq)
);
CREATE TRIGGER cosell_events_append_only BEFORE UPDATE OR DELETE ON cosell_events
    FOR EACH ROW EXECUTE FUNCTION reject_change();

-- cosell_notifications is the engagement's outbox (audience: email:<address>
-- or role:<role> or partner:<id>), written with the event that causes it.
CREATE TABLE cosell_notifications (
    id            bigserial PRIMARY KEY,
    engagement_id uuid NOT NULL,
    event_seq     integer NOT NULL,
    ordinal       integer NOT NULL,
    audience      text NOT NULL,
    kind          text NOT NULL,
    subject       text NOT NULL,
    created_at    timestamptz NOT NULL,
    delivered_at  timestamptz,
    UNIQUE (engagement_id, event_seq, ordinal),
    FOREIGN KEY (engagement_id, event_seq) REFERENCES cosell_events (engagement_id, seq)
);

-- +goose Down
DROP TABLE cosell_notifications;
DROP TABLE cosell_events;
DROP TABLE cosell_engagements;
DROP TABLE cosell_territories;
DROP INDEX accounts_owner_email;
ALTER TABLE accounts DROP COLUMN owner_email;
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('partner_user', 'partner_admin', 'channel_manager', 'finance', 'admin'));
