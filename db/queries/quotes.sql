-- The quote context: its catalog (products, price book, volume schedules,
-- channel pricing policy) and its quotes. Every query a partner can reach
-- takes scope_partner_id: NULL for vendor roles, the caller's organization
-- for partner roles, so scoping happens in SQL.

-- name: QuoteProductUpsert :exec
INSERT INTO quote_products (sku, name, product_line, unit, discountable, active, min_qty, max_qty, requires, excludes, updated_at)
VALUES (@sku, @name, @product_line, @unit, @discountable, @active, @min_qty, @max_qty, @requires, @excludes, now())
ON CONFLICT (sku) DO UPDATE SET name = EXCLUDED.name, product_line = EXCLUDED.product_line, unit = EXCLUDED.unit,
    discountable = EXCLUDED.discountable, active = EXCLUDED.active, min_qty = EXCLUDED.min_qty,
    max_qty = EXCLUDED.max_qty, requires = EXCLUDED.requires, excludes = EXCLUDED.excludes, updated_at = now();

-- name: QuoteProductList :many
-- QuoteProductList lists the catalog, searched by SKU or name (empty: all).
SELECT * FROM quote_products
WHERE @search::text = '' OR sku ILIKE '%' || @search::text || '%' OR name ILIKE '%' || @search::text || '%'
ORDER BY sku
LIMIT 500;

-- name: QuoteProductsBySKU :many
SELECT * FROM quote_products WHERE sku = ANY (@skus::text[]);

-- name: QuotePriceInsert :one
-- QuotePriceInsert adds a price book entry as the SKU's next version in its
-- currency; an entry for the same first day is refused (unique violation).
INSERT INTO quote_prices (sku, currency, effective_from, list_price, version)
SELECT @sku, @currency, @effective_from, @list_price,
       coalesce((SELECT max(version) FROM quote_prices p WHERE p.sku = @sku AND p.currency = @currency), 0) + 1
RETURNING *;

-- name: QuotePricesInForce :many
-- QuotePricesInForce returns each SKU's price entry in force on day in a
-- currency: the latest starting on or before it.
SELECT DISTINCT ON (sku) * FROM quote_prices
WHERE sku = ANY (@skus::text[]) AND currency = @currency AND effective_from <= @day
ORDER BY sku, effective_from DESC;

-- name: QuotePriceList :many
SELECT * FROM quote_prices ORDER BY sku, currency, effective_from;

-- name: QuoteScheduleInsert :one
INSERT INTO quote_schedules (sku, version, kind, tiers)
SELECT @sku, coalesce((SELECT max(version) FROM quote_schedules s WHERE s.sku = @sku), 0) + 1, @kind, @tiers
RETURNING *;

-- name: QuoteSchedulesLatest :many
SELECT DISTINCT ON (sku) * FROM quote_schedules
WHERE sku = ANY (@skus::text[])
ORDER BY sku, version DESC;

-- name: QuotePolicyInsert :one
INSERT INTO quote_policies (version, policy, created_by)
SELECT coalesce((SELECT max(version) FROM quote_policies), 0) + 1, @policy, @created_by
RETURNING *;

-- name: QuotePolicyLatest :one
SELECT * FROM quote_policies ORDER BY version DESC LIMIT 1;

-- name: QuoteDealContext :one
-- QuoteDealContext is what pricing a quote on a deal needs: the deal, its
-- partner's type and tier, and whether its registration is approved and
-- still protected at now.
SELECT d.id, d.partner_id, d.status, d.expires_at, d.workflow_id, p.type AS partner_type, p.tier AS partner_tier,
       (d.status = 'approved' AND d.expires_at > @now::timestamptz)::boolean AS protected
FROM deals d JOIN partners p ON p.id = d.partner_id
WHERE d.id = @deal_id
  AND (sqlc.narg(scope_partner_id)::uuid IS NULL OR d.partner_id = sqlc.narg(scope_partner_id));

