-- A cycle's lineage becomes a partition of its own, and programs that pay
-- per deal (referral commissions, SPIFFs) draft one statement line per
-- partner, the per-deal figures living in the lineage.
--
-- Why: at a million deals a cycle's freeze spent two thirds of its time
-- keeping one B-tree over every cycle's inputs, (program_id, deal_id),
-- row by row (about 3 µs a row against 1.3 µs for the row itself). A
-- cycle's inputs are now staged in a table of their own (by several
-- connections at once), indexed once they are all in (a sorted build:
-- about 0.6 µs a row) and attached to cycle_inputs by the transaction that
-- marks the cycle frozen; until then nothing is in the lineage, and a
-- retry drops what a failed attempt staged. What the old index refused (a
-- deal frozen twice by one program) the freeze now excludes: it holds the
-- program's freeze lock and anti-joins every earlier cycle of the program;
-- `dealflow ledger verify` checks that no deal is a won input of one
-- program twice.
--
-- Each won input of a per-deal program records what the deal earns in the
-- cycle under the cycle's rules version (earned) and why it earns less
-- than its claim (note: 'capped at 500', 'budget exhausted'). The partner's
-- statement line is their sum; its explanation lists the deals.

-- +goose Up
ALTER TABLE cycle_inputs RENAME TO cycle_inputs_v9;
ALTER INDEX cycle_inputs_won_once RENAME TO cycle_inputs_v9_won_once;
ALTER INDEX cycle_inputs_change RENAME TO cycle_inputs_v9_change;
ALTER INDEX cycle_inputs_frozen RENAME TO cycle_inputs_v9_frozen;

CREATE TABLE cycle_inputs (
    cycle_id        uuid NOT NULL,
    deal_id         uuid NOT NULL,
    partner_id      uuid NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('won', 'change')),
    amount          bigint NOT NULL,
    -- a change input: the amount last frozen for the deal, and the cycle
    -- that froze it as won.
    previous_amount bigint,
    won_cycle_id    uuid,
    currency        text NOT NULL,
    units           bigint NOT NULL DEFAULT 1,
    closed_on       date NOT NULL,
    -- why a frozen deal pays nothing (e.g. 'currency EUR'); NULL when it counts.
    excluded        text,
    -- what a counted won deal earns in a per-deal program, and why less
    -- than its claim; NULL for a rebate (paid on the partner's total).
    earned          bigint,
    note            text
) PARTITION BY LIST (cycle_id);
-- Within a cycle a deal is one input: won (never frozen by the program
-- before) or a change (frozen as won by an earlier cycle). Each partition
-- has its own unique index on deal_id (cycle_inputs_attach) and the parent
-- none: an index on the parent would have to lead with cycle_id, twice the
-- key to sort for nothing.
CREATE TRIGGER cycle_inputs_append_only BEFORE UPDATE OR DELETE ON cycle_inputs
    FOR EACH ROW EXECUTE FUNCTION reject_change();

-- How many change inputs a cycle froze: its accrual reads its partition
-- for them only when there are some.
ALTER TABLE incentive_cycles ADD COLUMN change_inputs integer NOT NULL DEFAULT 0;
UPDATE incentive_cycles c SET change_inputs = n.n
FROM (SELECT cycle_id, count(*)::int AS n FROM cycle_inputs_v9 WHERE kind = 'change' GROUP BY cycle_id) n
WHERE n.cycle_id = c.id;

ALTER TABLE cycle_partner_totals
    ADD COLUMN earned bigint NOT NULL DEFAULT 0,
    ADD COLUMN noted integer NOT NULL DEFAULT 0,
    ADD COLUMN units bigint NOT NULL DEFAULT 0;

-- +goose StatementBegin
DO $$
DECLARE
    c uuid;
    t text;
