-- Every query a partner can reach takes scope_partner_id: NULL for vendor
-- roles, the caller's organization for partner roles, so scoping happens in
-- SQL and a forgotten filter cannot leak another organization's deals.

-- name: DealInsert :execrows
-- DealInsert creates the projection row for a new registration. It is a
-- no-op when the row exists, so a retried activity changes nothing.
INSERT INTO deals (
    id, partner_id, status, customer_name, customer_domain, customer_registrable_domain,
    customer_country, contact_name, contact_email, product_lines, amount, currency,
    expected_close_date, notes, submitted_by, workflow_id, last_event_seq, created_at, updated_at
) VALUES (
    @id, @partner_id, @status, @customer_name, @customer_domain, @customer_registrable_domain,
    @customer_country, @contact_name, @contact_email, @product_lines, @amount, @currency,
    @expected_close_date, @notes, @submitted_by, @workflow_id, 0, @created_at, @created_at
)
ON CONFLICT (id) DO NOTHING;

-- name: DealGet :one
SELECT * FROM deals
WHERE id = @id
  AND (sqlc.narg(scope_partner_id)::uuid IS NULL OR partner_id = sqlc.narg(scope_partner_id));

-- name: DealApplyEvent :execrows
-- DealApplyEvent moves the projection to the event's status, once: an event
-- that was already applied (a retry) matches no row.
UPDATE deals
SET status = @status, last_event_seq = @seq, updated_at = @occurred_at
WHERE id = @id AND last_event_seq < @seq;

-- name: DealEventInsert :execrows
INSERT INTO deal_events (
    deal_id, seq, type, from_status, to_status, actor_id, actor_name, actor_role, reason, payload, occurred_at
) VALUES (
    @deal_id, @seq, @type, sqlc.narg(from_status), @to_status, @actor_id, @actor_name, @actor_role,
    @reason, @payload, @occurred_at
)
ON CONFLICT (deal_id, seq) DO NOTHING;

-- name: DealEventList :many
SELECT e.* FROM deal_events e
JOIN deals d ON d.id = e.deal_id
WHERE e.deal_id = @deal_id
  AND (sqlc.narg(scope_partner_id)::uuid IS NULL OR d.partner_id = sqlc.narg(scope_partner_id))
ORDER BY e.seq;
