-- name: SessionCreate :exec
INSERT INTO console_sessions (id_hash, token_id, csrf, expires_at) VALUES (@id_hash, @token_id, @csrf, @expires_at);

-- name: PrincipalBySession :one
-- PrincipalBySession resolves a live console session to who holds it;
-- a revoked token, a deactivated user or an ended or expired session
-- resolves to nothing. A session is opened with a token or, by a password
-- sign-in, for a user. Liveness is judged at @now, the service's clock,
-- which also set expires_at.
SELECT u.id AS user_id, coalesce(p.name, u.name)::text AS name, u.role, u.partner_id, u.person_id, s.csrf
FROM console_sessions s
LEFT JOIN api_tokens t ON t.id = s.token_id
JOIN users u ON u.id = coalesce(s.user_id, t.user_id)
LEFT JOIN people p ON p.id = u.person_id
WHERE s.id_hash = @id_hash AND s.ended_at IS NULL AND s.expires_at > @now
  AND (s.token_id IS NULL OR t.revoked_at IS NULL) AND u.deactivated_at IS NULL;

-- name: SessionEnd :exec
UPDATE console_sessions SET ended_at = sqlc.arg(now)::timestamptz WHERE id_hash = @id_hash AND ended_at IS NULL;

-- name: SessionsEndForToken :execrows
-- SessionsEndForToken ends the live console sessions opened with a token
-- (on its revocation).
UPDATE console_sessions SET ended_at = sqlc.arg(now)::timestamptz
WHERE token_id = @token_id AND ended_at IS NULL AND expires_at > @now;
