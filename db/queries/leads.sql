-- name: LeadProgram :one
-- LeadProgram returns a program's lead policy and routing rules; a null id
-- names the default program.
SELECT id, lead_policy, lead_rules FROM programs
WHERE id = coalesce(sqlc.narg(id)::uuid, (SELECT d.id FROM programs d WHERE d.is_default));

-- name: LeadProgramSetRouting :one
UPDATE programs SET lead_policy = @lead_policy, lead_rules = @lead_rules, updated_at = now()
WHERE id = @id
RETURNING id, lead_policy, lead_rules;

-- name: LeadProfileUpsert :one
INSERT INTO partner_lead_profiles (partner_id, countries, product_lines, tags, capacity, weight, updated_at)
VALUES (@partner_id, @countries, @product_lines, @tags, @capacity, @weight, now())
ON CONFLICT (partner_id) DO UPDATE SET countries = EXCLUDED.countries, product_lines = EXCLUDED.product_lines,
    tags = EXCLUDED.tags, capacity = EXCLUDED.capacity, weight = EXCLUDED.weight, updated_at = now()
RETURNING *;

-- name: LeadCandidates :many
-- LeadCandidates lists the partners of a program that take leads, with
-- their load: offers open to them, leads they hold, and routing's picks of
-- them whose offer is not recorded yet (lead_route_picks: picked and
-- offered are two steps, and a lead routed between them must see the
-- pick). A pick counts while its lead is open and has not reached its
-- round, if made after @picked_since (domain.LeadPickHold before routing's
-- time): the offer follows its pick within moments unless the lead's
-- workflow was stopped between them.
WITH pending AS (
    SELECT x.partner_id, count(*) AS n
    FROM lead_route_picks k
    JOIN leads l ON l.id = k.lead_id
    CROSS JOIN LATERAL unnest(k.partners) AS x(partner_id)
    WHERE k.picked_at > sqlc.arg(picked_since)::timestamptz
      AND k.round > l.round AND l.status NOT IN ('closed', 'converted')
      AND NOT EXISTS (SELECT 1 FROM lead_offers o WHERE o.lead_id = k.lead_id AND o.round = k.round AND o.partner_id = x.partner_id)
    GROUP BY x.partner_id
)
SELECT p.id AS partner_id, p.type, p.tier, f.countries, f.product_lines, f.tags, f.capacity, f.weight, f.assigned,
       ((SELECT count(*) FROM lead_offers o WHERE o.partner_id = p.id AND o.outcome = 'open')
        + (SELECT count(*) FROM leads l WHERE l.partner_id = p.id AND l.status = 'accepted')
        + coalesce((SELECT n FROM pending WHERE pending.partner_id = p.id), 0))::int AS open
FROM partners p
JOIN partner_lead_profiles f ON f.partner_id = p.id
WHERE coalesce(p.program_id, (SELECT d.id FROM programs d WHERE d.is_default)) = sqlc.arg(program_id)::uuid
ORDER BY p.id;

-- name: LeadInsert :execrows
INSERT INTO leads (id, program_id, source, status, company_name, company_domain, registrable_domain, country, region,
    contact_name, contact_email, product_lines, tags, amount, currency, notes, workflow_id, created_by,
    last_event_seq, created_at, updated_at)
VALUES (@id, @program_id, @source, 'new', @company_name, @company_domain, @registrable_domain, @country, @region,
    @contact_name, @contact_email, @product_lines, @tags, @amount, @currency, @notes, @workflow_id, @created_by,
    0, @created_at, @created_at)
ON CONFLICT (id) DO NOTHING;

-- name: LeadEventInsert :execrows
INSERT INTO lead_events (lead_id, seq, type, from_status, to_status, actor_id, actor_name, actor_role, reason, payload, occurred_at)
VALUES (@lead_id, @seq, @type, sqlc.narg(from_status), @to_status, @actor_id, @actor_name, @actor_role, @reason, @payload, @occurred_at)
ON CONFLICT (lead_id, seq) DO NOTHING;

-- name: LeadProject :exec
UPDATE leads SET status = @status, partner_id = sqlc.narg(partner_id), deal_id = sqlc.narg(deal_id), round = @round,
    accept_due_at = sqlc.narg(accept_due_at), contact_due_at = sqlc.narg(contact_due_at),
    last_event_seq = @seq, updated_at = @updated_at
WHERE id = @id;

