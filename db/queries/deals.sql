-- Every query a partner can reach takes scope_partner_id: NULL for vendor
-- roles, the caller's organization for partner roles, so scoping happens in
-- SQL and a forgotten filter cannot leak another organization's deals.

-- name: DealInsert :execrows
-- DealInsert creates the projection row for a new registration. It is a
-- no-op when the row exists, so a retried activity changes nothing.
INSERT INTO deals (
    id, partner_id, status, kind, program_id, customer_name, customer_domain, customer_registrable_domain,
    customer_name_full, customer_name_core, customer_domain_label, customer_name_keys, customer_country, contact_name, contact_email, product_lines, amount, currency,
    expected_close_date, notes, submitted_by, workflow_id, idempotency_key, request_hash,
    last_event_seq, created_at, updated_at
) VALUES (
    @id, @partner_id, @status, @kind, sqlc.narg(program_id), @customer_name, @customer_domain, @customer_registrable_domain,
    @customer_name_full, @customer_name_core, @customer_domain_label, @customer_name_keys, @customer_country, @contact_name, @contact_email, @product_lines, @amount, @currency,
    @expected_close_date, @notes, @submitted_by, @workflow_id, sqlc.narg(idempotency_key), sqlc.narg(request_hash),
    0, @created_at, @created_at
)
ON CONFLICT (id) DO NOTHING;

-- name: DealGet :one
SELECT * FROM deals
WHERE id = @id
  AND (sqlc.narg(scope_partner_id)::uuid IS NULL OR partner_id = sqlc.narg(scope_partner_id));

-- name: DealGetByIdempotencyKey :one
SELECT * FROM deals WHERE partner_id = @partner_id AND idempotency_key = @idempotency_key;

-- name: DealApplyEvent :execrows
-- DealApplyEvent sets the projection to the workflow's state as of the
-- event, once: an event already applied (a retry, or a stale one) matches
-- no row. Customer fields never change after submission.
UPDATE deals
SET status = @status,
    program_id = coalesce(sqlc.narg(program_id), program_id),
    contact_name = @contact_name,
    contact_email = @contact_email,
    product_lines = @product_lines,
    amount = @amount,
    currency = @currency,
    expected_close_date = @expected_close_date,
    notes = @notes,
    approvals = @approvals,
    required_approvals = @required_approvals,
    sla_due_at = sqlc.narg(sla_due_at),
    escalated = @escalated,
    info_question = @info_question,
    expires_at = sqlc.narg(expires_at),
    extensions_used = @extensions_used,
    extension_requested = @extension_requested,
    won_amount = sqlc.narg(won_amount),
    won_currency = sqlc.narg(won_currency),
    won_product_lines = sqlc.narg(won_product_lines),
    won_units = sqlc.narg(won_units),
    closed_on = sqlc.narg(closed_on),
    close_reason = @close_reason,
    correction_pending_amount = sqlc.narg(correction_pending_amount),
    last_event_seq = @seq,
    updated_at = @occurred_at
WHERE id = @id AND last_event_seq < @seq;

-- name: DealEventInsert :execrows
INSERT INTO deal_events (
    deal_id, seq, type, from_status, to_status, actor_id, actor_name, actor_role, actor_person_id, reason, payload, occurred_at
) VALUES (
    @deal_id, @seq, @type, sqlc.narg(from_status), @to_status, @actor_id, @actor_name, @actor_role,
    sqlc.narg(actor_person_id), @reason, @payload, @occurred_at
)
ON CONFLICT (deal_id, seq) DO NOTHING;

-- name: DealEventList :many
SELECT e.* FROM deal_events e
JOIN deals d ON d.id = e.deal_id
WHERE e.deal_id = @deal_id
  AND (sqlc.narg(scope_partner_id)::uuid IS NULL OR d.partner_id = sqlc.narg(scope_partner_id))
ORDER BY e.seq;

-- name: DealList :many
-- DealList pages through deals newest first. The cursor is the last row's
-- (created_at, id); filters left NULL (or an empty status list) match all.
SELECT * FROM deals
WHERE (sqlc.narg(scope_partner_id)::uuid IS NULL OR partner_id = sqlc.narg(scope_partner_id))
  AND (sqlc.narg(partner_id)::uuid IS NULL OR partner_id = sqlc.narg(partner_id))
  AND (cardinality(@statuses::text[]) = 0 OR status = ANY (@statuses::text[]))
  AND (sqlc.narg(escalated)::boolean IS NULL OR escalated = sqlc.narg(escalated))
  AND (sqlc.narg(expiring_before)::timestamptz IS NULL
       OR (status = 'approved' AND expires_at < sqlc.narg(expiring_before)))
  AND (sqlc.narg(cursor_created_at)::timestamptz IS NULL
       OR (created_at, id) < (sqlc.narg(cursor_created_at)::timestamptz, sqlc.narg(cursor_id)::uuid))
ORDER BY created_at DESC, id DESC
LIMIT @page_size;

-- name: DealInbox :many
-- DealInbox lists what awaits a channel manager: reviews, conflict
-- reviews and partners' corrections awaiting review by SLA due time
-- (escalated ones are past it), then extension requests. The predicate is
-- the deals_inbox index's.
SELECT * FROM deals
WHERE status IN ('conflict_review', 'pending_approval') OR extension_requested
   OR correction_pending_amount IS NOT NULL
ORDER BY sla_due_at NULLS LAST, created_at, id
LIMIT @page_size OFFSET @page_offset;

-- name: DealConflictsByDomain :many
-- DealConflictsByDomain finds other partners' open registrations (screening
-- through approved; expired, closed and rejected ones release the customer)
-- of the same registrable domain.
SELECT id, partner_id, status FROM deals
WHERE customer_registrable_domain = @registrable_domain
  AND partner_id <> @partner_id
  AND id <> @deal_id
  AND status IN ('screening', 'conflict_review', 'pending_approval', 'info_requested', 'approved')
ORDER BY created_at, id
LIMIT 20;
