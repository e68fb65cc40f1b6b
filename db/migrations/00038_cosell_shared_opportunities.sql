-- Vendor → partner co-selling (docs/cosell.md): a seller shares one of the
-- vendor's opportunities with partners who may fulfil it. Each shared
-- opportunity is a SharedOpportunity workflow (cosell-opp/<id>); these
-- tables are its projection (the opportunity and one invitation per
-- partner) and its append-only history. The winner's acceptance becomes a
-- registration of kind vendor_sourced: cosell_invitations.deal_id, with
-- status 'accepted' (what attribution reads).

-- +goose Up
CREATE TABLE cosell_opportunities (
    id                  uuid PRIMARY KEY,
    workflow_id         text NOT NULL UNIQUE,
    mode                text NOT NULL CHECK (mode IN ('first_to_accept', 'seller_chooses')),
    status              text NOT NULL CHECK (status IN ('open', 'awarded', 'returned', 'withdrawn')),
    customer_name       text NOT NULL CHECK (length(btrim(customer_name)) BETWEEN 1 AND 200),
    registrable_domain  text NOT NULL,
    country             text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    product_lines       text[] NOT NULL,
    amount              bigint NOT NULL CHECK (amount >= 0),
    currency            text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    capabilities        text[] NOT NULL DEFAULT '{}',
    expected_close_date date NOT NULL,
    notes               text NOT NULL DEFAULT '',
    -- filters are what chose the invited partners (for the record).
    filters             jsonb NOT NULL DEFAULT '{}'::jsonb,
    -- the seller who shared it, by e-mail: a seller reads only their own.
    seller_email        text NOT NULL CHECK (seller_email = lower(btrim(seller_email))),
    winner_partner_id   uuid REFERENCES partners (id),
    deal_id             uuid,
    deal_status         text NOT NULL DEFAULT '',
    last_event_seq      integer NOT NULL,
    created_by          uuid NOT NULL REFERENCES users (id),
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);
CREATE INDEX cosell_opportunities_seller ON cosell_opportunities (seller_email, created_at DESC);

-- cosell_invitations: one per invited partner and how it ended.
CREATE TABLE cosell_invitations (
    opportunity_id uuid NOT NULL REFERENCES cosell_opportunities (id),
    partner_id     uuid NOT NULL REFERENCES partners (id),
    status         text NOT NULL CHECK (status IN ('open', 'interested', 'accepted', 'declined', 'expired', 'lost', 'withdrawn')),
    deal_id        uuid,
    reason         text NOT NULL DEFAULT '',
    invited_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    interested_at  timestamptz,
    decided_at     timestamptz,
    PRIMARY KEY (opportunity_id, partner_id),
    CHECK (deal_id IS NULL OR status = 'accepted')
);
CREATE INDEX cosell_invitations_partner ON cosell_invitations (partner_id, invited_at DESC);
-- Exactly one winner per opportunity, whatever the workflow does.
CREATE UNIQUE INDEX cosell_invitations_one_winner ON cosell_invitations (opportunity_id) WHERE status = 'accepted';
CREATE INDEX cosell_invitations_deal ON cosell_invitations (deal_id) WHERE deal_id IS NOT NULL;

-- cosell_opportunity_events is the opportunity's append-only history.
CREATE TABLE cosell_opportunity_events (
    opportunity_id  uuid NOT NULL REFERENCES cosell_opportunities (id),
    seq             integer NOT NULL CHECK (seq > 0),
    type            text NOT NULL,
    partner_id      uuid,
    actor_id        text NOT NULL,
    actor_name      text NOT NULL,
    actor_role      text NOT NULL,
    actor_person_id uuid,
    reason          text NOT NULL DEFAULT '',
    payload         jsonb NOT NULL DEFAULT '{}'::jsonb,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (opportunity_id, seq)
);
CREATE TRIGGER cosell_opportunity_events_append_only BEFORE UPDATE OR DELETE ON cosell_opportunity_events
    FOR EACH ROW EXECUTE FUNCTION reject_change();

-- The co-sell outbox takes the opportunities' notifications too: each row
-- belongs to an engagement's event or to an opportunity's.
ALTER TABLE cosell_notifications ALTER COLUMN engagement_id DROP NOT NULL;
ALTER TABLE cosell_notifications ADD COLUMN opportunity_id uuid;
ALTER TABLE cosell_notifications ADD CONSTRAINT cosell_notifications_one_subject
    CHECK (num_nonnulls(engagement_id, opportunity_id) = 1);
ALTER TABLE cosell_notifications ADD CONSTRAINT cosell_notifications_opportunity_event
    FOREIGN KEY (opportunity_id, event_seq) REFERENCES cosell_opportunity_events (opportunity_id, seq);
ALTER TABLE cosell_notifications ADD CONSTRAINT cosell_notifications_opportunity_ordinal
    UNIQUE (opportunity_id, event_seq, ordinal);

-- +goose Down
DELETE FROM cosell_notifications WHERE opportunity_id IS NOT NULL;
ALTER TABLE cosell_notifications DROP CONSTRAINT cosell_notifications_opportunity_ordinal;
ALTER TABLE cosell_notifications DROP CONSTRAINT cosell_notifications_opportunity_event;
ALTER TABLE cosell_notifications DROP CONSTRAINT cosell_notifications_one_subject;
ALTER TABLE cosell_notifications DROP COLUMN opportunity_id;
ALTER TABLE cosell_notifications ALTER COLUMN engagement_id SET NOT NULL;
DROP TABLE cosell_opportunity_events;
DROP TABLE cosell_invitations;
DROP TABLE cosell_opportunities;