-- name: LeadOfferInsert :exec
INSERT INTO lead_offers (lead_id, round, partner_id, offered_at, due_at)
VALUES (@lead_id, @round, @partner_id, @offered_at, @due_at)
ON CONFLICT DO NOTHING;

-- name: LeadOfferDecide :exec
-- LeadOfferDecide closes open offers of a round: one partner's
-- (partner_id set) or every other one still open.
UPDATE lead_offers SET outcome = @outcome, reason = @reason, decided_at = @decided_at
WHERE lead_id = @lead_id AND round = @round AND outcome = 'open'
  AND (sqlc.narg(partner_id)::uuid IS NULL OR partner_id = sqlc.narg(partner_id)::uuid);

-- name: LeadProfileAssigned :exec
UPDATE partner_lead_profiles SET assigned = assigned + 1 WHERE partner_id = ANY (@partner_ids::uuid[]);

-- name: LeadProfileUnassigned :exec
-- LeadProfileUnassigned takes back the round-robin count of a pick made
-- afresh.
UPDATE partner_lead_profiles SET assigned = assigned - 1 WHERE partner_id = ANY (@partner_ids::uuid[]) AND assigned > 0;

-- name: LeadRouteLock :exec
-- LeadRouteLock takes the program's routing lock until the transaction
-- ends: one lead of a program routed (counts read, pick counted) at a time.
SELECT pg_advisory_xact_lock(7302, hashtext(CAST(@program_id::uuid AS text)));

-- name: LeadRoutePickGet :one
-- LeadRoutePickGet reads the pick routing made for a lead's round.
SELECT * FROM lead_route_picks WHERE lead_id = @lead_id AND round = @round;

-- name: LeadRoutePickDelete :exec
-- LeadRoutePickDelete drops a lead's round's pick whose offer never came,
-- to be made afresh.
DELETE FROM lead_route_picks WHERE lead_id = @lead_id AND round = @round;

-- name: LeadRoundOffered :one
-- LeadRoundOffered reports whether a lead's round has its offers recorded.
SELECT EXISTS (SELECT 1 FROM lead_offers WHERE lead_id = @lead_id AND round = @round);

-- name: LeadRoutePickInsert :exec
-- LeadRoutePickInsert keeps the pick routing made for a lead's round.
INSERT INTO lead_route_picks (lead_id, round, partners, rule, picked_at)
VALUES (@lead_id, @round, @partners::uuid[], @rule, @picked_at);

-- name: LeadGet :one
-- LeadGet reads a lead; a partner (scope_partner_id) reaches only a lead
-- offered to it in some round, or attributed to it (its referral).
SELECT l.* FROM leads l
WHERE l.id = @id
  AND (sqlc.narg(scope_partner_id)::uuid IS NULL
       OR l.attributed_partner_id = sqlc.narg(scope_partner_id)::uuid
       OR EXISTS (SELECT 1 FROM lead_offers o WHERE o.lead_id = l.id AND o.partner_id = sqlc.narg(scope_partner_id)::uuid));

-- name: LeadList :many
-- LeadList lists leads, newest first: all of them for the vendor, only
-- those offered to the partner (scope_partner_id) for a partner.
SELECT l.* FROM leads l
WHERE (sqlc.narg(status)::text IS NULL OR l.status = sqlc.narg(status)::text)
  AND (sqlc.narg(scope_partner_id)::uuid IS NULL
       OR l.attributed_partner_id = sqlc.narg(scope_partner_id)::uuid
       OR EXISTS (SELECT 1 FROM lead_offers o WHERE o.lead_id = l.id AND o.partner_id = sqlc.narg(scope_partner_id)::uuid))
ORDER BY l.created_at DESC, l.id DESC
LIMIT @max_rows;

-- name: LeadOffers :many
-- LeadOffers lists a lead's offers: every one for the vendor, the
-- partner's own for a partner.
SELECT * FROM lead_offers
WHERE lead_id = @lead_id AND (sqlc.narg(scope_partner_id)::uuid IS NULL OR partner_id = sqlc.narg(scope_partner_id)::uuid)
ORDER BY round, offered_at, partner_id;

-- name: LeadEvents :many
SELECT * FROM lead_events WHERE lead_id = @lead_id ORDER BY seq;

