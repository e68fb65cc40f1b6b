-- name: PipelineFullByMonth :many
-- PipelineFullByMonth (the dashboard before rollups, kept for the
-- benchmark and as the oracle of the rollups' tests) counts registrations, approvals (every deal that reached
-- approval, whatever came after) and closed-won value in one currency, by
-- month of registration, for the channel managers' dashboard.
SELECT date_trunc('month', d.created_at)::date AS month,
       count(*)::int AS registered,
       count(*) FILTER (WHERE d.status IN ('approved', 'closed_won', 'closed_lost', 'expired'))::int AS approved,
       coalesce(sum(d.won_amount) FILTER (WHERE d.status = 'closed_won' AND d.won_currency = @currency::text), 0)::bigint AS won
FROM deals d
WHERE d.created_at >= @since
GROUP BY 1 ORDER BY 1;

-- name: PipelineFullByPartner :many
-- PipelineFullByPartner is PipelineByPartner aggregated from the deals.
SELECT p.name, p.tier,
       count(*)::int AS registered,
       count(*) FILTER (WHERE d.status IN ('approved', 'closed_won', 'closed_lost', 'expired'))::int AS approved,
       coalesce(sum(d.won_amount) FILTER (WHERE d.status = 'closed_won' AND d.won_currency = @currency::text), 0)::bigint AS won
FROM deals d JOIN partners p ON p.id = d.partner_id
WHERE d.created_at >= @since
GROUP BY p.id, p.name, p.tier
ORDER BY won DESC, registered DESC, p.name, p.id
LIMIT 10;

-- name: PipelineFullByTier :many
-- PipelineFullByTier is PipelineByTier aggregated from the deals.
SELECT lower(p.tier) AS tier,
       count(*)::int AS registered,
       count(*) FILTER (WHERE d.status IN ('approved', 'closed_won', 'closed_lost', 'expired'))::int AS approved,
       coalesce(sum(d.won_amount) FILTER (WHERE d.status = 'closed_won' AND d.won_currency = @currency::text), 0)::bigint AS won
FROM deals d JOIN partners p ON p.id = d.partner_id
WHERE d.created_at >= @since
GROUP BY 1
ORDER BY won DESC, registered DESC, tier;

-- name: PipelineByMonth :many
-- PipelineByMonth is the dashboard from the rollups (deal_rollups, migration 00028): whole
-- months from @since_month to @until_month (firsts of months, UTC, both included), by month of
-- registration, of every program or of program_id alone (the rollups by program). registered
-- counts every deal; approved every deal that reached approval, whatever
-- came after; won the closed-won value in @currency; won_deals, lost_deals
-- and expired_deals the deals now in those states (win rate: won / (won +
-- lost)); approval_secs over approved_deals is the mean time from submission
-- to first approval, win_secs over won_cycles from approval to win;
-- sla_breaches the deals escalated; conflicts the deals that went to
-- conflict review.
SELECT r.month,
       sum(r.deals)::int AS registered,
       coalesce(sum(r.deals) FILTER (WHERE r.status IN ('approved', 'closed_won', 'closed_lost', 'expired')), 0)::int AS approved,
       coalesce(sum(r.won_amount) FILTER (WHERE r.status = 'closed_won' AND r.currency = @currency::text), 0)::bigint AS won,
       coalesce(sum(r.deals) FILTER (WHERE r.status = 'closed_won'), 0)::int AS won_deals,
       coalesce(sum(r.deals) FILTER (WHERE r.status = 'closed_lost'), 0)::int AS lost_deals,
       coalesce(sum(r.deals) FILTER (WHERE r.status = 'expired'), 0)::int AS expired_deals,
       sum(r.approved)::bigint AS approved_deals, sum(r.approval_secs)::bigint AS approval_secs,
       sum(r.won_cycles)::bigint AS won_cycles, sum(r.win_secs)::bigint AS win_secs,
       sum(r.sla_breaches)::bigint AS sla_breaches, sum(r.conflicts)::bigint AS conflicts