-- name: QuoteInsert :exec
INSERT INTO quotes (id, deal_id, partner_id, status, version, currency, net_total, approval_level, workflow_id,
    created_by, last_event_seq, created_at, updated_at)
VALUES (@id, @deal_id, @partner_id, @status, 1, @currency, @net_total, @approval_level, @workflow_id,
    @created_by, 0, @created_at, @created_at)
ON CONFLICT (id) DO NOTHING;

-- name: QuoteVersionInsert :exec
INSERT INTO quote_versions (quote_id, version, priced, list_total, net_total, created_at)
VALUES (@quote_id, @version, @priced, @list_total, @net_total, @created_at)
ON CONFLICT (quote_id, version) DO NOTHING;

-- name: QuoteVersionGet :one
SELECT * FROM quote_versions WHERE quote_id = @quote_id AND version = @version;

-- name: QuoteEventInsert :execrows
INSERT INTO quote_events (quote_id, seq, type, from_status, to_status, version, actor_id, actor_name, actor_role,
    actor_person_id, reason, payload, occurred_at)
VALUES (@quote_id, @seq, @type, sqlc.narg(from_status), @to_status, @version, @actor_id, @actor_name, @actor_role,
    sqlc.narg(actor_person_id), @reason, @payload, @occurred_at)
ON CONFLICT (quote_id, seq) DO NOTHING;

-- name: QuoteApplyEvent :exec
-- QuoteApplyEvent moves the projection to the workflow's state as of the
-- event, once: a stale or repeated event matches no row.
UPDATE quotes
SET status = @status, version = @version, net_total = @net_total, approval_level = @approval_level,
    valid_until = sqlc.narg(valid_until), po_number = coalesce(sqlc.narg(po_number), po_number),
    accepted_on = coalesce(sqlc.narg(accepted_on), accepted_on), last_event_seq = @seq, updated_at = @occurred_at
WHERE id = @id AND last_event_seq < @seq;

-- name: QuoteGet :one
SELECT * FROM quotes
WHERE id = @id
  AND (sqlc.narg(scope_partner_id)::uuid IS NULL OR partner_id = sqlc.narg(scope_partner_id));

-- name: QuoteList :many
-- QuoteList lists quotes, newest first, optionally of one status or deal.
SELECT * FROM quotes
WHERE (sqlc.narg(scope_partner_id)::uuid IS NULL OR partner_id = sqlc.narg(scope_partner_id))
  AND (@status::text = '' OR status = @status::text)
  AND (sqlc.narg(deal_id)::uuid IS NULL OR deal_id = sqlc.narg(deal_id))
ORDER BY created_at DESC, id DESC
LIMIT 200;

-- name: QuoteVersions :many
SELECT * FROM quote_versions WHERE quote_id = @quote_id ORDER BY version;

-- name: QuoteEvents :many
SELECT * FROM quote_events WHERE quote_id = @quote_id ORDER BY seq;

-- name: QuotePolicyGet :one
SELECT * FROM quote_policies WHERE version = @version;

-- name: QuoteNotificationInsert :exec
-- QuoteNotificationInsert writes one notification of a quote's event to
-- the notifications outbox, on the quote's deal (the e-mail names its
-- customer and links the deal) with no deal event; written only with the
-- event's first insertion, in its transaction, so never twice.
INSERT INTO notifications (deal_id, event_seq, ordinal, audience, kind, subject, body, created_at)
SELECT q.deal_id, NULL, @ordinal, @audience, @kind, @subject, @body, @created_at
FROM quotes q WHERE q.id = @quote_id;

-- name: QuoteAcceptedForDeal :one
-- QuoteAcceptedForDeal is the quote (and its version) whose acceptance won
-- the deal, if any.
SELECT id, version FROM quotes
WHERE deal_id = @deal_id AND status = 'accepted'
ORDER BY updated_at DESC
LIMIT 1;
