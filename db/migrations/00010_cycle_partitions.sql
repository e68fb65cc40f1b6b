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
-- cycle_inputs_table names the table (staged, then a partition) holding a
-- cycle's inputs.
CREATE FUNCTION cycle_inputs_table(p_cycle uuid) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT 'cycle_inputs_' || replace(p_cycle::text, '-', '')
$$;
-- +goose StatementEnd

-- +goose StatementBegin
-- drop_staged drops a freeze's working table if it is there (quietly: no
-- notice when it is not).
CREATE FUNCTION drop_staged(p_table text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    IF to_regclass(quote_ident(p_table)) IS NOT NULL THEN
        EXECUTE format('DROP TABLE %I', p_table);
    END IF;
END;
$fn$;
-- +goose StatementEnd

-- +goose StatementBegin
-- cycle_inputs_stage creates the table a cycle's inputs are written to
-- before it is attached (cycle_inputs_attach), dropping what a failed
-- attempt left (the table and its per-partner sums). Its CHECK lets the
-- attach skip scanning the table. It refuses to touch a cycle's inputs
-- once they are attached.
CREATE FUNCTION cycle_inputs_stage(p_cycle uuid) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
    t text := cycle_inputs_table(p_cycle);
BEGIN
    IF EXISTS (SELECT 1 FROM pg_class c WHERE c.relname = t AND c.relispartition) THEN
        RAISE EXCEPTION 'the inputs of cycle % are frozen', p_cycle USING ERRCODE = 'restrict_violation';
    END IF;
    PERFORM drop_staged(t);
    PERFORM drop_staged(t || '_sums');
    -- Written once: autovacuum's vacuum and analyze after the inserts would
    -- re-read a million rows as the cycle goes on, for nothing its queries
    -- use (they find inputs by deal, through the index). Anti-wraparound
    -- vacuums, which run regardless, freeze it in time.
    EXECUTE format('CREATE TABLE %I (LIKE cycle_inputs INCLUDING DEFAULTS INCLUDING CONSTRAINTS, CHECK (cycle_id = %L))
                    WITH (autovacuum_enabled = false)', t, p_cycle);
    RETURN t;
END;
$fn$;
-- +goose StatementEnd

-- +goose StatementBegin
-- cycle_inputs_index indexes a staged cycle's inputs by deal, in one sorted
-- build (a deal is one input of a cycle).
CREATE FUNCTION cycle_inputs_index(p_cycle uuid) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    t text := cycle_inputs_table(p_cycle);
BEGIN
    EXECUTE format('CREATE UNIQUE INDEX IF NOT EXISTS %I ON %I (deal_id)', t || '_deal', t);
END;
$fn$;
-- +goose StatementEnd

-- +goose StatementBegin
-- cycle_inputs_attach attaches a staged cycle's inputs, indexed, to
-- cycle_inputs; TRUNCATE of the partition is refused as it is for the
-- ledger.
CREATE FUNCTION cycle_inputs_attach(p_cycle uuid) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    t text := cycle_inputs_table(p_cycle);
BEGIN
    PERFORM cycle_inputs_index(p_cycle);
    EXECUTE format('CREATE TRIGGER no_truncate BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION reject_truncate()', t);
    EXECUTE format('ALTER TABLE cycle_inputs ATTACH PARTITION %I FOR VALUES IN (%L)', t, p_cycle);
END;
$fn$;
-- +goose StatementEnd

-- +goose StatementBegin
DO $$
DECLARE
    c uuid;
    t text;
BEGIN
    FOR c IN SELECT DISTINCT cycle_id FROM cycle_inputs_v9 LOOP
        t := cycle_inputs_stage(c);
        EXECUTE format($q$
            INSERT INTO %I (cycle_id, deal_id, partner_id, kind, amount, previous_amount, won_cycle_id, currency, units, closed_on, excluded)
            SELECT i.cycle_id, i.deal_id, i.partner_id, i.kind, i.amount, i.previous_amount,
                   CASE WHEN i.kind = 'change' THEN (SELECT w.cycle_id FROM cycle_inputs_v9 w
                        WHERE w.program_id = i.program_id AND w.deal_id = i.deal_id AND w.kind = 'won') END,
                   i.currency, i.units, i.closed_on, i.excluded
            FROM cycle_inputs_v9 i WHERE i.cycle_id = %L$q$, t, c);
        PERFORM cycle_inputs_attach(c);
    END LOOP;
END;
$$;
-- +goose StatementEnd
DROP TABLE cycle_inputs_v9;

-- +goose StatementBegin
-- mul_rate_half_even is rate_bp basis points of amount, rounded half to
-- even (div_half_even's rule) in integer arithmetic while the product fits
-- in 64 bits, in numeric beyond. Not STRICT, so that it inlines.
CREATE FUNCTION mul_rate_half_even(amount bigint, rate_bp bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN abs(amount) < 922337203685477 AND abs(rate_bp) <= 10000 THEN
                (amount * rate_bp) / 10000
                + CASE WHEN abs((amount * rate_bp) % 10000) * 2 > 10000
                         OR abs((amount * rate_bp) % 10000) * 2 = 10000 AND ((amount * rate_bp) / 10000) % 2 <> 0
                       THEN sign(amount) * sign(rate_bp) ELSE 0 END
           ELSE div_half_even(amount::numeric * rate_bp, 10000) END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
-- capped_commission is a referral's commission on an amount: rate_bp basis
-- points of it, rounded half to even, at most cap when cap > 0. Not STRICT,
-- so that it inlines.
CREATE FUNCTION capped_commission(amount bigint, rate_bp bigint, cap bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN cap > 0 THEN least(mul_rate_half_even(amount, rate_bp), cap) ELSE mul_rate_half_even(amount, rate_bp) END
$$;
-- +goose StatementEnd

-- A freeze, driven by FreezeCycle (activities/incentives.go), holding the
-- program's freeze lock (one freeze of a program at a time) and, so that
-- nothing is frozen twice, checking every earlier cycle of the program:
--   cycle_inputs_stage → freeze_won_part, once per range of the deals
--   table's blocks, on as many connections in parallel, all reading one
--   exported snapshot → cycle_inputs_index and freeze_sums, side by side →
--   freeze_finish, in one transaction with the cycle's frozen_at.
-- Until freeze_finish commits, nothing is part of the lineage: a failed
-- attempt's staged rows are dropped by the next.

-- +goose StatementBegin
-- freeze_won_part stages the closed-won deals stored in blocks
-- [p_first_block, p_end_block) of deals that the cycle pays on: closed in
-- [p_from, p_before), of the program's deal kind and product lines, and
-- frozen by no earlier cycle of the program (deals in another currency are
-- frozen too, marked excluded, so that they are reported once). Each
-- counted deal of a per-deal program records what it earns: a referral's
-- commission, rounded half to even and capped; a SPIFF's claim (per deal
-- or per unit), which freeze_finish cuts where the budget runs out. It
-- returns how many deals it staged.
CREATE FUNCTION freeze_won_part(p_cycle uuid, p_program uuid, p_kind text, p_rules jsonb, p_currency text,
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
              FROM deals d
              WHERE d.ctid >= $15 AND d.ctid < $16
                AND d.status = 'closed_won' AND d.won_amount > 0
                AND d.closed_on >= $4 AND d.closed_on < $5 AND d.kind = $6
                AND (cardinality($7) = 0 OR d.won_product_lines && $7)
                AND (d.closed_on >= $17
                     OR NOT EXISTS (SELECT 1 FROM cycle_inputs i WHERE i.cycle_id = ANY($8) AND i.deal_id = d.id AND i.kind = 'won'))) w$q$,
        t, figures,
        CASE WHEN p_kind = 'referral' THEN ', mul_rate_half_even(d.won_amount, $10) AS raw' ELSE '' END)
    USING p_cycle, p_program, p_currency, p_from, p_before, p_deal_kind, p_lines, earlier,
          coalesce(p_rules->>'per', 'deal'), coalesce((p_rules->>'rate_bp')::bigint, 0),
          coalesce((p_rules->>'cap_per_deal')::bigint, 0), NULL::bigint, NULL::bigint,
          coalesce((p_rules->>'amount')::bigint, 0),
          format('(%s,0)', p_first_block)::tid, format('(%s,0)', least(p_end_block, 4294967295))::tid,
          coalesce(checked_before, '-infinity'::date);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END;
$fn$;
-- +goose StatementEnd

-- +goose StatementBegin
-- freeze_sums sums a cycle's staged won inputs per partner and reason for
-- exclusion into a table beside them (CREATE TABLE AS: the scan and the
-- sums may run on parallel workers).
CREATE FUNCTION freeze_sums(p_cycle uuid) RETURNS void LANGUAGE plpgsql AS $fn$
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
CREATE FUNCTION freeze_finish(p_cycle uuid, p_program uuid, p_kind text, p_rules jsonb)
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

-- The accruals draft a cycle's statement lines from what its freeze
-- recorded: one line per partner (from cycle_partner_totals) and one per
-- frozen change of a deal an earlier cycle paid, referring to the line that
-- paid it (per partner, or per deal for cycles drafted before this
-- migration). Each returns how many lines it wrote. (The accrue_*
-- functions of migrations 7 and 9 read the old lineage table; nothing calls
-- them, and they stay for Down.)

-- +goose StatementBegin
-- draft_rebate_lines: a rebate line per partner on the revenue the cycle
-- froze, at the tier reached (retroactive: the whole revenue at that tier's
-- rate; marginal: each slice at its own tier's rate, the sum rounded once),
-- and per change the original rebate's share of the revenue that went away
-- (clawback) or came back (correction).
CREATE FUNCTION draft_rebate_lines(p_cycle_id uuid, p_tiers jsonb, p_mode text, p_currency text) RETURNS bigint LANGUAGE plpgsql AS $fn$
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
CREATE FUNCTION draft_referral_lines(p_cycle_id uuid, p_rate_bp bigint, p_cap bigint, p_currency text) RETURNS bigint LANGUAGE plpgsql AS $fn$
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
CREATE FUNCTION draft_spiff_lines(p_cycle_id uuid, p_per text, p_currency text) RETURNS bigint LANGUAGE plpgsql AS $fn$
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

-- +goose Down
-- Lines drafted per partner stay as they are; the lineage goes back to one
-- table (with the cycle's program and freeze time on every row).
DROP FUNCTION draft_spiff_lines(uuid, text, text);
DROP FUNCTION draft_referral_lines(uuid, bigint, bigint, text);
DROP FUNCTION draft_rebate_lines(uuid, jsonb, text, text);
DROP FUNCTION freeze_finish(uuid, uuid, text, jsonb);
DROP FUNCTION freeze_won_part(uuid, uuid, text, jsonb, text, date, date, text, text[], bigint, bigint);
DROP FUNCTION freeze_sums(uuid);
DROP FUNCTION capped_commission(bigint, bigint, bigint);
DROP FUNCTION mul_rate_half_even(bigint, bigint);
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
DROP FUNCTION cycle_inputs_attach(uuid);
DROP FUNCTION cycle_inputs_index(uuid);
DROP FUNCTION cycle_inputs_stage(uuid);
DROP FUNCTION drop_staged(text);
DROP FUNCTION cycle_inputs_table(uuid);
ALTER TABLE cycle_partner_totals DROP COLUMN earned, DROP COLUMN noted, DROP COLUMN units;
ALTER TABLE incentive_cycles DROP COLUMN change_inputs;
