-- name: CoSellEngagementInsert :execrows
-- CoSellEngagementInsert creates the projection of a new engagement; a
-- retried recording finds it in place and changes nothing.
INSERT INTO cosell_engagements (id, deal_id, partner_id, workflow_id, type, need_by, message, status,
                                last_event_seq, created_by, created_at, updated_at)
VALUES (@id, @deal_id, @partner_id, @workflow_id, @type, @need_by, @message, 'requested', 0, @created_by, @created_at, @created_at)
ON CONFLICT (id) DO NOTHING;

-- name: CoSellEventInsert :execrows
INSERT INTO cosell_events (engagement_id, seq, type, actor_id, actor_name, actor_role, actor_person_id, reason, payload, occurred_at)
VALUES (@engagement_id, @seq, @type, @actor_id, @actor_name, @actor_role, sqlc.narg(actor_person_id), @reason, @payload, @occurred_at)
ON CONFLICT (engagement_id, seq) DO NOTHING;

-- name: CoSellEngagementProject :exec
-- CoSellEngagementProject moves the projection to the state after event
-- seq; an older event (a late retry) never moves it back.
UPDATE cosell_engagements SET
    status = @status, routed_via = @routed_via, assignee_email = @assignee_email, stage = @stage,
    next_steps = @next_steps, response_due_at = sqlc.narg(response_due_at), reminded = @reminded,
    escalated = @escalated, decline_reason = @decline_reason, outcome = @outcome, plan = @plan,
    notes = @notes, last_event_seq = @seq, updated_at = @updated_at
WHERE id = @id AND last_event_seq < @seq;

-- name: CoSellNotificationInsert :exec
INSERT INTO cosell_notifications (engagement_id, event_seq, ordinal, audience, kind, subject, created_at)
VALUES (@engagement_id, @event_seq, @ordinal, @audience, @kind, @subject, @created_at)
ON CONFLICT (engagement_id, event_seq, ordinal) DO NOTHING;

-- name: CoSellNotificationList :many
SELECT * FROM cosell_notifications WHERE engagement_id = @engagement_id ORDER BY event_seq, ordinal;

-- name: CoSellDealFacts :one
-- CoSellDealFacts is what routing and the request's checks need of a deal,
-- scoped to the asking partner (NULL: any).
SELECT id, partner_id, status, customer_name, customer_registrable_domain, customer_name_full,
       customer_country, product_lines
FROM deals
WHERE id = @id AND (sqlc.narg(scope_partner_id)::uuid IS NULL OR partner_id = sqlc.narg(scope_partner_id));

-- name: CoSellAccountOwner :one
-- CoSellAccountOwner finds the seller who owns the deal's customer in the
-- CRM: an account on the same registrable domain, else of the same
-- normalised name, with an owner e-mail.
SELECT a.owner_email
FROM accounts a, deals d
WHERE d.id = @deal_id AND a.owner_email <> ''
  AND ((d.customer_registrable_domain <> '' AND a.registrable_domain = d.customer_registrable_domain)
       OR a.name_full = d.customer_name_full)
ORDER BY (d.customer_registrable_domain <> '' AND a.registrable_domain = d.customer_registrable_domain) DESC,
         a.updated_at DESC, a.id
LIMIT 1;

-- name: CoSellTerritoryList :many
SELECT * FROM cosell_territories ORDER BY created_at, id;

-- name: CoSellTerritoryCreate :one
INSERT INTO cosell_territories (seller_email, country, product_line)
VALUES (@seller_email, @country, @product_line)
RETURNING *;

-- name: CoSellPersonEmail :one
SELECT coalesce(email, '')::text FROM people WHERE id = @id;

-- name: CoSellEngagementList :many
-- CoSellEngagementList lists engagements newest first, scoped in SQL: a
-- partner sees its organization's, a seller those assigned to their
-- e-mail, vendor managers all (both scopes NULL).
SELECT e.*, d.customer_name
FROM cosell_engagements e JOIN deals d ON d.id = e.deal_id
WHERE (sqlc.narg(scope_partner_id)::uuid IS NULL OR e.partner_id = sqlc.narg(scope_partner_id))
  AND (sqlc.narg(scope_seller_email)::text IS NULL OR e.assignee_email = sqlc.narg(scope_seller_email))
  AND (sqlc.narg(status)::text IS NULL OR e.status = sqlc.narg(status))
ORDER BY e.created_at DESC, e.id DESC
LIMIT 200;

-- name: CoSellEngagementGet :one
SELECT e.*, d.customer_name
FROM cosell_engagements e JOIN deals d ON d.id = e.deal_id
WHERE e.id = @id
  AND (sqlc.narg(scope_partner_id)::uuid IS NULL OR e.partner_id = sqlc.narg(scope_partner_id))
  AND (sqlc.narg(scope_seller_email)::text IS NULL OR e.assignee_email = sqlc.narg(scope_seller_email));

-- name: CoSellEventList :many
SELECT * FROM cosell_events WHERE engagement_id = @engagement_id ORDER BY seq;

-- name: CoSellAccountList :many
-- CoSellAccountList lists the CRM accounts a seller owns (NULL: all that
-- have an owner), for the seller's book.
SELECT id, external_id, name, domain, country, owner_email
FROM accounts
WHERE owner_email <> '' AND (sqlc.narg(scope_seller_email)::text IS NULL OR owner_email = sqlc.narg(scope_seller_email))
ORDER BY name, id
LIMIT 500;

-- name: CoSellPolicyInsert :one
-- CoSellPolicyInsert stores the next version of a program's co-sell
-- policy; two managers saving at once cannot take the same version (the
-- primary key refuses the second).
INSERT INTO cosell_policies (program_id, version, policy, set_by, set_by_name, reason, created_at)
SELECT @program_id, coalesce((SELECT max(version) FROM cosell_policies WHERE program_id = @program_id), 0) + 1,
       @policy, @set_by, @set_by_name, @reason, @created_at
RETURNING *;

-- name: CoSellPolicyLatest :one
-- CoSellPolicyLatest is the program's current co-sell policy.
SELECT * FROM cosell_policies WHERE program_id = @program_id ORDER BY version DESC LIMIT 1;

-- name: CoSellPolicyForDeal :one
-- CoSellPolicyForDeal is the co-sell policy a new engagement on the deal
-- starts with: the latest of the deal's program, or of the default
-- program when the deal names none (no row: the built-in default).
SELECT p.* FROM cosell_policies p
WHERE p.program_id = (SELECT coalesce(d.program_id, (SELECT id FROM programs WHERE is_default))
                      FROM deals d WHERE d.id = @deal_id)
ORDER BY p.version DESC LIMIT 1;

-- name: CoSellSellerList :many
-- CoSellSellerList lists the vendor's sellers (active sales_rep users with
-- an e-mail), by name: whom a channel manager may reassign a request to.
SELECT DISTINCT p.email::text AS email, p.name
FROM users u JOIN people p ON p.id = u.person_id
WHERE u.role = 'sales_rep' AND u.deactivated_at IS NULL AND p.email IS NOT NULL
ORDER BY p.name, p.email::text;

-- name: CoSellAccountPrefill :one
-- CoSellAccountPrefill reads the account a seller invites partners to
-- co-sell from (the account mapping's "Invite to co-sell"): only an
-- account the seller owns (NULL scope: channel managers and admins, any).
SELECT name, domain, country
FROM accounts
WHERE id = @id
  AND (sqlc.narg(scope_seller_email)::text IS NULL OR owner_email = sqlc.narg(scope_seller_email));
