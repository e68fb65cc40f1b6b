-- name: SessionCreate :exec
INSERT INTO console_sessions (id_hash, token_id, csrf, expires_at) VALUES (@id_hash, @token_id, @csrf, @expires_at);

-- name: PrincipalBySession :one
-- PrincipalBySession resolves a live console session to who holds it;
-- a revoked token or an ended or expired session resolves to nothing.
SELECT u.id AS user_id, coalesce(p.name, u.name)::text AS name, u.role, u.partner_id, u.person_id, s.csrf
FROM console_sessions s
JOIN api_tokens t ON t.id = s.token_id
JOIN users u ON u.id = t.user_id
LEFT JOIN people p ON p.id = u.person_id
WHERE s.id_hash = @id_hash AND s.ended_at IS NULL AND s.expires_at > now() AND t.revoked_at IS NULL;

-- name: SessionEnd :exec
UPDATE console_sessions SET ended_at = now() WHERE id_hash = @id_hash AND ended_at IS NULL;

-- name: SessionsEndForToken :execrows
-- SessionsEndForToken ends the live console sessions opened with a token
-- (on its revocation).
UPDATE console_sessions SET ended_at = now()
WHERE token_id = @token_id AND ended_at IS NULL AND expires_at > now();
