-- Quotes (issue 15): the read-side projection of each quote's workflow,
-- every priced version of it (its whole waterfall, so a quote explains
-- every cent as it was priced), and its append-only history of events.

-- +goose Up
CREATE TABLE quotes (
    id             uuid PRIMARY KEY,
    deal_id        uuid NOT NULL REFERENCES deals (id),
    partner_id     uuid NOT NULL REFERENCES partners (id),
    status         text NOT NULL,
    version        integer NOT NULL CHECK (version > 0),
    currency       text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    net_total      bigint NOT NULL,
    approval_level integer NOT NULL,
    valid_until    timestamptz,
    po_number      text,
    accepted_on    date,
    workflow_id    text NOT NULL UNIQUE,
    created_by     text NOT NULL,
    last_event_seq integer NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);
CREATE INDEX quotes_partner_recent ON quotes (partner_id, created_at DESC, id DESC);
CREATE INDEX quotes_deal ON quotes (deal_id);
CREATE INDEX quotes_awaiting ON quotes (status, updated_at) WHERE status = 'pending_approval';

CREATE TABLE quote_versions (
    quote_id   uuid NOT NULL REFERENCES quotes (id),
    version    integer NOT NULL CHECK (version > 0),
    priced     jsonb NOT NULL, -- domain.PricedQuote
    list_total bigint NOT NULL,
    net_total  bigint NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (quote_id, version)
);

CREATE TABLE quote_events (
    quote_id        uuid NOT NULL REFERENCES quotes (id),
    seq             integer NOT NULL CHECK (seq > 0),
    type            text NOT NULL,
    from_status     text,
    to_status       text NOT NULL,
    version         integer NOT NULL,
    actor_id        text NOT NULL,
    actor_name      text NOT NULL,
    actor_role      text NOT NULL,
    actor_person_id uuid,
    reason          text NOT NULL DEFAULT '',
    payload         jsonb NOT NULL DEFAULT '{}'::jsonb,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (quote_id, seq)
);

CREATE TRIGGER quote_events_append_only
    BEFORE UPDATE OR DELETE ON quote_events
    FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER quote_versions_append_only
    BEFORE UPDATE OR DELETE ON quote_versions
    FOR EACH ROW EXECUTE FUNCTION reject_change();

-- +goose Down
DROP TABLE quote_events;
DROP TABLE quote_versions;
DROP TABLE quotes;
