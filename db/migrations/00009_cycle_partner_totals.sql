-- A freeze also writes each partner's counted revenue and deals, from the
-- same statement that froze the inputs; a rebate's accrual reads those
-- (thousands of rows) instead of summing the lineage again (a million).

-- +goose Up
CREATE TABLE cycle_partner_totals (
    cycle_id   uuid NOT NULL,
    partner_id uuid NOT NULL,
    revenue    bigint NOT NULL,
    deals      integer NOT NULL,
    PRIMARY KEY (cycle_id, partner_id)
);
CREATE TRIGGER cycle_partner_totals_append_only BEFORE UPDATE OR DELETE ON cycle_partner_totals
    FOR EACH ROW EXECUTE FUNCTION reject_change();
INSERT INTO cycle_partner_totals (cycle_id, partner_id, revenue, deals)
SELECT i.cycle_id, i.partner_id, sum(i.amount), count(*)
FROM cycle_inputs i JOIN incentive_cycles c ON c.id = i.cycle_id
WHERE c.frozen_at IS NOT NULL AND i.kind = 'won' AND i.excluded IS NULL
GROUP BY i.cycle_id, i.partner_id;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION accrue_rebate(p_cycle_id uuid, p_tiers jsonb, p_mode text, p_currency text) RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
    n bigint;
BEGIN
    -- Planned for the values at hand (EXECUTE), not as a generic plan.
    EXECUTE $q$
        WITH tiers AS (
            SELECT x.above, x.rate_bp, lead(x.above) OVER (ORDER BY x.above) AS next_above,
                   (row_number() OVER (ORDER BY x.above))::int - 1 AS idx
            FROM (SELECT (e->>'above')::bigint AS above, (e->>'rate_bp')::bigint AS rate_bp
                  FROM jsonb_array_elements($2) AS e) x),
        rev AS (
            SELECT t.partner_id, t.revenue, t.deals FROM cycle_partner_totals t WHERE t.cycle_id = $1),
        rebate AS (
            SELECT r.partner_id, NULL::uuid AS deal_id, 'rebate'::text AS kind, r.revenue AS basis, r.deals, top.idx AS tier,
                   CASE WHEN $3 = 'retroactive' THEN top.rate_bp END AS rate_bp,
                   CASE WHEN $3 = 'retroactive' THEN div_half_even(r.revenue::numeric * coalesce(top.rate_bp, 0), 10000)
                        ELSE div_half_even((SELECT coalesce(sum((least(r.revenue, coalesce(t.next_above, r.revenue)) - t.above)::numeric * t.rate_bp), 0)
                                            FROM tiers t WHERE r.revenue > t.above), 10000) END AS amount,
                   CASE WHEN top.idx IS NULL THEN 'no tier reached'
                        ELSE $3 || ' rebate, tier ' || (top.idx + 1) || ' of ' || (SELECT count(*) FROM tiers) || ' reached' END AS detail,
                   NULL::uuid AS reverses_line_id, NULL::date AS closed_on
            FROM rev r
            LEFT JOIN LATERAL (SELECT t.idx, t.rate_bp FROM tiers t WHERE r.revenue > t.above ORDER BY t.above DESC LIMIT 1) top ON true),
        changes AS (
            SELECT c.partner_id, c.deal_id, CASE WHEN c.amount < c.previous_amount THEN 'clawback' ELSE 'correction' END AS kind,
                   c.amount - c.previous_amount AS basis, 1 AS deals, orig.tier, orig.rate_bp,
                   div_half_even(orig.amount::numeric * (c.amount - c.previous_amount), orig.basis) AS amount,
                   'deal amount ' || c.previous_amount || ' → ' || c.amount || ': share of the rebate of cycle ' || w.cycle_id AS detail,
                   orig.id AS reverses_line_id, c.closed_on
            FROM cycle_inputs c
            JOIN cycle_inputs w ON w.program_id = c.program_id AND w.partner_id = c.partner_id AND w.deal_id = c.deal_id AND w.kind = 'won'
            JOIN statement_lines orig ON orig.cycle_id = w.cycle_id AND orig.partner_id = c.partner_id AND orig.kind = 'rebate'
            WHERE c.frozen_at = (SELECT frozen_at FROM incentive_cycles WHERE id = $1) AND c.cycle_id = $1 AND c.kind = 'change' AND orig.basis > 0),
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

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION accrue_rebate(p_cycle_id uuid, p_tiers jsonb, p_mode text, p_currency text) RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
    n bigint;
