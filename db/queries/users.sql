-- name: UserEnsure :one
-- UserEnsure returns the user with this name, role and organization,
-- creating it on first use, so minting a second token keeps one identity.
INSERT INTO users (name, role, partner_id)
VALUES (@name, @role, sqlc.narg(partner_id))
ON CONFLICT (name, role, coalesce(partner_id, '00000000-0000-0000-0000-000000000000'::uuid))
DO UPDATE SET name = EXCLUDED.name
RETURNING *;

-- name: TokenCreate :one
INSERT INTO api_tokens (user_id, token_hash)
VALUES (@user_id, @token_hash)
RETURNING id, user_id, created_at;

-- name: PrincipalByTokenHash :one
-- PrincipalByTokenHash resolves a bearer token (by its hash) to who holds it.
SELECT u.id AS user_id, u.name, u.role, u.partner_id, t.id AS token_id
FROM api_tokens t
JOIN users u ON u.id = t.user_id
WHERE t.token_hash = @token_hash AND t.revoked_at IS NULL;
