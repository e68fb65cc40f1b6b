-- name: PartnerScorecards :many
-- PartnerScorecards is, per partner, how its registrations of the period
-- fared: the deals it registered from @from_day (included) to @to_day
-- (excluded), of every program or of program_id alone; how many reached
-- approval (their first approval), were rejected without one, are now
-- closed won or lost; the time from submission to the first decision (an
-- approval, a rejection or an information request) and from approval to
-- the win (median and 90th percentile, in seconds; 0 with nothing to
-- measure: decided and won_after_approval count what was measured); and the won value per currency. Every partner when partner_id
-- is NULL, else that one; a partner (scope_partner_id) reads only its own.
WITH p AS (
    SELECT pa.id, pa.name, pa.tier FROM partners pa
    WHERE (sqlc.narg(scope_partner_id)::uuid IS NULL OR pa.id = sqlc.narg(scope_partner_id)::uuid)
      AND (sqlc.narg(partner_id)::uuid IS NULL OR pa.id = sqlc.narg(partner_id)::uuid)
), d AS (
    SELECT d.partner_id, d.status, d.created_at, d.won_currency, d.won_amount, ev.first_decision_at, ev.approved_at, ev.rejected, ev.won_at
    FROM deals d JOIN p ON p.id = d.partner_id
    CROSS JOIN LATERAL (
        SELECT min(e.occurred_at) FILTER (WHERE e.to_status IN ('approved', 'rejected', 'info_requested')) AS first_decision_at,
               min(e.occurred_at) FILTER (WHERE e.to_status = 'approved') AS approved_at,
               coalesce(bool_or(e.to_status = 'rejected'), false) AS rejected,
               max(e.occurred_at) FILTER (WHERE e.to_status = 'closed_won' AND e.from_status IS DISTINCT FROM 'closed_won') AS won_at
        FROM deal_events e WHERE e.deal_id = d.id
    ) ev
    WHERE d.created_at >= @from_day::date AND d.created_at < @to_day::date
      AND (sqlc.narg(program_id)::uuid IS NULL OR d.program_id = sqlc.narg(program_id)::uuid)
)
SELECT p.id AS partner_id, p.name, p.tier,
       count(d.partner_id)::int AS registered,
       count(d.approved_at)::int AS approved,
       count(*) FILTER (WHERE d.rejected AND d.approved_at IS NULL)::int AS rejected,
       count(*) FILTER (WHERE d.status = 'closed_won')::int AS won,
       count(*) FILTER (WHERE d.status = 'closed_lost')::int AS lost,
       count(d.first_decision_at)::int AS decided,
       coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM d.first_decision_at - d.created_at)), 0)::float8 AS decision_median_secs,
       coalesce(percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM d.first_decision_at - d.created_at)), 0)::float8 AS decision_p90_secs,
       count(*) FILTER (WHERE d.status = 'closed_won' AND d.approved_at IS NOT NULL AND d.won_at IS NOT NULL)::int AS won_after_approval,
       coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM d.won_at - d.approved_at))
            FILTER (WHERE d.status = 'closed_won'), 0)::float8 AS win_median_secs,
       coalesce(percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM d.won_at - d.approved_at))
            FILTER (WHERE d.status = 'closed_won'), 0)::float8 AS win_p90_secs,
       coalesce((SELECT jsonb_object_agg(w.currency, w.amount) FROM
           (SELECT d2.won_currency AS currency, sum(d2.won_amount) AS amount
            FROM deals d2
            WHERE d2.partner_id = p.id AND d2.status = 'closed_won'
              AND d2.created_at >= @from_day::date AND d2.created_at < @to_day::date
              AND (sqlc.narg(program_id)::uuid IS NULL OR d2.program_id = sqlc.narg(program_id)::uuid)
            GROUP BY d2.won_currency) w), '{}'::jsonb)::jsonb AS won_value
FROM p LEFT JOIN d ON d.partner_id = p.id
GROUP BY p.id, p.name, p.tier
ORDER BY p.name, p.id;

-- name: PartnerPayouts :many
-- PartnerPayouts is, per partner and currency, what incentive cycles paid
-- it (payable payouts posted from @from_day, included, to @to_day,
-- excluded): every partner when partner_id is NULL, else that one; a
-- partner (scope_partner_id) reads only its own.
SELECT po.partner_id, po.currency, sum(po.amount)::bigint AS paid, count(*)::int AS payouts
FROM payouts po
WHERE po.status = 'payable' AND po.posted_at >= @from_day::date AND po.posted_at < @to_day::date
  AND (sqlc.narg(scope_partner_id)::uuid IS NULL OR po.partner_id = sqlc.narg(scope_partner_id)::uuid)
  AND (sqlc.narg(partner_id)::uuid IS NULL OR po.partner_id = sqlc.narg(partner_id)::uuid)
GROUP BY po.partner_id, po.currency
ORDER BY po.partner_id, po.currency;