BEGIN
    FOR c IN SELECT DISTINCT cycle_id FROM cycle_inputs_v9 LOOP
        -- What cycle_inputs_stage and cycle_inputs_attach (db/functions)
        -- did when this migration was written, inline: a migration must not
        -- depend on functions that db/functions may change later.
        t := 'cycle_inputs_' || replace(c::text, '-', '');
        EXECUTE format('CREATE TABLE %I (LIKE cycle_inputs INCLUDING DEFAULTS INCLUDING CONSTRAINTS, CHECK (cycle_id = %L))
                        WITH (autovacuum_enabled = false)', t, c);
        EXECUTE format($q$
            INSERT INTO %I (cycle_id, deal_id, partner_id, kind, amount, previous_amount, won_cycle_id, currency, units, closed_on, excluded)
            SELECT i.cycle_id, i.deal_id, i.partner_id, i.kind, i.amount, i.previous_amount,
                   CASE WHEN i.kind = 'change' THEN (SELECT w.cycle_id FROM cycle_inputs_v9 w
                        WHERE w.program_id = i.program_id AND w.deal_id = i.deal_id AND w.kind = 'won') END,
                   i.currency, i.units, i.closed_on, i.excluded
            FROM cycle_inputs_v9 i WHERE i.cycle_id = %L$q$, t, c);
        EXECUTE format('CREATE UNIQUE INDEX %I ON %I (deal_id)', t || '_deal', t);
        EXECUTE format('CREATE TRIGGER no_truncate BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION reject_truncate()', t);
        EXECUTE format('ALTER TABLE cycle_inputs ATTACH PARTITION %I FOR VALUES IN (%L)', t, c);
    END LOOP;
END;
$$;
-- +goose StatementEnd
DROP TABLE cycle_inputs_v9;

-- The functions that stage, freeze and draft a cycle (cycle_inputs_stage,
-- freeze_won_part, freeze_finish, draft_*_lines, ...) are repeatable
-- definitions kept once in db/functions/, applied by `dealflow migrate`
-- after the versioned migrations.

-- +goose Down
-- Lines drafted per partner stay as they are; the lineage goes back to one
-- table (with the cycle's program and freeze time on every row).
CREATE TABLE cycle_inputs_v9 (
    cycle_id        uuid NOT NULL,
    program_id      uuid NOT NULL,
    deal_id         uuid NOT NULL,
    partner_id      uuid NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('won', 'change')),
    amount          bigint NOT NULL,
    previous_amount bigint,
    currency        text NOT NULL,
    units           bigint NOT NULL DEFAULT 1,
    closed_on       date NOT NULL,
    excluded        text,
    frozen_at       timestamptz NOT NULL DEFAULT now()
);
INSERT INTO cycle_inputs_v9 (cycle_id, program_id, deal_id, partner_id, kind, amount, previous_amount, currency, units, closed_on, excluded, frozen_at)
SELECT i.cycle_id, c.program_id, i.deal_id, i.partner_id, i.kind, i.amount, i.previous_amount, i.currency, i.units, i.closed_on, i.excluded, c.frozen_at
FROM cycle_inputs i JOIN incentive_cycles c ON c.id = i.cycle_id;
DROP TABLE cycle_inputs;
ALTER TABLE cycle_inputs_v9 RENAME TO cycle_inputs;
CREATE UNIQUE INDEX cycle_inputs_won_once ON cycle_inputs (program_id, deal_id) WHERE kind = 'won';
CREATE UNIQUE INDEX cycle_inputs_change ON cycle_inputs (program_id, deal_id, cycle_id) WHERE kind = 'change';
CREATE INDEX cycle_inputs_frozen ON cycle_inputs USING brin (frozen_at);
CREATE TRIGGER cycle_inputs_append_only BEFORE UPDATE OR DELETE ON cycle_inputs
    FOR EACH ROW EXECUTE FUNCTION reject_change();
ALTER TABLE cycle_partner_totals DROP COLUMN earned, DROP COLUMN noted, DROP COLUMN units;
ALTER TABLE incentive_cycles DROP COLUMN change_inputs;