FROM deal_rollups r
WHERE r.dim = CASE WHEN sqlc.narg(program_id)::uuid IS NULL THEN 'all' ELSE 'program' END
  AND r.key = coalesce(sqlc.narg(program_id)::uuid::text, '')
  AND r.month >= @since_month::date AND r.month <= @until_month::date
GROUP BY r.month ORDER BY r.month;

-- name: PipelineByPartner :many
-- PipelineByPartner is the ten partners with the most won value (then the
-- most registrations, then by name and id, a total order) from @since_month to @until_month
-- (firsts of months, UTC, both included). Of every program over the window
-- that partner_window keeps (the dashboard's default period, migration
-- 00045) it reads the top of partner_window_won's index: the partners with
-- won value, and only when fewer than ten have some, those without (by
-- registrations) and then those below zero. Over any other window, or of
-- program_id alone, it adds up each partner's running sums (partner_running,
-- migration 00047): at most five rows per partner and currency for any
-- period the dashboard allows (partner_running_parts), a partner counting when it registered
-- a deal in the period. Whichever branches the window rules out are skipped by
-- one-time filters; only the partners tied with the tenth are joined to
-- partners.
WITH kept AS (
    SELECT EXISTS (
        SELECT 1 FROM partner_window w
        WHERE sqlc.narg(program_id)::uuid IS NULL
          AND w.since = @since_month::date AND w.until = @until_month::date
    ) AS yes
), totals AS (
    SELECT r.partner_id, sum(k.sign * r.registered) AS registered, sum(k.sign * r.approved) AS approved,
           coalesce(sum(k.sign * r.won_amount) FILTER (WHERE r.currency = @currency::text), 0) AS won
    FROM partner_running_parts(@since_month::date, @until_month::date) AS k
    -- Each part's rows by the primary key (OFFSET 0 keeps it a lookup per
    -- part rather than a scan of every row joined to the parts).
    CROSS JOIN LATERAL (
        SELECT r.partner_id, r.currency, r.registered, r.approved, r.won_amount
        FROM partner_running r
        WHERE r.program = coalesce(sqlc.narg(program_id)::uuid::text, '') AND r.span = k.span AND r.at = k.at
        OFFSET 0
    ) AS r
    WHERE NOT (SELECT yes FROM kept)
    GROUP BY r.partner_id
    HAVING sum(k.sign * r.registered) > 0
), won_top AS (
    SELECT x.partner_id, x.won_amount AS won
    FROM partner_window_won x
    WHERE (SELECT yes FROM kept) AND x.currency = @currency::text AND x.won_amount > 0
    ORDER BY x.won_amount DESC FETCH FIRST 10 ROWS WITH TIES
), zero_top AS (
    SELECT t.partner_id, 0::bigint AS won
    FROM partner_window_totals t
    WHERE (SELECT yes FROM kept) AND (SELECT count(*) FROM won_top) < 10
      AND NOT EXISTS (SELECT 1 FROM partner_window_won x WHERE x.currency = @currency::text AND x.partner_id = t.partner_id)
    ORDER BY t.registered DESC FETCH FIRST 10 ROWS WITH TIES
), below_top AS (
    SELECT x.partner_id, x.won_amount AS won
    FROM partner_window_won x
    WHERE (SELECT yes FROM kept) AND (SELECT count(*) FROM won_top) + (SELECT count(*) FROM zero_top) < 10
      AND x.currency = @currency::text AND x.won_amount < 0
    ORDER BY x.won_amount DESC FETCH FIRST 10 ROWS WITH TIES
), leaders AS (
    (SELECT * FROM totals ORDER BY won DESC, registered DESC FETCH FIRST 10 ROWS WITH TIES)
    UNION ALL
    SELECT k.partner_id, t.registered, t.approved, k.won
    FROM (SELECT * FROM won_top UNION ALL SELECT * FROM zero_top UNION ALL SELECT * FROM below_top) k
    JOIN partner_window_totals t ON t.partner_id = k.partner_id
)
SELECT p.id, p.name, p.tier, l.registered::int AS registered, l.approved::int AS approved, l.won::bigint AS won
FROM leaders l JOIN partners p ON p.id = l.partner_id
ORDER BY l.won DESC, l.registered DESC, p.name, p.id
LIMIT 10;