-- name: LeadScorecard :many
-- LeadScorecard is, per partner, what happened to the leads offered to it:
-- offers, acceptances (including those later pulled back), declines,
-- time-outs, pullbacks, the median time to accept, and the vendor-sourced
-- registrations it won with their value per currency. Offers made from
-- from_at (included) to to_at (excluded) of leads of program_id, and
-- registrations made in that period in that program, when they are set
-- (NULL: all); every partner when partner_id is NULL, else that one. A
-- partner (scope_partner_id) reads only its own line.
SELECT o.partner_id,
       count(*)::int AS offered,
       count(*) FILTER (WHERE o.outcome IN ('accepted', 'pulled_back'))::int AS accepted,
       count(*) FILTER (WHERE o.outcome = 'declined')::int AS declined,
       count(*) FILTER (WHERE o.outcome = 'timed_out')::int AS timed_out,
       count(*) FILTER (WHERE o.outcome = 'pulled_back')::int AS pulled_back,
       coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM o.decided_at - o.offered_at))
                FILTER (WHERE o.outcome IN ('accepted', 'pulled_back')), 0)::float8 AS median_seconds_to_accept,
       (SELECT count(*) FROM deals d WHERE d.partner_id = o.partner_id AND d.kind = 'vendor_sourced'
          AND d.status = 'closed_won'
          AND (sqlc.narg(from_at)::timestamptz IS NULL OR d.created_at >= sqlc.narg(from_at)::timestamptz)
          AND (sqlc.narg(to_at)::timestamptz IS NULL OR d.created_at < sqlc.narg(to_at)::timestamptz)
          AND (sqlc.narg(program_id)::uuid IS NULL OR d.program_id = sqlc.narg(program_id)::uuid))::int AS won,
       (SELECT coalesce(jsonb_object_agg(w.currency, w.amount), '{}'::jsonb) FROM
          (SELECT d.won_currency AS currency, sum(d.won_amount) AS amount FROM deals d
           WHERE d.partner_id = o.partner_id AND d.kind = 'vendor_sourced' AND d.status = 'closed_won'
             AND (sqlc.narg(from_at)::timestamptz IS NULL OR d.created_at >= sqlc.narg(from_at)::timestamptz)
             AND (sqlc.narg(to_at)::timestamptz IS NULL OR d.created_at < sqlc.narg(to_at)::timestamptz)
             AND (sqlc.narg(program_id)::uuid IS NULL OR d.program_id = sqlc.narg(program_id)::uuid)
           GROUP BY d.won_currency) w)::jsonb AS won_value
FROM lead_offers o
WHERE (sqlc.narg(scope_partner_id)::uuid IS NULL OR o.partner_id = sqlc.narg(scope_partner_id)::uuid)
  AND (sqlc.narg(partner_id)::uuid IS NULL OR o.partner_id = sqlc.narg(partner_id)::uuid)
  AND (sqlc.narg(from_at)::timestamptz IS NULL OR o.offered_at >= sqlc.narg(from_at)::timestamptz)
  AND (sqlc.narg(to_at)::timestamptz IS NULL OR o.offered_at < sqlc.narg(to_at)::timestamptz)
  AND (sqlc.narg(program_id)::uuid IS NULL
       OR EXISTS (SELECT 1 FROM leads l WHERE l.id = o.lead_id AND l.program_id = sqlc.narg(program_id)::uuid))
GROUP BY o.partner_id
ORDER BY o.partner_id;

-- name: LeadNotificationInsert :exec
-- LeadNotificationInsert writes one notification of a lead's event to the
-- notifications outbox (no deal), addressed to audience (partner:<id>),
-- its subject naming the lead's company; written only with the event's
-- first insertion, in its transaction, so never twice.
INSERT INTO notifications (deal_id, event_seq, ordinal, audience, kind, subject, body, created_at, lead_id)
SELECT NULL, NULL, @ordinal, @audience, @kind, @headline::text || ': ' || l.company_name, @body, @created_at, l.id
FROM leads l WHERE l.id = @lead_id;

-- name: LeadNotifications :many
SELECT id, audience, kind, subject, body, created_at FROM notifications WHERE lead_id = @lead_id ORDER BY id;

-- name: LeadTried :many
-- LeadTried lists the partners a lead was offered to, first offer first:
-- a resumed run of its workflow does not offer it to them again unasked.
SELECT partner_id FROM lead_offers WHERE lead_id = @lead_id GROUP BY partner_id ORDER BY min(offered_at), partner_id;
