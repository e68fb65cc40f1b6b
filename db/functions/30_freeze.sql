-- A freeze, driven by FreezeCycle (activities/incentive/freeze.go), holding the
-- program's freeze lock (one freeze of a program at a time) and, so that
-- nothing is frozen twice, checking every earlier cycle of the program:
--   cycle_inputs_stage → freeze_won_part, once per range of the deals
--   table's blocks, on as many connections in parallel, all reading one
--   exported snapshot → cycle_inputs_index and freeze_sums, side by side →
--   freeze_finish, in one transaction with the cycle's frozen_at.
-- Until freeze_finish commits, nothing is part of the lineage: a failed
-- attempt's staged rows are dropped by the next.
-- Applied by `dealflow migrate` after the versioned migrations whenever this
-- file changes (db/functions.go): CREATE OR REPLACE only, each function once.

-- freeze_won_part stages the closed-won deals stored in blocks
-- [p_first_block, p_end_block) of deals that the cycle pays on: closed in
-- [p_from, p_before), of the program's deal kind and product lines (a
-- program with an attribution filter: of its deal kind or vendor_sourced,
-- and passing the filter, deal_attribution_qualifies), and
-- frozen by no earlier cycle of the program (deals in another currency are
-- frozen too, marked excluded, so that they are reported once). Each
-- counted deal of a per-deal program records what it earns: a referral's
-- commission, rounded half to even and capped; a SPIFF's claim (per deal
-- or per unit), which freeze_finish cuts where the budget runs out. It
-- returns how many deals it staged.
CREATE OR REPLACE FUNCTION freeze_won_part(p_cycle uuid, p_program uuid, p_kind text, p_rules jsonb, p_currency text,
                                p_from date, p_before date, p_deal_kind text, p_lines text[],
                                p_first_block bigint, p_end_block bigint) RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
    t text := cycle_inputs_table(p_cycle);
    earlier uuid[];
    -- No earlier cycle froze a deal closed on or after the latest end of
    -- their periods (their windows end at or before it): only deals closed
    -- before it are looked up in their inputs.
    checked_before date;
    -- the columns a won input's select adds, by kind
    figures text;
    n bigint;
BEGIN
    SELECT coalesce(array_agg(c.id), '{}'), max(c.period_end) INTO earlier, checked_before
    FROM incentive_cycles c WHERE c.program_id = p_program AND c.id <> p_cycle AND c.frozen_at IS NOT NULL;
    IF p_kind = 'referral' THEN
        figures := $f$,
            CASE WHEN w.excluded IS NULL THEN CASE WHEN $11 > 0 THEN least(w.raw, $11) ELSE w.raw END END,
            CASE WHEN w.excluded IS NULL AND $11 > 0 AND w.raw > $11 THEN 'capped at ' || $11 END$f$;
    ELSIF p_kind = 'spiff' THEN
        figures := $f$,
            CASE WHEN w.excluded IS NULL THEN (CASE WHEN $9 = 'unit' THEN $14 * w.units ELSE $14 END)::bigint END,
            NULL::text$f$;
    ELSE
        figures := ', NULL::bigint, NULL::text';
    END IF;
    EXECUTE format($q$
        INSERT INTO %I (cycle_id, deal_id, partner_id, kind, amount, currency, units, closed_on, excluded, earned, note)
        SELECT $1, w.id, w.partner_id, 'won', w.amount, w.currency, w.units, w.closed_on, w.excluded %s
        FROM (SELECT d.id, d.partner_id, d.won_amount AS amount, d.won_currency AS currency, coalesce(d.won_units, 1) AS units,
                     d.closed_on, CASE WHEN d.won_currency <> $3 THEN 'currency ' || d.won_currency END AS excluded %s
              FROM deals d%s
              WHERE d.ctid >= $15 AND d.ctid < $16
                AND d.status = 'closed_won' AND d.won_amount > 0
                AND d.closed_on >= $4 AND d.closed_on < $5 AND d.kind = ANY($19)
                AND (cardinality($7) = 0 OR d.won_product_lines && $7)%s
                AND (d.closed_on >= $17
                     OR NOT EXISTS (SELECT 1 FROM cycle_inputs i WHERE i.cycle_id = ANY($8) AND i.deal_id = d.id AND i.kind = 'won'))) w$q$,
        t, figures,
        CASE WHEN p_kind = 'referral' THEN ', mul_rate_half_even(d.won_amount, $10) AS raw' ELSE '' END,
        -- a filtered program: each deal's latest recorded attribution, in one pass
        CASE WHEN p_rules ? 'attribution' THEN $j$
              LEFT JOIN (SELECT DISTINCT ON (a.deal_id) a.deal_id, a.sourced_by, a.influenced_by
                         FROM deal_attributions a ORDER BY a.deal_id, a.won_seq DESC) ra ON ra.deal_id = d.id$j$ ELSE '' END,
        -- judged on it, or for a deal won before attribution was recorded,
        -- on its attribution computed now
        CASE WHEN p_rules ? 'attribution' THEN $c$
                AND CASE WHEN ra.deal_id IS NULL THEN deal_attribution_qualifies(d.id, d.kind, $18)
                         ELSE (cardinality($20) = 0 OR ra.sourced_by = ANY($20)) AND (cardinality($21) = 0 OR ra.influenced_by && $21) END$c$
             ELSE '' END)
    USING p_cycle, p_program, p_currency, p_from, p_before, p_deal_kind, p_lines, earlier,
          coalesce(p_rules->>'per', 'deal'), coalesce((p_rules->>'rate_bp')::bigint, 0),
          coalesce((p_rules->>'cap_per_deal')::bigint, 0), NULL::bigint, NULL::bigint,
          coalesce((p_rules->>'amount')::bigint, 0),
          format('(%s,0)', p_first_block)::tid, format('(%s,0)', least(p_end_block, 4294967295))::tid,
          coalesce(checked_before, '-infinity'::date), p_rules->'attribution',
          CASE WHEN p_rules ? 'attribution' THEN ARRAY[p_deal_kind, 'vendor_sourced'] ELSE ARRAY[p_deal_kind] END,
          coalesce(ARRAY(SELECT jsonb_array_elements_text(p_rules->'attribution'->'sourced_by')), '{}'),
          coalesce(ARRAY(SELECT jsonb_array_elements_text(p_rules->'attribution'->'influenced_by')), '{}');
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END;
$fn$;

-- freeze_sums sums a cycle's staged won inputs per partner and reason for
-- exclusion into a table beside them (CREATE TABLE AS: the scan and the
-- sums may run on parallel workers).
CREATE OR REPLACE FUNCTION freeze_sums(p_cycle uuid) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    t text := cycle_inputs_table(p_cycle);
BEGIN
    PERFORM drop_staged(t || '_sums');
    EXECUTE format($q$
        CREATE TABLE %I AS
        SELECT i.partner_id, i.excluded, sum(i.amount)::bigint AS amount, count(*)::int AS deals,
               coalesce(sum(i.earned), 0)::bigint AS earned, count(i.note)::int AS noted, sum(i.units)::bigint AS units
        FROM %I i WHERE i.kind = 'won' GROUP BY i.partner_id, i.excluded$q$, t || '_sums', t);
END;
$fn$;

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
