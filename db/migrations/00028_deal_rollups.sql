-- Dashboard rollups: what the pipeline dashboard shows, kept as running
-- totals instead of aggregating a year of deals on every view.
--
-- deal_rollup_facts holds each deal's current contribution (its dimensions,
-- status, values and the milestones its events reached); deal_rollups holds
-- the sums of those contributions by dimension, month of registration,
-- status and currency. Both move in the transaction that records a deal
-- event (deal_rollup_move, db/functions/50_rollups.sql): the deal's old
-- contribution is subtracted and its new one added, once per (deal_id, seq).
-- deal_rollups_rebuild() recomputes both from the deals and their events.

-- +goose Up
CREATE TABLE deal_rollup_facts (
    deal_id        uuid PRIMARY KEY REFERENCES deals (id),
    month          date NOT NULL,
    partner_id     uuid NOT NULL,
    program_id     uuid,
    country        text NOT NULL,
    product_lines  text[] NOT NULL,
    status         text NOT NULL,
    currency       text NOT NULL,
    amount         bigint NOT NULL,
    -- won_currency and won_amount are set only while the deal is closed-won.
    won_currency   text,
    won_amount     bigint,
    submitted_at   timestamptz NOT NULL,
    -- approved_at: its first approval; won_at: when it last became closed-won.
    approved_at    timestamptz,
    won_at         timestamptz,
    conflicted     boolean NOT NULL,
    sla_breached   boolean NOT NULL,
    last_event_seq integer NOT NULL
);

-- dim is what key names: all (key ''), partner, program (key '' for none),
-- country or product_line (a deal counts once under each of its lines).
-- Counts and cycle times sit under the deal's registration currency; the
-- won value under its won currency.
CREATE TABLE deal_rollups (
    dim            text NOT NULL CHECK (dim IN ('all', 'partner', 'program', 'country', 'product_line')),
    month          date NOT NULL,
    key            text NOT NULL,
    status         text NOT NULL,
    currency       text NOT NULL,
    deals          bigint NOT NULL,
    amount         bigint NOT NULL,
    won_amount     bigint NOT NULL,
    approved       bigint NOT NULL,
    approval_secs  bigint NOT NULL,
    won_cycles     bigint NOT NULL,
    win_secs       bigint NOT NULL,
    sla_breaches   bigint NOT NULL,
    conflicts      bigint NOT NULL,
    PRIMARY KEY (dim, month, key, status, currency)
);

-- +goose Down
DROP FUNCTION IF EXISTS deal_rollups_rebuild();
DROP FUNCTION IF EXISTS deal_rollup_move(uuid, integer);
DROP FUNCTION IF EXISTS deal_rollup_rows(deal_rollup_facts);
DROP TABLE deal_rollups;
DROP TABLE deal_rollup_facts;
