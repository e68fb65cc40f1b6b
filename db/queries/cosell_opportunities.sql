-- name: SharedOpportunityInsert :execrows
-- SharedOpportunityInsert creates the projection of a newly shared
-- opportunity; a retried recording finds it in place and changes nothing.
INSERT INTO cosell_opportunities (id, workflow_id, mode, status, customer_name, registrable_domain, country,
                                  product_lines, amount, currency, capabilities, expected_close_date, notes,
                                  filters, seller_email, last_event_seq, created_by, created_at, updated_at)
VALUES (@id, @workflow_id, @mode, 'open', @customer_name, @registrable_domain, @country, @product_lines, @amount,
        @currency, @capabilities, @expected_close_date, @notes, @filters, @seller_email, 0, @created_by,
        @created_at, @created_at)
ON CONFLICT (id) DO NOTHING;

-- name: SharedOpportunityEventInsert :execrows
INSERT INTO cosell_opportunity_events (opportunity_id, seq, type, partner_id, actor_id, actor_name, actor_role,
                                       actor_person_id, reason, payload, occurred_at)
VALUES (@opportunity_id, @seq, @type, sqlc.narg(partner_id), @actor_id, @actor_name, @actor_role,
        sqlc.narg(actor_person_id), @reason, @payload, @occurred_at)
ON CONFLICT (opportunity_id, seq) DO NOTHING;

-- name: SharedOpportunityProject :exec
-- SharedOpportunityProject moves the projection to the state after event
-- seq; an older event (a late retry) never moves it back.
UPDATE cosell_opportunities SET
    status = @status, winner_partner_id = sqlc.narg(winner_partner_id), deal_id = sqlc.narg(deal_id),
    deal_status = @deal_status, last_event_seq = @seq, updated_at = @updated_at
WHERE id = @id AND last_event_seq < @seq;

-- name: SharedOpportunityInvitationUpsert :exec
-- SharedOpportunityInvitationUpsert writes one invitation as the event
-- left it.
INSERT INTO cosell_invitations (opportunity_id, partner_id, status, deal_id, reason, invited_at, expires_at,
                                interested_at, decided_at)
VALUES (@opportunity_id, @partner_id, @status, sqlc.narg(deal_id), @reason, @invited_at, @expires_at,
        sqlc.narg(interested_at), sqlc.narg(decided_at))
ON CONFLICT (opportunity_id, partner_id) DO UPDATE SET
    status = excluded.status, deal_id = excluded.deal_id, reason = excluded.reason,
    interested_at = excluded.interested_at, decided_at = excluded.decided_at;

-- name: SharedOpportunityNotificationInsert :exec
INSERT INTO cosell_notifications (opportunity_id, event_seq, ordinal, audience, kind, subject, created_at)
VALUES (@opportunity_id, @event_seq, @ordinal, @audience, @kind, @subject, @created_at)
ON CONFLICT (opportunity_id, event_seq, ordinal) DO NOTHING;

-- name: SharedOpportunityNotificationList :many
SELECT * FROM cosell_notifications WHERE opportunity_id = @opportunity_id ORDER BY event_seq, ordinal;

-- name: SharedOpportunityEligiblePartners :many
-- SharedOpportunityEligiblePartners picks the partners an opportunity may
-- be shared with: by type, tier (case-insensitive), and — from the
-- partner's lead profile, which a partner without one does not match — a
-- country, product lines (any of them) and tags (all of them); or by
-- explicit ids. NULL (or empty) filters match every partner.
SELECT p.id, p.name, p.type, p.tier
FROM partners p LEFT JOIN partner_lead_profiles f ON f.partner_id = p.id
WHERE (cardinality(@types::text[]) = 0 OR p.type = ANY (@types::text[]))
  AND (cardinality(@tiers::text[]) = 0 OR lower(p.tier) = ANY (@tiers::text[]))
  AND (@country::text = '' OR @country::text = ANY (f.countries))
  AND (cardinality(@product_lines::text[]) = 0 OR f.product_lines && @product_lines::text[])
  AND (cardinality(@tags::text[]) = 0 OR f.tags @> @tags::text[])
  AND (cardinality(@ids::uuid[]) = 0 OR p.id = ANY (@ids::uuid[]))
