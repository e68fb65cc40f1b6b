-- name: ReferralCodeCreate :one
INSERT INTO referral_codes (code, partner_id, user_id) VALUES (@code, @partner_id, sqlc.narg(user_id))
RETURNING *;

-- name: ReferralCodeGet :one
SELECT * FROM referral_codes WHERE code = @code AND revoked_at IS NULL;

-- name: ReferralCodeList :many
-- ReferralCodeList lists codes with their clicks, leads and won
-- registrations: a partner's own (scope_partner_id), or all for the vendor.
SELECT c.code, c.partner_id, c.user_id, c.created_at,
       (SELECT count(*) FROM referral_clicks k WHERE k.code = c.code)::int AS clicks,
       (SELECT count(*) FROM leads l WHERE l.referral_code = c.code)::int AS leads,
       (SELECT count(*) FROM leads l JOIN deals d ON d.id = l.deal_id
         WHERE l.referral_code = c.code AND d.status = 'closed_won')::int AS won
FROM referral_codes c
WHERE c.revoked_at IS NULL
  AND (sqlc.narg(scope_partner_id)::uuid IS NULL OR c.partner_id = sqlc.narg(scope_partner_id)::uuid)
ORDER BY c.created_at DESC, c.code;

-- name: ReferralClickRecord :exec
-- ReferralClickRecord stores a click with the client address hashed under
-- the install's salt (the address itself is never stored).
INSERT INTO referral_clicks (code, client_hash, ua_family, clicked_at)
SELECT @code, sha256(convert_to(s.salt || '|' || @client_address::text, 'UTF8')), @ua_family, @clicked_at
FROM referral_settings s;

-- name: ReferralLandingAllowed :one
SELECT EXISTS (SELECT 1 FROM referral_landings WHERE url = @url)::bool;

-- name: ReferralLandingAdd :exec
INSERT INTO referral_landings (url) VALUES (@url) ON CONFLICT DO NOTHING;

-- name: LeadAttribute :exec
-- LeadAttribute records how a lead arrived: the referral code and partner
-- it is attributed to, when that touch was, and the consent given.
UPDATE leads SET referral_code = sqlc.narg(referral_code), attributed_partner_id = sqlc.narg(attributed_partner_id),
    touched_at = sqlc.narg(touched_at), consent_version = sqlc.narg(consent_version), consent_at = sqlc.narg(consent_at)
WHERE id = @id;

-- name: LeadSetConflicts :exec
UPDATE leads SET conflicts = @conflicts WHERE id = @id;
