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
-- rebate_tier is the 0-based index of the highest tier revenue exceeds
-- (NULL: none); tiers as a rules version stores them, ascending.
CREATE FUNCTION rebate_tier(p_revenue bigint, p_tiers jsonb) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT max(t.o - 1)::int FROM jsonb_array_elements(p_tiers) WITH ORDINALITY AS t(e, o)
    WHERE p_revenue > (t.e->>'above')::bigint
$$;
-- +goose StatementEnd

-- +goose StatementBegin
-- rebate_figure is the rebate on revenue under tiers in mode (retroactive:
-- the whole revenue at the rate of the tier reached; marginal: each slice
-- at its own tier's rate, summed exactly), rounded half to even once:
-- draft_rebate_lines' rule and domain.IncentiveRules.Rebate's.
CREATE FUNCTION rebate_figure(p_revenue bigint, p_tiers jsonb, p_mode text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    WITH t AS (
        SELECT (e->>'above')::bigint AS above, (e->>'rate_bp')::bigint AS rate_bp,
               lead((e->>'above')::bigint) OVER (ORDER BY (e->>'above')::bigint) AS next_above
        FROM jsonb_array_elements(p_tiers) AS e)
    SELECT CASE WHEN p_mode = 'retroactive'
                THEN coalesce(div_half_even(p_revenue::numeric * (SELECT t.rate_bp FROM t WHERE p_revenue > t.above ORDER BY t.above DESC LIMIT 1), 10000), 0)
                ELSE div_half_even((SELECT coalesce(sum((least(p_revenue, coalesce(t.next_above, p_revenue)) - t.above)::numeric * t.rate_bp), 0)
                                    FROM t WHERE p_revenue > t.above), 10000) END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
-- cycle_inputs_index indexes a staged cycle's inputs by deal, in one sorted
-- build (a deal is one input of a cycle), and what it froze but does not
-- pay by partner (a partial index: a few entries).
CREATE OR REPLACE FUNCTION cycle_inputs_index(p_cycle uuid) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    t text := cycle_inputs_table(p_cycle);
BEGIN
    EXECUTE format('CREATE UNIQUE INDEX IF NOT EXISTS %I ON %I (deal_id)', t || '_deal', t);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (partner_id, closed_on, deal_id) WHERE excluded IS NOT NULL',
                   t || '_excluded', t);
END;
$fn$;
-- +goose StatementEnd

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

-- +goose StatementBegin
-- freeze_finish completes a cycle's freeze in the caller's transaction:
-- the corrections and reversals of deals that cycles of EARLIER periods of
-- the program paid (each deal whose won amount now differs from the last
-- amount the program froze for it), with their revenue change per partner
-- and paid cycle (cycle_change_totals); for a SPIFF whose claims exceed
-- what is left of its budget (what earlier cycles paid is spent, what they
-- clawed back is free again), the cut: claims are paid in order of close
-- date, then deal id, and once one does not fit it and every later one
-- earn nothing ('budget exhausted'); the index and attach; and each
-- partner's totals. It returns what was frozen by kind and reason for
-- exclusion ('' for what counts).
CREATE OR REPLACE FUNCTION freeze_finish(p_cycle uuid, p_program uuid, p_kind text, p_rules jsonb)
RETURNS TABLE (kind text, reason text, deals integer, amount bigint) LANGUAGE plpgsql AS $fn$
DECLARE
    t text := cycle_inputs_table(p_cycle);
    -- every other frozen cycle of the program: none pays a deal twice, and
    -- the last amount any of them froze for a deal is what a change starts from
    earlier uuid[];
    -- those of periods before this cycle's: only their deals change here
    paid_before uuid[];
    changes integer := 0;
    budget bigint := coalesce((p_rules->>'budget')::bigint, 0);
    remaining bigint;
    claimed bigint;
BEGIN
    SELECT coalesce(array_agg(c.id), '{}'), coalesce(array_agg(c.id) FILTER (WHERE c.period_start < me.period_start), '{}')
    INTO earlier, paid_before
    FROM incentive_cycles c CROSS JOIN (SELECT cy.period_start FROM incentive_cycles cy WHERE cy.id = p_cycle) me
    WHERE c.program_id = p_program AND c.id <> p_cycle AND c.frozen_at IS NOT NULL;
    IF p_kind = 'spiff' AND budget > 0 THEN
        remaining := budget - (SELECT coalesce(sum(l.amount), 0) FROM statement_lines l WHERE l.cycle_id = ANY(earlier));
        EXECUTE format('SELECT coalesce(sum(s.earned), 0) FROM %I s WHERE s.excluded IS NULL', t || '_sums') INTO claimed;
        IF claimed > remaining THEN
            EXECUTE format($q$
                UPDATE %I s SET earned = 0, note = 'budget exhausted'
                FROM (SELECT i.deal_id, sum(i.earned) OVER (ORDER BY i.closed_on, i.deal_id ROWS UNBOUNDED PRECEDING) AS running
                      FROM %I i WHERE i.kind = 'won' AND i.excluded IS NULL) r
                WHERE s.deal_id = r.deal_id AND r.running > $1$q$, t, t)
            USING remaining;
            PERFORM freeze_sums(p_cycle);
        END IF;
    END IF;
    IF cardinality(paid_before) > 0 THEN
        EXECUTE format($q$
            WITH ins AS (
                INSERT INTO %I (cycle_id, deal_id, partner_id, kind, amount, previous_amount, won_cycle_id, currency, units, closed_on)
                SELECT $1, d.id, d.partner_id, 'change', coalesce(d.won_amount, 0), cur.amount, w.cycle_id, w.currency, w.units, w.closed_on
                FROM deals d
                JOIN cycle_inputs w ON w.cycle_id = ANY($3) AND w.deal_id = d.id AND w.kind = 'won' AND w.excluded IS NULL
                CROSS JOIN LATERAL (
                    SELECT coalesce((SELECT c.amount FROM cycle_inputs c
                                     JOIN incentive_cycles cc ON cc.id = c.cycle_id
                                     WHERE c.cycle_id = ANY($2) AND c.deal_id = d.id AND c.kind = 'change'
                                     ORDER BY cc.frozen_at DESC LIMIT 1), w.amount) AS amount) cur
                WHERE d.id IN (SELECT e.deal_id FROM deal_events e WHERE e.type IN ('outcome_corrected', 'outcome_reversed'))
                  AND coalesce(d.won_amount, 0) <> cur.amount
                RETURNING won_cycle_id, partner_id, deal_id, amount - previous_amount AS change)
            INSERT INTO cycle_change_totals (cycle_id, won_cycle_id, partner_id, revenue_change, deals, deal_id)
            SELECT $1, i.won_cycle_id, i.partner_id, sum(i.change), count(*), CASE WHEN count(*) = 1 THEN (array_agg(i.deal_id))[1] END
            FROM ins i GROUP BY i.won_cycle_id, i.partner_id$q$, t)
        USING p_cycle, earlier, paid_before;
        SELECT coalesce(sum(ct.deals), 0)::int INTO changes FROM cycle_change_totals ct WHERE ct.cycle_id = p_cycle;
    END IF;
    PERFORM cycle_inputs_attach(p_cycle);
    EXECUTE format($q$
        INSERT INTO cycle_partner_totals (cycle_id, partner_id, revenue, deals, earned, noted, units)
        SELECT $1, s.partner_id, sum(s.amount), sum(s.deals), sum(s.earned), sum(s.noted), sum(s.units)
        FROM %I s WHERE s.excluded IS NULL GROUP BY s.partner_id$q$, t || '_sums')
    USING p_cycle;
    RETURN QUERY EXECUTE format($q$
        SELECT 'won'::text, coalesce(s.excluded, '')::text, sum(s.deals)::int, sum(s.amount)::bigint
        FROM %I s GROUP BY s.excluded
        UNION ALL SELECT 'change', '', $1, 0 WHERE $1 > 0
        ORDER BY 1, 2$q$, t || '_sums')
    USING changes;
    EXECUTE format('DROP TABLE %I', t || '_sums');
END;
$fn$;
-- +goose StatementEnd

-- +goose StatementBegin
-- draft_rebate_lines: a rebate line per partner on the revenue the cycle
-- froze, at the tier reached (retroactive: the whole revenue at that tier's
-- rate; marginal: each slice at its own tier's rate, the sum rounded once),
-- and per partner and paid period the cycle changed, a true-up: that
-- period's rebate recomputed on its corrected revenue under the rules
-- version of the cycle that paid it, less the rebate on its revenue as
-- last corrected (a clawback when negative, a correction when positive;
-- no line when nothing changes).
CREATE OR REPLACE FUNCTION draft_rebate_lines(p_cycle_id uuid, p_tiers jsonb, p_mode text, p_currency text) RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
    n bigint;
BEGIN
    -- Planned for the values at hand (EXECUTE): the cycle's partition only.
    EXECUTE $q$
        WITH tiers AS (
            SELECT x.above, x.rate_bp, lead(x.above) OVER (ORDER BY x.above) AS next_above,
                   (row_number() OVER (ORDER BY x.above))::int - 1 AS idx
            FROM (SELECT (e->>'above')::bigint AS above, (e->>'rate_bp')::bigint AS rate_bp
                  FROM jsonb_array_elements($2) AS e) x),
        rebate AS (
            SELECT r.partner_id, NULL::uuid AS deal_id, 'rebate'::text AS kind, r.revenue AS basis, r.deals, top.idx AS tier,
                   CASE WHEN $3 = 'retroactive' THEN top.rate_bp END AS rate_bp,
                   CASE WHEN $3 = 'retroactive' THEN div_half_even(r.revenue::numeric * coalesce(top.rate_bp, 0), 10000)
                        ELSE div_half_even((SELECT coalesce(sum((least(r.revenue, coalesce(t.next_above, r.revenue)) - t.above)::numeric * t.rate_bp), 0)
                                            FROM tiers t WHERE r.revenue > t.above), 10000) END AS amount,
                   CASE WHEN top.idx IS NULL THEN 'no tier reached'
                        ELSE $3 || ' rebate, tier ' || (top.idx + 1) || ' of ' || (SELECT count(*) FROM tiers) || ' reached' END AS detail,
                   NULL::uuid AS reverses_line_id, NULL::date AS closed_on,
                   NULL::bigint AS basis_before, NULL::bigint AS basis_after, NULL::bigint AS figure_before, NULL::bigint AS figure_after
            FROM cycle_partner_totals r
            LEFT JOIN LATERAL (SELECT t.idx, t.rate_bp FROM tiers t WHERE r.revenue > t.above ORDER BY t.above DESC LIMIT 1) top ON true
            WHERE r.cycle_id = $1),
        periods AS (
            SELECT ct.partner_id, ct.deal_id, ct.deals, ct.revenue_change, wc.period_start, wc.period_end, wc.program_version,
                   v.rules->'tiers' AS tiers, v.rules->>'mode' AS mode, orig.id AS orig_id,
                   pt.revenue + coalesce((SELECT sum(p.revenue_change) FROM cycle_change_totals p
                                          JOIN incentive_cycles pc ON pc.id = p.cycle_id
                                          WHERE p.won_cycle_id = ct.won_cycle_id AND p.partner_id = ct.partner_id
                                            AND pc.frozen_at < me.frozen_at), 0)::bigint AS before
            FROM cycle_change_totals ct
            CROSS JOIN (SELECT cy.frozen_at FROM incentive_cycles cy WHERE cy.id = $1) me
            JOIN incentive_cycles wc ON wc.id = ct.won_cycle_id
            JOIN incentive_program_versions v ON v.program_id = wc.program_id AND v.version = wc.program_version
            JOIN cycle_partner_totals pt ON pt.cycle_id = ct.won_cycle_id AND pt.partner_id = ct.partner_id
            JOIN statement_lines orig ON orig.cycle_id = ct.won_cycle_id AND orig.partner_id = ct.partner_id AND orig.kind = 'rebate'
            WHERE ct.cycle_id = $1),
        figures AS (
            SELECT p.*, p.before + p.revenue_change AS after,
                   rebate_figure(p.before, p.tiers, p.mode) AS figure_before,
                   rebate_figure(p.before + p.revenue_change, p.tiers, p.mode) AS figure_after,
                   rebate_tier(p.before + p.revenue_change, p.tiers) AS tier_after
            FROM periods p),
        trueups AS (
            SELECT f.partner_id, f.deal_id, CASE WHEN f.figure_after < f.figure_before THEN 'clawback' ELSE 'correction' END AS kind,
                   f.revenue_change AS basis, f.deals, f.tier_after AS tier,
                   CASE WHEN f.mode = 'retroactive' THEN (f.tiers -> f.tier_after ->> 'rate_bp')::bigint END AS rate_bp,
                   f.figure_after - f.figure_before AS amount,
                   'true-up of ' || to_char(f.period_start, 'YYYY-MM-DD') || '..' || to_char(f.period_end - 1, 'YYYY-MM-DD')
                   || ': revenue ' || f.before || ' → ' || f.after || ', rebate ' || f.figure_before || ' → ' || f.figure_after
                   || ' (rules version ' || f.program_version || ')' AS detail,
                   f.orig_id AS reverses_line_id, f.period_start AS closed_on,
                   f.before AS basis_before, f.after AS basis_after, f.figure_before, f.figure_after
            FROM figures f WHERE f.figure_after <> f.figure_before),
        lines AS (SELECT * FROM rebate UNION ALL SELECT * FROM trueups),
        inserted AS (
        INSERT INTO statement_lines (cycle_id, partner_id, line_no, kind, deal_id, basis, deals, rate_bp, tier, amount, currency, detail,
                                     reverses_line_id, basis_before, basis_after, figure_before, figure_after)
        SELECT $1, l.partner_id,
               row_number() OVER (PARTITION BY l.partner_id ORDER BY l.kind <> 'rebate', l.closed_on, l.deal_id)::int,
               l.kind, l.deal_id, l.basis, l.deals, l.rate_bp, l.tier, l.amount, $4, l.detail, l.reverses_line_id,
               l.basis_before, l.basis_after, l.figure_before, l.figure_after
        FROM lines l
        RETURNING 1)
        SELECT count(*) FROM inserted
    $q$ INTO n USING p_cycle_id, p_tiers, p_mode, p_currency;
    RETURN n;
END;
$fn$;
-- +goose StatementEnd

-- +goose StatementBegin
-- draft_referral_lines: a line per partner, the sum of the commissions the
-- freeze recorded per deal (rate, rounded half to even, capped per deal),
-- and per changed deal a true-up: its commission recomputed on its
-- corrected amount under the rules of the cycle that paid it, less the
-- commission on its amount as last corrected (no line when equal).
CREATE OR REPLACE FUNCTION draft_referral_lines(p_cycle_id uuid, p_rate_bp bigint, p_cap bigint, p_currency text) RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
    n bigint;
BEGIN
    EXECUTE $q$
        WITH won AS (
            SELECT t.partner_id, NULL::uuid AS deal_id, 'referral'::text AS kind, t.revenue AS basis, t.deals, $2 AS rate_bp,
                   t.earned AS amount,
                   'commission on ' || t.deals || CASE WHEN t.deals = 1 THEN ' deal' ELSE ' deals' END
                   || CASE WHEN t.noted > 0 THEN ', ' || t.noted || ' capped at ' || $3 ELSE '' END AS detail,
                   NULL::uuid AS reverses_line_id, NULL::date AS closed_on,
                   NULL::bigint AS basis_before, NULL::bigint AS basis_after, NULL::bigint AS figure_before, NULL::bigint AS figure_after
            FROM cycle_partner_totals t WHERE t.cycle_id = $1),
        changes AS (
            SELECT c.partner_id, c.deal_id, CASE WHEN f.after < f.before THEN 'clawback' ELSE 'correction' END AS kind,
                   c.amount - c.previous_amount AS basis, 1 AS deals, r.rate_bp, f.after - f.before AS amount,
                   'true-up of deal amount ' || c.previous_amount || ' → ' || c.amount || ': commission ' || f.before || ' → ' || f.after
                   || ' (rules version ' || oc.program_version || ')' AS detail,
                   orig.id AS reverses_line_id, c.closed_on,
                   c.previous_amount AS basis_before, c.amount AS basis_after, f.before AS figure_before, f.after AS figure_after
            FROM cycle_inputs c
            JOIN incentive_cycles oc ON oc.id = c.won_cycle_id
            JOIN incentive_program_versions v ON v.program_id = oc.program_id AND v.version = oc.program_version
            CROSS JOIN LATERAL (SELECT (v.rules->>'rate_bp')::bigint AS rate_bp, coalesce((v.rules->>'cap_per_deal')::bigint, 0) AS cap) r
            CROSS JOIN LATERAL (SELECT capped_commission(c.previous_amount, r.rate_bp, r.cap) AS before,
                                       capped_commission(c.amount, r.rate_bp, r.cap) AS after) f
            JOIN LATERAL (SELECT l.id FROM statement_lines l
                          WHERE l.cycle_id = c.won_cycle_id AND l.partner_id = c.partner_id AND l.kind = 'referral'
                            AND (l.deal_id = c.deal_id OR l.deal_id IS NULL)
                          ORDER BY l.deal_id NULLS LAST LIMIT 1) orig ON true
            WHERE c.cycle_id = $1 AND c.kind = 'change' AND (SELECT cy.change_inputs FROM incentive_cycles cy WHERE cy.id = $1) > 0
              AND f.after <> f.before),
        lines AS (SELECT * FROM won UNION ALL SELECT * FROM changes),
        inserted AS (
        INSERT INTO statement_lines (cycle_id, partner_id, line_no, kind, deal_id, basis, deals, rate_bp, amount, currency, detail,
                                     reverses_line_id, basis_before, basis_after, figure_before, figure_after)
        SELECT $1, l.partner_id, row_number() OVER (PARTITION BY l.partner_id ORDER BY l.kind <> 'referral', l.closed_on, l.deal_id)::int,
               l.kind, l.deal_id, l.basis, l.deals, l.rate_bp, l.amount, $4, l.detail, l.reverses_line_id,
               l.basis_before, l.basis_after, l.figure_before, l.figure_after
        FROM lines l
        RETURNING 1)
        SELECT count(*) FROM inserted
    $q$ INTO n USING p_cycle_id, p_rate_bp, p_cap, p_currency;
    RETURN n;
END;
$fn$;
-- +goose StatementEnd

-- +goose StatementBegin
-- draft_spiff_lines: a line per partner, the sum of the SPIFFs the freeze
-- allotted per deal while the budget lasted, and per changed deal a
-- true-up of the SPIFF it earned: given back when the deal is reversed,
-- paid again when a reversed deal is reinstated (an amount correction
-- changes nothing, and makes no line).
CREATE OR REPLACE FUNCTION draft_spiff_lines(p_cycle_id uuid, p_per text, p_currency text) RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
    n bigint;
BEGIN
    EXECUTE $q$
        WITH won AS (
            SELECT t.partner_id, NULL::uuid AS deal_id, 'spiff'::text AS kind, t.revenue AS basis, t.deals, t.earned AS amount,
                   CASE WHEN $2 = 'unit' THEN 'SPIFF for ' || t.units || ' units' ELSE 'SPIFF per deal' END
                   || ' on ' || t.deals || CASE WHEN t.deals = 1 THEN ' deal' ELSE ' deals' END
                   || CASE WHEN t.noted > 0 THEN ', budget exhausted for ' || t.noted ELSE '' END AS detail,
                   NULL::uuid AS reverses_line_id, NULL::date AS closed_on,
                   NULL::bigint AS basis_before, NULL::bigint AS basis_after, NULL::bigint AS figure_before, NULL::bigint AS figure_after
            FROM cycle_partner_totals t WHERE t.cycle_id = $1),
        changes AS (
            SELECT c.partner_id, c.deal_id, CASE WHEN f.after < f.before THEN 'clawback' ELSE 'correction' END,
                   c.amount - c.previous_amount, 1, f.after - f.before,
                   'true-up of deal amount ' || c.previous_amount || ' → ' || c.amount || ': SPIFF ' || f.before || ' → ' || f.after
                   || ' (rules version ' || oc.program_version || ')',
                   orig.id, c.closed_on, c.previous_amount, c.amount, f.before, f.after
            FROM cycle_inputs c
            JOIN incentive_cycles oc ON oc.id = c.won_cycle_id
            JOIN cycle_inputs w ON w.cycle_id = c.won_cycle_id AND w.deal_id = c.deal_id
            JOIN LATERAL (SELECT l.id, l.amount FROM statement_lines l
                          WHERE l.cycle_id = c.won_cycle_id AND l.partner_id = c.partner_id AND l.kind = 'spiff'
                            AND (l.deal_id = c.deal_id OR l.deal_id IS NULL)
                          ORDER BY l.deal_id NULLS LAST LIMIT 1) orig ON true
            CROSS JOIN LATERAL (SELECT CASE WHEN c.previous_amount > 0 THEN coalesce(w.earned, orig.amount) ELSE 0 END AS before,
                                       CASE WHEN c.amount > 0 THEN coalesce(w.earned, orig.amount) ELSE 0 END AS after) f
            WHERE c.cycle_id = $1 AND c.kind = 'change' AND (SELECT cy.change_inputs FROM incentive_cycles cy WHERE cy.id = $1) > 0
              AND f.after <> f.before),
        lines AS (SELECT * FROM won UNION ALL SELECT * FROM changes),
        inserted AS (
        INSERT INTO statement_lines (cycle_id, partner_id, line_no, kind, deal_id, basis, deals, amount, currency, detail, reverses_line_id,
                                     basis_before, basis_after, figure_before, figure_after)
        SELECT $1, l.partner_id, row_number() OVER (PARTITION BY l.partner_id ORDER BY l.kind <> 'spiff', l.closed_on, l.deal_id)::int,
               l.kind, l.deal_id, l.basis, l.deals, l.amount, $3, l.detail, l.reverses_line_id,
               l.basis_before, l.basis_after, l.figure_before, l.figure_after
        FROM lines l
        RETURNING 1)
        SELECT count(*) FROM inserted
    $q$ INTO n USING p_cycle_id, p_per, p_currency;
    RETURN n;
END;
$fn$;
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
-- functions go back to migration 10's.
-- +goose StatementBegin
-- cycle_inputs_index indexes a staged cycle's inputs by deal, in one sorted
-- build (a deal is one input of a cycle).
CREATE OR REPLACE FUNCTION cycle_inputs_index(p_cycle uuid) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    t text := cycle_inputs_table(p_cycle);
BEGIN
    EXECUTE format('CREATE UNIQUE INDEX IF NOT EXISTS %I ON %I (deal_id)', t || '_deal', t);
END;
$fn$;
-- +goose StatementEnd

-- +goose StatementBegin
-- freeze_finish completes a cycle's freeze in the caller's transaction:
-- the corrections and reversals of deals earlier cycles of the program
-- froze (each deal whose won amount now differs from the last amount the
-- program froze); for a SPIFF whose claims exceed what is left of its
-- budget (what earlier cycles paid is spent), the cut: claims are paid in
-- order of close date, then deal id, and once one does not fit it and
-- every later one earn nothing ('budget exhausted'); the index and attach;
-- and each partner's totals. It returns what was frozen by kind and reason
-- for exclusion ('' for what counts).
CREATE OR REPLACE FUNCTION freeze_finish(p_cycle uuid, p_program uuid, p_kind text, p_rules jsonb)
RETURNS TABLE (kind text, reason text, deals integer, amount bigint) LANGUAGE plpgsql AS $fn$
DECLARE
    t text := cycle_inputs_table(p_cycle);
    earlier uuid[];
    changes integer := 0;
    budget bigint := coalesce((p_rules->>'budget')::bigint, 0);
    remaining bigint;
    claimed bigint;
BEGIN
    SELECT coalesce(array_agg(c.id), '{}') INTO earlier
    FROM incentive_cycles c WHERE c.program_id = p_program AND c.id <> p_cycle AND c.frozen_at IS NOT NULL;
    IF p_kind = 'spiff' AND budget > 0 THEN
        remaining := budget - (SELECT coalesce(sum(l.amount), 0) FROM statement_lines l WHERE l.cycle_id = ANY(earlier));
        EXECUTE format('SELECT coalesce(sum(s.earned), 0) FROM %I s WHERE s.excluded IS NULL', t || '_sums') INTO claimed;
        IF claimed > remaining THEN
            EXECUTE format($q$
                UPDATE %I s SET earned = 0, note = 'budget exhausted'
                FROM (SELECT i.deal_id, sum(i.earned) OVER (ORDER BY i.closed_on, i.deal_id ROWS UNBOUNDED PRECEDING) AS running
                      FROM %I i WHERE i.kind = 'won' AND i.excluded IS NULL) r
                WHERE s.deal_id = r.deal_id AND r.running > $1$q$, t, t)
            USING remaining;
            PERFORM freeze_sums(p_cycle);
        END IF;
    END IF;
    IF cardinality(earlier) > 0 THEN
        EXECUTE format($q$
            INSERT INTO %I (cycle_id, deal_id, partner_id, kind, amount, previous_amount, won_cycle_id, currency, units, closed_on)
            SELECT $1, d.id, d.partner_id, 'change', coalesce(d.won_amount, 0), cur.amount, w.cycle_id, w.currency, w.units, w.closed_on
            FROM deals d
            JOIN cycle_inputs w ON w.cycle_id = ANY($2) AND w.deal_id = d.id AND w.kind = 'won' AND w.excluded IS NULL
            CROSS JOIN LATERAL (
                SELECT coalesce((SELECT c.amount FROM cycle_inputs c
                                 JOIN incentive_cycles cc ON cc.id = c.cycle_id
                                 WHERE c.cycle_id = ANY($2) AND c.deal_id = d.id AND c.kind = 'change'
                                 ORDER BY cc.frozen_at DESC LIMIT 1), w.amount) AS amount) cur
            WHERE d.id IN (SELECT e.deal_id FROM deal_events e WHERE e.type IN ('outcome_corrected', 'outcome_reversed'))
              AND coalesce(d.won_amount, 0) <> cur.amount$q$, t)
        USING p_cycle, earlier;
        GET DIAGNOSTICS changes = ROW_COUNT;
    END IF;
    PERFORM cycle_inputs_attach(p_cycle);
    EXECUTE format($q$
        INSERT INTO cycle_partner_totals (cycle_id, partner_id, revenue, deals, earned, noted, units)
        SELECT $1, s.partner_id, sum(s.amount), sum(s.deals), sum(s.earned), sum(s.noted), sum(s.units)
        FROM %I s WHERE s.excluded IS NULL GROUP BY s.partner_id$q$, t || '_sums')
    USING p_cycle;
    RETURN QUERY EXECUTE format($q$
        SELECT 'won'::text, coalesce(s.excluded, '')::text, sum(s.deals)::int, sum(s.amount)::bigint
        FROM %I s GROUP BY s.excluded
        UNION ALL SELECT 'change', '', $1, 0 WHERE $1 > 0
        ORDER BY 1, 2$q$, t || '_sums')
    USING changes;
    EXECUTE format('DROP TABLE %I', t || '_sums');
END;
$fn$;
-- +goose StatementEnd

-- +goose StatementBegin
-- draft_rebate_lines: a rebate line per partner on the revenue the cycle
-- froze, at the tier reached (retroactive: the whole revenue at that tier's
-- rate; marginal: each slice at its own tier's rate, the sum rounded once),
-- and per change the original rebate's share of the revenue that went away
-- (clawback) or came back (correction).
CREATE OR REPLACE FUNCTION draft_rebate_lines(p_cycle_id uuid, p_tiers jsonb, p_mode text, p_currency text) RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
    n bigint;
BEGIN
    -- Planned for the values at hand (EXECUTE): the cycle's partition only.
    EXECUTE $q$
        WITH tiers AS (
            SELECT x.above, x.rate_bp, lead(x.above) OVER (ORDER BY x.above) AS next_above,
                   (row_number() OVER (ORDER BY x.above))::int - 1 AS idx
            FROM (SELECT (e->>'above')::bigint AS above, (e->>'rate_bp')::bigint AS rate_bp
                  FROM jsonb_array_elements($2) AS e) x),
        rebate AS (
            SELECT r.partner_id, NULL::uuid AS deal_id, 'rebate'::text AS kind, r.revenue AS basis, r.deals, top.idx AS tier,
                   CASE WHEN $3 = 'retroactive' THEN top.rate_bp END AS rate_bp,
                   CASE WHEN $3 = 'retroactive' THEN div_half_even(r.revenue::numeric * coalesce(top.rate_bp, 0), 10000)
                        ELSE div_half_even((SELECT coalesce(sum((least(r.revenue, coalesce(t.next_above, r.revenue)) - t.above)::numeric * t.rate_bp), 0)
                                            FROM tiers t WHERE r.revenue > t.above), 10000) END AS amount,
                   CASE WHEN top.idx IS NULL THEN 'no tier reached'
                        ELSE $3 || ' rebate, tier ' || (top.idx + 1) || ' of ' || (SELECT count(*) FROM tiers) || ' reached' END AS detail,
                   NULL::uuid AS reverses_line_id, NULL::date AS closed_on
            FROM cycle_partner_totals r
            LEFT JOIN LATERAL (SELECT t.idx, t.rate_bp FROM tiers t WHERE r.revenue > t.above ORDER BY t.above DESC LIMIT 1) top ON true
            WHERE r.cycle_id = $1),
        changes AS (
            SELECT c.partner_id, c.deal_id, CASE WHEN c.amount < c.previous_amount THEN 'clawback' ELSE 'correction' END AS kind,
                   c.amount - c.previous_amount AS basis, 1 AS deals, orig.tier, orig.rate_bp,
                   div_half_even(orig.amount::numeric * (c.amount - c.previous_amount), orig.basis) AS amount,
                   'deal amount ' || c.previous_amount || ' → ' || c.amount || ': share of the rebate of cycle ' || c.won_cycle_id AS detail,
                   orig.id AS reverses_line_id, c.closed_on
            FROM cycle_inputs c
            JOIN statement_lines orig ON orig.cycle_id = c.won_cycle_id AND orig.partner_id = c.partner_id AND orig.kind = 'rebate'
            WHERE c.cycle_id = $1 AND c.kind = 'change' AND (SELECT cy.change_inputs FROM incentive_cycles cy WHERE cy.id = $1) > 0 AND orig.basis > 0),
        lines AS (SELECT * FROM rebate UNION ALL SELECT * FROM changes),
        inserted AS (
        INSERT INTO statement_lines (cycle_id, partner_id, line_no, kind, deal_id, basis, deals, rate_bp, tier, amount, currency, detail, reverses_line_id)
        SELECT $1, l.partner_id,
               row_number() OVER (PARTITION BY l.partner_id ORDER BY l.kind <> 'rebate', l.closed_on, l.deal_id)::int,
               l.kind, l.deal_id, l.basis, l.deals, l.rate_bp, l.tier, l.amount, $4, l.detail, l.reverses_line_id
        FROM lines l
        RETURNING 1)
        SELECT count(*) FROM inserted
    $q$ INTO n USING p_cycle_id, p_tiers, p_mode, p_currency;
    RETURN n;
END;
$fn$;
-- +goose StatementEnd

-- +goose StatementBegin
-- draft_referral_lines: a line per partner, the sum of the commissions the
-- freeze recorded per deal (rate, rounded half to even, capped per deal),
-- and per change the commission recomputed on the new amount under the
-- original cycle's rules, less what was paid on the old.
CREATE OR REPLACE FUNCTION draft_referral_lines(p_cycle_id uuid, p_rate_bp bigint, p_cap bigint, p_currency text) RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
    n bigint;
BEGIN
    EXECUTE $q$
        WITH won AS (
            SELECT t.partner_id, NULL::uuid AS deal_id, 'referral'::text AS kind, t.revenue AS basis, t.deals, $2 AS rate_bp,
                   t.earned AS amount,
                   'commission on ' || t.deals || CASE WHEN t.deals = 1 THEN ' deal' ELSE ' deals' END
                   || CASE WHEN t.noted > 0 THEN ', ' || t.noted || ' capped at ' || $3 ELSE '' END AS detail,
                   NULL::uuid AS reverses_line_id, NULL::date AS closed_on
            FROM cycle_partner_totals t WHERE t.cycle_id = $1),
        changes AS (
            SELECT c.partner_id, c.deal_id, CASE WHEN c.amount < c.previous_amount THEN 'clawback' ELSE 'correction' END AS kind,
                   c.amount - c.previous_amount AS basis, 1 AS deals, r.rate_bp,
                   capped_commission(c.amount, r.rate_bp, r.cap) - capped_commission(c.previous_amount, r.rate_bp, r.cap) AS amount,
                   'deal amount changed by ' || (c.amount - c.previous_amount) || '; commission recomputed' AS detail,
                   orig.id AS reverses_line_id, c.closed_on
            FROM cycle_inputs c
            JOIN incentive_cycles oc ON oc.id = c.won_cycle_id
            JOIN incentive_program_versions v ON v.program_id = oc.program_id AND v.version = oc.program_version
            CROSS JOIN LATERAL (SELECT (v.rules->>'rate_bp')::bigint AS rate_bp, coalesce((v.rules->>'cap_per_deal')::bigint, 0) AS cap) r
            JOIN LATERAL (SELECT l.id FROM statement_lines l
                          WHERE l.cycle_id = c.won_cycle_id AND l.partner_id = c.partner_id AND l.kind = 'referral'
                            AND (l.deal_id = c.deal_id OR l.deal_id IS NULL)
                          ORDER BY l.deal_id NULLS LAST LIMIT 1) orig ON true
            WHERE c.cycle_id = $1 AND c.kind = 'change' AND (SELECT cy.change_inputs FROM incentive_cycles cy WHERE cy.id = $1) > 0),
        lines AS (SELECT * FROM won UNION ALL SELECT * FROM changes WHERE amount <> 0),
        inserted AS (
        INSERT INTO statement_lines (cycle_id, partner_id, line_no, kind, deal_id, basis, deals, rate_bp, amount, currency, detail, reverses_line_id)
        SELECT $1, l.partner_id, row_number() OVER (PARTITION BY l.partner_id ORDER BY l.kind <> 'referral', l.closed_on, l.deal_id)::int,
               l.kind, l.deal_id, l.basis, l.deals, l.rate_bp, l.amount, $4, l.detail, l.reverses_line_id
        FROM lines l
        RETURNING 1)
        SELECT count(*) FROM inserted
    $q$ INTO n USING p_cycle_id, p_rate_bp, p_cap, p_currency;
    RETURN n;
END;
$fn$;
-- +goose StatementEnd

-- +goose StatementBegin
-- draft_spiff_lines: a line per partner, the sum of the SPIFFs the freeze
-- allotted per deal while the budget lasted, and per reversed deal the
-- SPIFF it was paid, clawed back in full.
CREATE OR REPLACE FUNCTION draft_spiff_lines(p_cycle_id uuid, p_per text, p_currency text) RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
    n bigint;
BEGIN
    EXECUTE $q$
        WITH won AS (
            SELECT t.partner_id, NULL::uuid AS deal_id, 'spiff'::text AS kind, t.revenue AS basis, t.deals, t.earned AS amount,
                   CASE WHEN $2 = 'unit' THEN 'SPIFF for ' || t.units || ' units' ELSE 'SPIFF per deal' END
                   || ' on ' || t.deals || CASE WHEN t.deals = 1 THEN ' deal' ELSE ' deals' END
                   || CASE WHEN t.noted > 0 THEN ', budget exhausted for ' || t.noted ELSE '' END AS detail,
                   NULL::uuid AS reverses_line_id, NULL::date AS closed_on
            FROM cycle_partner_totals t WHERE t.cycle_id = $1),
        changes AS (
            SELECT c.partner_id, c.deal_id, 'clawback'::text, c.amount - c.previous_amount, 1, -coalesce(w.earned, orig.amount),
                   'deal reversed: SPIFF clawed back', orig.id, c.closed_on
            FROM cycle_inputs c
            JOIN cycle_inputs w ON w.cycle_id = c.won_cycle_id AND w.deal_id = c.deal_id
            JOIN LATERAL (SELECT l.id, l.amount FROM statement_lines l
                          WHERE l.cycle_id = c.won_cycle_id AND l.partner_id = c.partner_id AND l.kind = 'spiff'
                            AND (l.deal_id = c.deal_id OR l.deal_id IS NULL)
                          ORDER BY l.deal_id NULLS LAST LIMIT 1) orig ON true
            WHERE c.cycle_id = $1 AND c.kind = 'change' AND (SELECT cy.change_inputs FROM incentive_cycles cy WHERE cy.id = $1) > 0 AND c.amount = 0 AND coalesce(w.earned, orig.amount) <> 0),
        lines AS (SELECT * FROM won UNION ALL SELECT * FROM changes),
        inserted AS (
        INSERT INTO statement_lines (cycle_id, partner_id, line_no, kind, deal_id, basis, deals, amount, currency, detail, reverses_line_id)
        SELECT $1, l.partner_id, row_number() OVER (PARTITION BY l.partner_id ORDER BY l.kind <> 'spiff', l.closed_on, l.deal_id)::int,
               l.kind, l.deal_id, l.basis, l.deals, l.amount, $3, l.detail, l.reverses_line_id
        FROM lines l
        RETURNING 1)
        SELECT count(*) FROM inserted
    $q$ INTO n USING p_cycle_id, p_per, p_currency;
    RETURN n;
END;
$fn$;
-- +goose StatementEnd

DROP FUNCTION rebate_figure(bigint, jsonb, text);
DROP FUNCTION rebate_tier(bigint, jsonb);
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
