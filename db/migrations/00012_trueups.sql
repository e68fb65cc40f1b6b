-- Clawbacks and corrections true up; corrections land only after the
-- cycle that paid; excluded deals are listed; program product lines are
-- stored as deals' are.
--
-- True-ups. A change of a deal an earlier cycle paid no longer claws back
-- a proportional share of the line that paid it: the correcting cycle
-- recomputes the paid period's figure on the corrected basis under the
-- rules version of the cycle that paid it, and pays (correction) or claws
-- back (clawback) the difference from the figure on the basis as last
-- corrected. For a rebate the basis is the partner's revenue in that
-- period, its tiers re-evaluated, and all of a cycle's changes to one paid
-- period make one line; for a referral, the deal's commission on its
-- amount (capped); for a SPIFF, the SPIFF the deal earned while it stays
-- won (given back when it is reversed, paid again when it is reinstated).
-- Each true-up line records the basis and figure before and after. Since
-- every true-up starts from the basis as last corrected, the true-ups of a
-- period telescope: the original line and its true-ups add up to the
-- rules' figure on the final basis (domain.RebateTrueUp and its kin).
--
-- A freeze records each partner's revenue change per paid cycle
-- (cycle_change_totals, a few rows), so the accrual finds a paid period's
-- revenue as last corrected without reading any cycle's lineage.
--
-- Order. A cycle freezes changes only of deals paid by cycles of earlier
-- periods: a cycle run late for an earlier period no longer absorbs a
-- correction of a deal a later period's cycle paid.
--
-- The functions this needs (rebate_tier, rebate_figure, freeze_finish,
-- draft_*_lines, cycle_inputs_index) are in db/functions/.
--
-- Excluded deals. Each cycle's partition gets a partial index on what it
-- froze but does not pay, so finance's list of them and a partner's own
-- read a few index entries, not the partition.

-- +goose Up
ALTER TABLE statement_lines
    ADD COLUMN basis_before bigint,
    ADD COLUMN basis_after bigint,
    ADD COLUMN figure_before bigint,
    ADD COLUMN figure_after bigint;
COMMENT ON COLUMN statement_lines.basis_before IS 'a true-up: the paid period''s revenue (rebate) or the deal''s amount as last corrected';
COMMENT ON COLUMN statement_lines.figure_before IS 'a true-up: the rules'' figure on basis_before; amount = figure_after - figure_before';

-- cycle_change_totals: per cycle, the revenue change it froze per partner
-- and paid cycle (the sum of its change inputs' amount - previous_amount),
-- with the deal when there is one.
CREATE TABLE cycle_change_totals (
    cycle_id       uuid NOT NULL,
    won_cycle_id   uuid NOT NULL,
    partner_id     uuid NOT NULL,
    revenue_change bigint NOT NULL,
    deals          integer NOT NULL,
    deal_id        uuid,
    PRIMARY KEY (cycle_id, won_cycle_id, partner_id)
);
CREATE INDEX cycle_change_totals_won ON cycle_change_totals (won_cycle_id, partner_id);
CREATE TRIGGER cycle_change_totals_append_only BEFORE UPDATE OR DELETE ON cycle_change_totals
    FOR EACH ROW EXECUTE FUNCTION reject_change();
INSERT INTO cycle_change_totals (cycle_id, won_cycle_id, partner_id, revenue_change, deals, deal_id)
SELECT i.cycle_id, i.won_cycle_id, i.partner_id, sum(i.amount - i.previous_amount), count(*),
       CASE WHEN count(*) = 1 THEN (array_agg(i.deal_id))[1] END
FROM cycle_inputs i
WHERE i.cycle_id = ANY (ARRAY(SELECT c.id FROM incentive_cycles c WHERE c.change_inputs > 0))
  AND i.kind = 'change' AND i.won_cycle_id IS NOT NULL
GROUP BY i.cycle_id, i.won_cycle_id, i.partner_id;

-- +goose StatementBegin
DO $$
DECLARE
    p text;
BEGIN
    FOR p IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'cycle_inputs'::regclass LOOP
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (partner_id, closed_on, deal_id) WHERE excluded IS NOT NULL',
                       p || '_excluded', p);
    END LOOP;
END;
$$;
-- +goose StatementEnd

-- Product lines: programs' are stored as deals' are (trimmed, lower-cased,
-- each once; domain.NormalizeProductLines). Rules stored before were
-- compared as typed, so a SPIFF for "EDR" froze no deal won with "edr":
-- the versions are rewritten in place (the one edit of this append-only
-- table; what their cycles froze stays as frozen).
ALTER TABLE incentive_program_versions DISABLE TRIGGER incentive_program_versions_append_only;
UPDATE incentive_program_versions v SET rules = jsonb_set(v.rules, '{product_lines}', n.lines)
FROM (SELECT x.program_id, x.version,
             (SELECT coalesce(jsonb_agg(u.line ORDER BY u.first), '[]'::jsonb)
              FROM (SELECT lower(btrim(e.line)) AS line, min(e.o) AS first
                    FROM jsonb_array_elements_text(x.rules->'product_lines') WITH ORDINALITY AS e(line, o)
                    GROUP BY lower(btrim(e.line))) u) AS lines
      FROM incentive_program_versions x WHERE jsonb_typeof(x.rules->'product_lines') = 'array') n
WHERE v.program_id = n.program_id AND v.version = n.version AND v.rules->'product_lines' <> n.lines;
ALTER TABLE incentive_program_versions ENABLE TRIGGER incentive_program_versions_append_only;

-- +goose Down
-- Product lines stay lower-cased (the original case is not kept). The
-- functions are db/functions' (repeatable definitions, not versioned).
-- +goose StatementBegin
DO $$
DECLARE
    p text;
BEGIN
    FOR p IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'cycle_inputs'::regclass LOOP
        EXECUTE format('DROP INDEX IF EXISTS %I', p || '_excluded');
    END LOOP;
END;
$$;
-- +goose StatementEnd
DROP TABLE cycle_change_totals;
ALTER TABLE statement_lines DROP COLUMN basis_before, DROP COLUMN basis_after, DROP COLUMN figure_before, DROP COLUMN figure_after;
