-- name: PipelineByMonth :many
-- PipelineByMonth counts registrations, approvals (every deal that reached
-- approval, whatever came after) and closed-won value in one currency, by
-- month of registration, for the channel managers' dashboard.
SELECT date_trunc('month', d.created_at)::date AS month,
       count(*)::int AS registered,
       count(*) FILTER (WHERE d.status IN ('approved', 'closed_won', 'closed_lost', 'expired'))::int AS approved,
       coalesce(sum(d.won_amount) FILTER (WHERE d.status = 'closed_won' AND d.won_currency = @currency::text), 0)::bigint AS won
FROM deals d
WHERE d.created_at >= @since
GROUP BY 1 ORDER BY 1;

-- name: PipelineByPartner :many
SELECT p.name, p.tier,
       count(*)::int AS registered,
       count(*) FILTER (WHERE d.status IN ('approved', 'closed_won', 'closed_lost', 'expired'))::int AS approved,
       coalesce(sum(d.won_amount) FILTER (WHERE d.status = 'closed_won' AND d.won_currency = @currency::text), 0)::bigint AS won
FROM deals d JOIN partners p ON p.id = d.partner_id
WHERE d.created_at >= @since
GROUP BY p.id, p.name, p.tier
ORDER BY won DESC, registered DESC, p.name
LIMIT 10;

-- name: PipelineByTier :many
SELECT lower(p.tier) AS tier,
       count(*)::int AS registered,
       count(*) FILTER (WHERE d.status IN ('approved', 'closed_won', 'closed_lost', 'expired'))::int AS approved,
       coalesce(sum(d.won_amount) FILTER (WHERE d.status = 'closed_won' AND d.won_currency = @currency::text), 0)::bigint AS won
FROM deals d JOIN partners p ON p.id = d.partner_id
WHERE d.created_at >= @since
GROUP BY 1
ORDER BY won DESC, registered DESC;
