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

-- name: TokenList :many
-- TokenList lists tokens newest first with who holds them, never their
-- hashes, so that an admin can find the id of a token to revoke.
SELECT t.id, t.user_id, u.name, u.role, u.partner_id, t.created_at, t.revoked_at
FROM api_tokens t
JOIN users u ON u.id = t.user_id
ORDER BY t.created_at DESC, t.id
LIMIT sqlc.arg(max_rows);

-- name: TokenIDByHash :one
-- TokenIDByHash finds a token (revoked or not) by its hash.
SELECT id FROM api_tokens WHERE token_hash = @token_hash;

-- name: TokenRevoke :one
-- TokenRevoke revokes a token, keeping the time of its first revocation,
-- and returns it with who holds it.
WITH t AS (
    UPDATE api_tokens a SET revoked_at = coalesce(a.revoked_at, now()) WHERE a.id = sqlc.arg(id)
    RETURNING a.id, a.user_id, a.created_at, a.revoked_at
)
SELECT t.id, t.user_id, u.name, u.role, u.partner_id, t.created_at, t.revoked_at
FROM t
JOIN users u ON u.id = t.user_id;
