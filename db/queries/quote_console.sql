-- The console's quote pages: the quotes list with their deal's customer,
-- the approval queue with each quote's SLA clock, and the catalog's product
-- lines for the registration form's picker. Every query a partner can
-- reach takes scope_partner_id (NULL for vendor roles), so scoping happens
-- in SQL.

-- name: QuoteListWithCustomer :many
-- QuoteListWithCustomer lists the quotes the caller reaches, newest first,
-- optionally of one status or deal, with the deal's customer.
SELECT q.id, q.deal_id, q.status, q.version, q.currency, q.net_total, q.approval_level, q.valid_until,
       q.created_at, q.updated_at, d.customer_name
FROM quotes q JOIN deals d ON d.id = q.deal_id
WHERE (sqlc.narg(scope_partner_id)::uuid IS NULL OR q.partner_id = sqlc.narg(scope_partner_id))
  AND (@status::text = '' OR q.status = @status::text)
  AND (sqlc.narg(deal_id)::uuid IS NULL OR q.deal_id = sqlc.narg(deal_id))
ORDER BY q.created_at DESC, q.id DESC
LIMIT 200;

-- name: QuoteApprovalQueue :many
-- QuoteApprovalQueue lists the quotes awaiting approval, oldest submission
-- first: when the current version was submitted, how many approvals it has
-- had since, whether it was escalated, and the approval SLA of the policy
-- version it was priced with (24 hours when the policy sets none).
SELECT q.id, q.deal_id, q.version, q.currency, q.net_total, q.approval_level,
       d.customer_name, p.name AS partner_name, s.occurred_at AS submitted_at, s.actor_name AS submitted_by,
       (SELECT count(*) FROM quote_events a WHERE a.quote_id = q.id AND a.seq > s.seq AND a.type = 'approval_recorded')::int AS approvals,
       EXISTS (SELECT 1 FROM quote_events e WHERE e.quote_id = q.id AND e.seq > s.seq AND e.type = 'approval_escalated')::boolean AS escalated,
       coalesce(nullif((pol.policy ->> 'approval_sla_hours')::int, 0), 24)::int AS sla_hours
FROM quotes q
JOIN deals d ON d.id = q.deal_id
JOIN partners p ON p.id = q.partner_id
JOIN LATERAL (SELECT e.seq, e.occurred_at, e.actor_name FROM quote_events e
              WHERE e.quote_id = q.id AND e.type = 'submitted' ORDER BY e.seq DESC LIMIT 1) s ON true
JOIN quote_versions v ON v.quote_id = q.id AND v.version = q.version
LEFT JOIN quote_policies pol ON pol.version = (v.priced ->> 'policy_version')::int
WHERE q.status = 'pending_approval'
ORDER BY s.occurred_at, q.id
LIMIT 200;

-- name: QuoteCatalogProductLines :many
-- QuoteCatalogProductLines lists the product lines of the catalog's
-- active products, each once.
SELECT DISTINCT product_line FROM quote_products WHERE active ORDER BY product_line;

-- name: QuoteProductSearch :many
-- QuoteProductSearch finds the catalog's active products whose SKU, name
-- or product line contains search (empty: all), for the quote builder.
SELECT * FROM quote_products
WHERE active
  AND (@search::text = '' OR sku ILIKE '%' || @search::text || '%' OR name ILIKE '%' || @search::text || '%'
       OR product_line ILIKE '%' || @search::text || '%')
ORDER BY product_line, sku
LIMIT 50;
