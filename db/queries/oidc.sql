-- name: OIDCSignInStart :exec
-- OIDCSignInStart records a sign-in sent to the identity provider.
INSERT INTO oidc_sign_ins (state_hash, nonce, verifier, created_at, expires_at)
VALUES (@state_hash, @nonce, @verifier, @created_at, @expires_at);

-- name: OIDCSignInsPrune :exec
-- OIDCSignInsPrune forgets sign-ins that expired a day before at.
DELETE FROM oidc_sign_ins WHERE expires_at < sqlc.arg(at)::timestamptz - interval '1 day';

-- name: OIDCSignInUse :one
-- OIDCSignInUse takes the pending sign-in of a state once: a used or
-- expired state finds nothing.
UPDATE oidc_sign_ins SET used_at = sqlc.arg(at)::timestamptz
WHERE state_hash = @state_hash AND used_at IS NULL AND expires_at > sqlc.arg(at)::timestamptz
RETURNING nonce, verifier;

-- name: OIDCPersonUsers :many
-- OIDCPersonUsers lists every user of a person with whether the identity
-- provider's groups dropped it.
SELECT u.id, u.role, u.partner_id, u.deactivated_at, (d.user_id IS NOT NULL)::bool AS dropped
FROM users u LEFT JOIN oidc_role_drops d ON d.user_id = u.id
WHERE u.person_id = @person_id
ORDER BY u.created_at, u.id;

-- name: OIDCRoleDrop :exec
-- OIDCRoleDrop deactivates a user whose role the groups no longer grant.
WITH d AS (UPDATE users SET deactivated_at = @at WHERE id = @user_id AND deactivated_at IS NULL RETURNING id)
INSERT INTO oidc_role_drops (user_id, dropped_at) SELECT id, @at FROM d
ON CONFLICT (user_id) DO NOTHING;

-- name: OIDCRoleRestore :exec
-- OIDCRoleRestore reactivates a user the groups dropped and grant again.
WITH d AS (DELETE FROM oidc_role_drops WHERE user_id = @user_id RETURNING user_id)
UPDATE users SET deactivated_at = NULL WHERE id IN (SELECT user_id FROM d);

-- name: OIDCRoleDropsForget :exec
-- OIDCRoleDropsForget makes every deactivated user of a person an admin's
-- deactivation, which no sign-in undoes.
DELETE FROM oidc_role_drops d USING users u, users target
WHERE d.user_id = u.id AND target.id = @user_id AND u.person_id = target.person_id;
