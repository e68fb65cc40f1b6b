-- Partner programs (policies as data), the full deal lifecycle projection,
-- idempotent submission, and the notification outbox.

-- +goose Up
CREATE TABLE programs (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text NOT NULL UNIQUE CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    -- policy holds only what differs from the built-in defaults (domain.DefaultPolicy).
    policy     jsonb NOT NULL DEFAULT '{}'::jsonb,
    is_default boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX programs_one_default ON programs (is_default) WHERE is_default;
INSERT INTO programs (name, is_default) VALUES ('Default program', true);

ALTER TABLE partners ADD COLUMN program_id uuid REFERENCES programs (id);

ALTER TABLE deals
    ADD COLUMN kind                text NOT NULL DEFAULT 'resale' CHECK (kind IN ('resale', 'referral')),
    ADD COLUMN program_id          uuid REFERENCES programs (id),
    ADD COLUMN approvals           integer NOT NULL DEFAULT 0,
    ADD COLUMN required_approvals  integer NOT NULL DEFAULT 1,
    ADD COLUMN sla_due_at          timestamptz,
    ADD COLUMN escalated           boolean NOT NULL DEFAULT false,
    ADD COLUMN info_question       text NOT NULL DEFAULT '',
    ADD COLUMN expires_at          timestamptz,
    ADD COLUMN extensions_used     integer NOT NULL DEFAULT 0,
    ADD COLUMN extension_requested boolean NOT NULL DEFAULT false,
    ADD COLUMN won_amount          bigint,
    ADD COLUMN won_currency        text,
    ADD COLUMN won_product_lines   text[],
    ADD COLUMN closed_on           date,
    ADD COLUMN close_reason        text NOT NULL DEFAULT '',
    ADD COLUMN idempotency_key     text,
    ADD COLUMN request_hash        text;
CREATE UNIQUE INDEX deals_idempotency ON deals (partner_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
-- The manager inbox: deals awaiting a manager, by SLA due time.
CREATE INDEX deals_inbox ON deals (sla_due_at NULLS LAST, created_at)
    WHERE status IN ('conflict_review', 'pending_approval') OR extension_requested;
CREATE INDEX deals_expiring ON deals (expires_at) WHERE status = 'approved';
CREATE INDEX deals_recent ON deals (created_at DESC, id DESC);

-- notifications is an outbox: every event a person must act on writes rows
-- here in the event's transaction; delivery (webhook, e-mail) reads them.
CREATE TABLE notifications (
    id           bigserial PRIMARY KEY,
    deal_id      uuid NOT NULL REFERENCES deals (id),
    event_seq    integer NOT NULL,
    ordinal      integer NOT NULL,
    -- audience: role:<role>, partner:<id> or email:<address>
    audience     text NOT NULL,
    kind         text NOT NULL,
    subject      text NOT NULL,
    created_at   timestamptz NOT NULL,
    delivered_at timestamptz,
    UNIQUE (deal_id, event_seq, ordinal),
    FOREIGN KEY (deal_id, event_seq) REFERENCES deal_events (deal_id, seq)
);
CREATE INDEX notifications_undelivered ON notifications (id) WHERE delivered_at IS NULL;
CREATE INDEX notifications_audience ON notifications (audience, id DESC);

-- +goose Down
DROP TABLE notifications;
DROP INDEX deals_recent;
DROP INDEX deals_expiring;
DROP INDEX deals_inbox;
DROP INDEX deals_idempotency;
ALTER TABLE deals
    DROP COLUMN kind, DROP COLUMN program_id, DROP COLUMN approvals, DROP COLUMN required_approvals,
    DROP COLUMN sla_due_at, DROP COLUMN escalated, DROP COLUMN info_question, DROP COLUMN expires_at,
    DROP COLUMN extensions_used, DROP COLUMN extension_requested, DROP COLUMN won_amount,
    DROP COLUMN won_currency, DROP COLUMN won_product_lines, DROP COLUMN closed_on,
    DROP COLUMN close_reason, DROP COLUMN idempotency_key, DROP COLUMN request_hash;
ALTER TABLE partners DROP COLUMN program_id;
DROP TABLE programs;