ORDER BY p.name, p.id
LIMIT @max_partners;

-- name: SharedOpportunityList :many
-- SharedOpportunityList lists shared opportunities newest first, scoped in
-- SQL: a seller sees those they shared, managers all (scope NULL).
SELECT o.*, w.name AS winner_name
FROM cosell_opportunities o LEFT JOIN partners w ON w.id = o.winner_partner_id
WHERE (sqlc.narg(scope_seller_email)::text IS NULL OR o.seller_email = sqlc.narg(scope_seller_email))
  AND (sqlc.narg(status)::text IS NULL OR o.status = sqlc.narg(status))
ORDER BY o.created_at DESC, o.id DESC
LIMIT 200;

-- name: SharedOpportunityGet :one
SELECT o.*, w.name AS winner_name
FROM cosell_opportunities o LEFT JOIN partners w ON w.id = o.winner_partner_id
WHERE o.id = @id
  AND (sqlc.narg(scope_seller_email)::text IS NULL OR o.seller_email = sqlc.narg(scope_seller_email));

-- name: SharedOpportunityInvitationList :many
-- SharedOpportunityInvitationList is an opportunity's invitations, for
-- the seller who shared it and managers.
SELECT i.*, p.name AS partner_name
FROM cosell_invitations i JOIN partners p ON p.id = i.partner_id
WHERE i.opportunity_id = @opportunity_id
ORDER BY p.name, i.partner_id;

-- name: SharedOpportunityInvitationsOf :many
-- SharedOpportunityInvitationsOf is the invitations of several
-- opportunities at once (the seller's list page), in one query.
SELECT i.*, p.name AS partner_name
FROM cosell_invitations i JOIN partners p ON p.id = i.partner_id
WHERE i.opportunity_id = ANY(@opportunity_ids::uuid[])
ORDER BY i.opportunity_id, p.name, i.partner_id;

-- name: SharedOpportunityEventList :many
SELECT * FROM cosell_opportunity_events WHERE opportunity_id = @opportunity_id ORDER BY seq;

-- name: PartnerInvitationList :many
-- PartnerInvitationList is one partner's invitations with what it needs
-- to know of each opportunity, newest first: scoped to the partner in SQL.
SELECT i.opportunity_id, i.partner_id, i.status, i.deal_id, i.reason, i.invited_at, i.expires_at,
       i.interested_at, i.decided_at, o.mode, o.status AS opportunity_status, o.customer_name,
       o.registrable_domain, o.country, o.product_lines, o.amount, o.currency, o.capabilities,
       o.expected_close_date, o.notes
FROM cosell_invitations i JOIN cosell_opportunities o ON o.id = i.opportunity_id
WHERE i.partner_id = @partner_id
  AND (sqlc.narg(status)::text IS NULL OR i.status = sqlc.narg(status))
ORDER BY i.invited_at DESC, i.opportunity_id DESC
LIMIT 200;

-- name: PartnerInvitationGet :one
-- PartnerInvitationGet is one partner's invitation to an opportunity
-- (none for another partner's).
SELECT i.opportunity_id, i.partner_id, i.status, i.deal_id, i.reason, i.invited_at, i.expires_at,
       i.interested_at, i.decided_at, o.mode, o.status AS opportunity_status, o.customer_name,
       o.registrable_domain, o.country, o.product_lines, o.amount, o.currency, o.capabilities,
       o.expected_close_date, o.notes
FROM cosell_invitations i JOIN cosell_opportunities o ON o.id = i.opportunity_id
WHERE i.opportunity_id = @opportunity_id AND i.partner_id = @partner_id;
