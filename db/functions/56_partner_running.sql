-- The top partners' running sums (migration 00047): which rows a month's
-- delta moves, which rows a period reads, and a deal's move.
-- deal_rollups_rebuild (50_rollups.sql) recomputes them.
-- Applied by `dealflow migrate` after the versioned migrations whenever this
-- file changes (db/functions.go): CREATE OR REPLACE only, each function once.

-- partner_running_programs is the programs a deal counts under in
-- partner_running: every program together ('') and its own, when it has one.
CREATE OR REPLACE FUNCTION partner_running_programs(f deal_rollup_facts)
RETURNS TABLE (program text) LANGUAGE sql IMMUTABLE AS $fn$
    SELECT ''
    UNION ALL
    SELECT f.program_id::text WHERE f.program_id IS NOT NULL
$fn$;

-- partner_running_keys is the rows a delta of month p_month (the first of
-- a month) adds to: the 'year' rows of that month and the months after it
-- in its year, and the 'decade' rows of its year and the years after it in
-- its decade.
CREATE OR REPLACE FUNCTION partner_running_keys(p_month date)
RETURNS TABLE (span text, at date) LANGUAGE sql IMMUTABLE AS $fn$
    SELECT 'year', g::date
    FROM generate_series(p_month, make_date(extract(year FROM p_month)::int, 12, 1), interval '1 month') AS g
    UNION ALL
    SELECT 'decade', make_date(y, 1, 1)
    FROM generate_series(extract(year FROM p_month)::int, extract(year FROM p_month)::int / 10 * 10 + 9) AS y
$fn$;

-- partner_running_parts is the rows whose sums, each times sign, add up to
-- the months from p_since to p_until (firsts of months, both included;
-- nothing when p_since is after p_until). With before(m) the sum over the
-- months of m's decade up to and including m, that is 'decade' at m's year
-- when m is a December, else 'decade' at the year before m's (unless m's
-- year starts the decade) plus 'year' at m:
--   before(p_until) − before(p_since − 1 month)
--   + 'decade' at the last year of each decade from p_since − 1 month's up
--     to the one before p_until's,
-- a row listed twice once with its signs added up, and not at all when they
-- cancel (within one year the 'decade' rows do). At most five rows for a
-- period of up to 120 months (the dashboard's most): two for each end and
-- the end of the one decade it may cross. PL/pgSQL, which the planner does
-- not inline, so that it plans for the few rows it returns (ROWS 5).
CREATE OR REPLACE FUNCTION partner_running_parts(p_since date, p_until date)
RETURNS TABLE (span text, at date, sign integer) LANGUAGE plpgsql IMMUTABLE ROWS 5 AS $fn$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH b AS (
        SELECT e.m, e.sign, extract(year FROM e.m)::int AS y, extract(month FROM e.m) = 12 AS december
        FROM (VALUES (p_until, 1), ((p_since - interval '1 month')::date, -1)) AS e (m, sign)
        WHERE p_since <= p_until
    ), p AS (
        SELECT 'year' AS span, b.m AS at, b.sign FROM b WHERE NOT b.december
        UNION ALL
        SELECT 'decade', make_date(b.y - 1, 1, 1), b.sign FROM b WHERE NOT b.december AND b.y % 10 <> 0
        UNION ALL
        SELECT 'decade', make_date(b.y, 1, 1), b.sign FROM b WHERE b.december
        UNION ALL
        SELECT 'decade', make_date(d + 9, 1, 1), 1
        FROM generate_series((SELECT b.y FROM b WHERE b.sign = -1) / 10 * 10,
                             (SELECT b.y FROM b WHERE b.sign = 1) / 10 * 10 - 10, 10) AS d
    )
    SELECT p.span, p.at, sum(p.sign)::int FROM p GROUP BY 1, 2 HAVING sum(p.sign) <> 0;
END;
$fn$;

-- partner_running_delta is what moving a deal's contribution from o to n
-- does to partner_running: rollup_pivot_rows' months of each (n added, o
-- subtracted) under the deal's programs, carried to the rows each month
-- adds to; a row left unchanged is not listed.
CREATE OR REPLACE FUNCTION partner_running_delta(o deal_rollup_facts, n deal_rollup_facts)
RETURNS TABLE (program text, span text, at date, partner_id uuid, currency text, registered bigint,
               approved bigint, won_amount bigint)
LANGUAGE sql IMMUTABLE AS $fn$
    WITH m AS (
        SELECT p.program, (s.f).partner_id AS partner_id, x.month, x.currency,
               sum(s.sign * x.registered) AS registered, sum(s.sign * x.approved) AS approved,
               sum(s.sign * x.won_amount) AS won_amount
        FROM (SELECT 1 AS sign, n AS f UNION ALL SELECT -1, o) AS s
        CROSS JOIN LATERAL rollup_pivot_rows(s.f) AS x
        CROSS JOIN LATERAL partner_running_programs(s.f) AS p
        GROUP BY 1, 2, 3, 4
    )
    SELECT m.program, k.span, k.at, m.partner_id, m.currency, sum(m.registered)::bigint,
           sum(m.approved)::bigint, sum(m.won_amount)::bigint
    FROM m CROSS JOIN LATERAL partner_running_keys(m.month) AS k
    GROUP BY 1, 2, 3, 4, 5
    HAVING (sum(m.registered), sum(m.approved), sum(m.won_amount)) <> (0, 0, 0)
$fn$;

-- partner_running_move moves partner_running from a deal's old
-- contribution o to its new one n, in the transaction that records the
-- event (deal_rollup_move): row by row through the primary key (at most
-- 22 per program and currency), in key order so that two deals of one
-- partner lock its rows in the same order, removing a row it leaves at
-- zero, as a rebuild would not write it.
CREATE OR REPLACE FUNCTION partner_running_move(o deal_rollup_facts, n deal_rollup_facts)
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    d record;
    emptied boolean;
BEGIN
    FOR d IN
        SELECT * FROM partner_running_delta(o, n) AS x
        ORDER BY x.program, x.span, x.at, x.partner_id, x.currency
    LOOP
        INSERT INTO partner_running AS t
        VALUES (d.program, d.span, d.at, d.partner_id, d.currency, d.registered, d.approved, d.won_amount)
        ON CONFLICT (program, span, at, partner_id, currency) DO UPDATE SET
            registered = t.registered + excluded.registered, approved = t.approved + excluded.approved,
            won_amount = t.won_amount + excluded.won_amount
        RETURNING (t.registered, t.approved, t.won_amount) = (0, 0, 0) INTO emptied;
        IF emptied THEN
            DELETE FROM partner_running t
            WHERE t.program = d.program AND t.span = d.span AND t.at = d.at AND t.partner_id = d.partner_id
              AND t.currency = d.currency;
        END IF;
    END LOOP;
END;
$fn$;