-- name: PartnerWindowRoll :one
-- PartnerWindowRoll moves the top partners' kept window (migration 00045)
-- to the months from @since_month to @until_month (firsts of months, UTC,
-- both included), the dashboard's default period now; it says whether it
-- moved (once a month; nothing when the window is already there).
SELECT partner_window_roll(@since_month::date, @until_month::date)::boolean AS rolled;

-- name: PipelineByTier :many
-- PipelineByTier is the pipeline by partner tier (the partners' tiers now,
-- lower-cased) from @since_month to @until_month (firsts of months, UTC,
-- both included): of every program from tier_rollups (migration 00029), of
-- program_id alone from each partner's running sums in the program
-- (partner_running, migration 00047: at most five rows per partner and
-- currency), the partners that registered a deal in it joined to their tiers.
WITH totals AS (
    SELECT r.tier, sum(r.registered) AS registered, sum(r.approved) AS approved,
           coalesce(sum(r.won_amount) FILTER (WHERE r.currency = @currency::text), 0) AS won
    FROM tier_rollups r
    WHERE sqlc.narg(program_id)::uuid IS NULL
      AND r.month >= @since_month::date AND r.month <= @until_month::date
    GROUP BY r.tier
    UNION ALL
    SELECT lower(p.tier), sum(t.registered), sum(t.approved), sum(t.won)
    FROM (
        SELECT r.partner_id, sum(k.sign * r.registered) AS registered, sum(k.sign * r.approved) AS approved,
               coalesce(sum(k.sign * r.won_amount) FILTER (WHERE r.currency = @currency::text), 0) AS won
        FROM partner_running_parts(@since_month::date, @until_month::date) AS k
        CROSS JOIN LATERAL (
            SELECT r.partner_id, r.currency, r.registered, r.approved, r.won_amount
            FROM partner_running r
            WHERE r.program = sqlc.narg(program_id)::uuid::text AND r.span = k.span AND r.at = k.at
            OFFSET 0
        ) AS r
        WHERE sqlc.narg(program_id)::uuid IS NOT NULL
        GROUP BY r.partner_id
        HAVING sum(k.sign * r.registered) > 0
    ) t JOIN partners p ON p.id = t.partner_id
    GROUP BY 1
)
SELECT t.tier, t.registered::int AS registered, t.approved::int AS approved, t.won::bigint AS won
FROM totals t
ORDER BY won DESC, registered DESC, tier;

-- name: PipelineCurrencies :many
-- PipelineCurrencies lists the currencies the rollups hold (registration
-- and won currencies alike), for the dashboard's currency picker.
SELECT DISTINCT r.currency FROM deal_rollups r WHERE r.dim = 'all' ORDER BY 1;

-- name: PipelineByDimension :many
-- PipelineByDimension is the pipeline by program, country or product line
-- (@dim) since @since_month (the first of a month, UTC), from the rollups, most won value first.
SELECT r.key,
       sum(r.deals)::int AS registered,
       coalesce(sum(r.deals) FILTER (WHERE r.status IN ('approved', 'closed_won', 'closed_lost', 'expired')), 0)::int AS approved,
       coalesce(sum(r.won_amount) FILTER (WHERE r.status = 'closed_won' AND r.currency = @currency::text), 0)::bigint AS won,
       coalesce(sum(r.deals) FILTER (WHERE r.status = 'closed_won'), 0)::int AS won_deals,
       coalesce(sum(r.deals) FILTER (WHERE r.status = 'closed_lost'), 0)::int AS lost_deals
FROM deal_rollups r
WHERE r.dim = @dim::text AND r.month >= @since_month::date
GROUP BY r.key
ORDER BY won DESC, registered DESC, r.key;