BEGIN
    -- Planned for the values at hand (EXECUTE), not as a generic plan.
    EXECUTE $q$
        WITH tiers AS (
            SELECT x.above, x.rate_bp, lead(x.above) OVER (ORDER BY x.above) AS next_above,
                   (row_number() OVER (ORDER BY x.above))::int - 1 AS idx
            FROM (SELECT (e->>'above')::bigint AS above, (e->>'rate_bp')::bigint AS rate_bp
                  FROM jsonb_array_elements($2) AS e) x),
        rev AS (
            SELECT i.partner_id, sum(i.amount)::bigint AS revenue, count(*)::int AS deals FROM cycle_inputs i
            WHERE i.frozen_at = (SELECT frozen_at FROM incentive_cycles WHERE id = $1) AND i.cycle_id = $1
              AND i.kind = 'won' AND i.excluded IS NULL GROUP BY i.partner_id),
        rebate AS (
            SELECT r.partner_id, NULL::uuid AS deal_id, 'rebate'::text AS kind, r.revenue AS basis, r.deals, top.idx AS tier,
                   CASE WHEN $3 = 'retroactive' THEN top.rate_bp END AS rate_bp,
                   CASE WHEN $3 = 'retroactive' THEN div_half_even(r.revenue::numeric * coalesce(top.rate_bp, 0), 10000)
                        ELSE div_half_even((SELECT coalesce(sum((least(r.revenue, coalesce(t.next_above, r.revenue)) - t.above)::numeric * t.rate_bp), 0)
                                            FROM tiers t WHERE r.revenue > t.above), 10000) END AS amount,
                   CASE WHEN top.idx IS NULL THEN 'no tier reached'
                        ELSE $3 || ' rebate, tier ' || (top.idx + 1) || ' of ' || (SELECT count(*) FROM tiers) || ' reached' END AS detail,
                   NULL::uuid AS reverses_line_id, NULL::date AS closed_on
            FROM rev r
            LEFT JOIN LATERAL (SELECT t.idx, t.rate_bp FROM tiers t WHERE r.revenue > t.above ORDER BY t.above DESC LIMIT 1) top ON true),
        changes AS (
            SELECT c.partner_id, c.deal_id, CASE WHEN c.amount < c.previous_amount THEN 'clawback' ELSE 'correction' END AS kind,
                   c.amount - c.previous_amount AS basis, 1 AS deals, orig.tier, orig.rate_bp,
                   div_half_even(orig.amount::numeric * (c.amount - c.previous_amount), orig.basis) AS amount,
                   'deal amount ' || c.previous_amount || ' → ' || c.amount || ': share of the rebate of cycle ' || w.cycle_id AS detail,
                   orig.id AS reverses_line_id, c.closed_on
            FROM cycle_inputs c
            JOIN cycle_inputs w ON w.program_id = c.program_id AND w.partner_id = c.partner_id AND w.deal_id = c.deal_id AND w.kind = 'won'
            JOIN statement_lines orig ON orig.cycle_id = w.cycle_id AND orig.partner_id = c.partner_id AND orig.kind = 'rebate'
            WHERE c.frozen_at = (SELECT frozen_at FROM incentive_cycles WHERE id = $1) AND c.cycle_id = $1 AND c.kind = 'change' AND orig.basis > 0),
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
DROP TABLE cycle_partner_totals;
