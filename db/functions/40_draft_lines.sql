-- The accruals, set-based: one statement per program kind, each drafting a
-- cycle's statement lines from its frozen inputs and returning how many
-- (AccrueCycle, activities/incentive/cycles.go).
-- Applied by `dealflow migrate` after the versioned migrations whenever this
-- file changes (db/functions.go): CREATE OR REPLACE only, each function once.

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
