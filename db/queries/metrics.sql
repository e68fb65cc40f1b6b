-- name: MetricsDealsByStatus :many
-- MetricsDealsByStatus feeds /metrics: deals by status, and how many of
-- them breached their review SLA (escalated).
SELECT status, count(*)::bigint AS deals, count(*) FILTER (WHERE escalated)::bigint AS escalated
FROM deals GROUP BY status ORDER BY status;

-- name: MetricsLedgerTotals :many
SELECT account, currency, coalesce(sum(debit), 0)::bigint AS debits, coalesce(sum(credit), 0)::bigint AS credits, count(*)::bigint AS entries
FROM ledger_entries GROUP BY account, currency ORDER BY account, currency;

-- name: MetricsCyclesByStatus :many
SELECT status, count(*)::bigint AS cycles FROM incentive_cycles GROUP BY status ORDER BY status;
