-- The dashboard's top partners over any period and program, as a few
-- running sums per partner. Ranking partners over a period other than the
-- kept window (migration 00045) or within one program summed a row per
-- partner-month (partner_rollups, or deal_rollups' partner_program): about
-- 11,000 rows at a million deals over a year, more over longer periods.
--
-- partner_running holds, per program ('' for every program together, else
-- the program's id), partner and currency, two running sums of
-- partner_rollups' registered, approved and won_amount:
--
--   span 'year':   at a month, the months from January of its year up to
--                  and including it (year to date);
--   span 'decade': at a year (its January 1st), the whole years from the
--                  first of its decade (a year ending in 0) up to and
--                  including it (decade to date).
--
-- So a partner's sum from the start of m's decade up to month m is
-- 'decade' at the year before m's (unless m's year starts the decade) plus
-- 'year' at m, and any period is the difference of two of those plus, when
-- it crosses into another decade, the sums of the decades it leaves:
-- at most five rows per partner and currency (partner_running_parts,
-- db/functions/56_partner_running.sql) for any period of up to 120 months,
-- the dashboard's longest.
-- A row is kept while its sums are not all zero; a missing row is zero.
-- A deal event moves it in its transaction (partner_running_move, from
-- deal_rollup_move: at most twelve 'year' rows and ten 'decade' rows per
-- program and currency); deal_rollups_rebuild recomputes it.

-- +goose Up
CREATE TABLE partner_running (
    program    text NOT NULL,
    span       text NOT NULL CHECK (span IN ('year', 'decade')),
    at         date NOT NULL,
    partner_id uuid NOT NULL,
    currency   text NOT NULL,
    registered bigint NOT NULL,
    -- approved: deals now approved, closed-won, closed-lost or expired.
    approved   bigint NOT NULL,
    won_amount bigint NOT NULL,
    PRIMARY KEY (program, span, at, partner_id, currency)
) WITH (fillfactor = 70);
-- A period reads each of its rows' partners in turn (span and at), so the
-- rows are written in key order (here and by the rebuild); the room left in
-- each page keeps a row's updates in its page (HOT), and so in that order.

-- An upgraded database already holds the rollups: every program from
-- partner_rollups, each program from deal_rollups' partner_program (a deal
-- without a program has no row of its own), each month's sums carried to
-- the months after it in its year and to the years after it in its decade.
INSERT INTO partner_running
WITH m AS (
    SELECT '' AS program, r.partner_id, r.month, r.currency, r.registered, r.approved, r.won_amount
    FROM partner_rollups r
    UNION ALL
    SELECT split_part(r.key, '/', 2), split_part(r.key, '/', 1)::uuid, r.month, r.currency, sum(r.deals),
           coalesce(sum(r.deals) FILTER (WHERE r.status IN ('approved', 'closed_won', 'closed_lost', 'expired')), 0),
           coalesce(sum(r.won_amount) FILTER (WHERE r.status = 'closed_won'), 0)
    FROM deal_rollups r
    WHERE r.dim = 'partner_program' AND split_part(r.key, '/', 2) <> ''
    GROUP BY 1, 2, 3, 4
), k AS (
    SELECT m.*, 'year' AS span, g::date AS at
    FROM m CROSS JOIN LATERAL generate_series(m.month, make_date(extract(year FROM m.month)::int, 12, 1), interval '1 month') AS g
    UNION ALL
    SELECT m.*, 'decade', make_date(y, 1, 1)
    FROM m CROSS JOIN LATERAL generate_series(extract(year FROM m.month)::int, extract(year FROM m.month)::int / 10 * 10 + 9) AS y
)
SELECT k.program, k.span, k.at, k.partner_id, k.currency, sum(k.registered), sum(k.approved), sum(k.won_amount)
FROM k
GROUP BY 1, 2, 3, 4, 5
HAVING (sum(k.registered), sum(k.approved), sum(k.won_amount)) <> (0, 0, 0)
ORDER BY 1, 2, 3, 4, 5;

-- +goose Down
DROP FUNCTION IF EXISTS partner_running_move(deal_rollup_facts, deal_rollup_facts);
DROP FUNCTION IF EXISTS partner_running_delta(deal_rollup_facts, deal_rollup_facts);
DROP FUNCTION IF EXISTS partner_running_parts(date, date);
DROP FUNCTION IF EXISTS partner_running_keys(date);
DROP FUNCTION IF EXISTS partner_running_programs(deal_rollup_facts);
DROP TABLE partner_running;
