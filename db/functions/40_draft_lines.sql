-- The accruals, set-based: one statement per program kind, each drafting a
-- cycle's statement lines from its frozen inputs and returning how many
-- (AccrueCycle, activities/incentives.go).
-- Applied by `dealflow migrate` after the versioned migrations whenever this
-- file changes (db/functions.go): CREATE OR REPLACE only, each function once.

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
