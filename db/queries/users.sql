-- name: UserEnsure :one
-- UserEnsure returns the service user (no person: an integration) with
-- this name, role and organization, creating it on first use, so minting
-- a second token keeps one identity.
INSERT INTO users (name, role, partner_id)
VALUES (@name, @role, sqlc.narg(partner_id))
ON CONFLICT (name, role, coalesce(partner_id, '00000000-0000-0000-0000-000000000000'::uuid)) WHERE person_id IS NULL
DO UPDATE SET name = EXCLUDED.name
RETURNING *;

-- name: PersonUserEnsure :one
-- PersonUserEnsure returns the person's user with this role and
-- organization, creating it on first use; its name follows the person's.
INSERT INTO users (name, role, partner_id, person_id)
VALUES (@name, @role, sqlc.narg(partner_id), @person_id)
ON CONFLICT (person_id, role, coalesce(partner_id, '00000000-0000-0000-0000-000000000000'::uuid)) WHERE person_id IS NOT NULL
DO UPDATE SET name = EXCLUDED.name
RETURNING *;

-- name: PersonUser :one
SELECT * FROM users
WHERE person_id = @person_id AND role = @role AND partner_id IS NOT DISTINCT FROM sqlc.narg(partner_id);

-- name: PersonByEmail :one
SELECT * FROM people WHERE email = @email;

-- name: PersonCreate :one
-- PersonCreate adds a person, or returns the one that has the e-mail.
INSERT INTO people (email, name) VALUES (@email, @name)
ON CONFLICT (email) DO UPDATE SET email = EXCLUDED.email
RETURNING *;

-- name: PersonSetEmail :one
-- PersonSetEmail gives a migrated person (no e-mail yet) its address.
UPDATE people SET email = @email WHERE id = @id AND email IS NULL RETURNING *;

-- name: PersonRename :exec
UPDATE people SET name = @name WHERE id = @id;

-- name: UserWithoutEmail :one
-- UserWithoutEmail finds a user migrated from before people existed (its
-- person has no e-mail yet) by what identified it then.
SELECT u.* FROM users u JOIN people p ON p.id = u.person_id
WHERE p.email IS NULL AND u.name = @name AND u.role = @role AND u.partner_id IS NOT DISTINCT FROM sqlc.narg(partner_id);

-- name: UserJoinPerson :exec
UPDATE users SET person_id = @person_id WHERE id = @id;

-- name: TokensMove :exec
-- TokensMove hands a user's tokens to another user (of the same person).
UPDATE api_tokens SET user_id = @to_user WHERE user_id = @from_user;

-- name: PersonInOtherOrganization :one
-- PersonInOtherOrganization reports whether the person acts for another
-- organization than partner_id (NULL: the vendor) through any user.
SELECT EXISTS (SELECT 1 FROM users WHERE person_id = @person_id AND partner_id IS DISTINCT FROM sqlc.narg(partner_id));

-- name: TokenCreate :one
INSERT INTO api_tokens (user_id, token_hash)
VALUES (@user_id, @token_hash)
RETURNING id, user_id, created_at;

-- name: PrincipalByTokenHash :one
-- PrincipalByTokenHash resolves a bearer token (by its hash) to who holds
-- it: the user, and the person behind it (none for a service user). A
-- deactivated user's tokens resolve to nothing.
SELECT u.id AS user_id, coalesce(p.name, u.name)::text AS name, u.role, u.partner_id, u.person_id, t.id AS token_id
FROM api_tokens t
JOIN users u ON u.id = t.user_id
LEFT JOIN people p ON p.id = u.person_id
WHERE t.token_hash = @token_hash AND t.revoked_at IS NULL AND u.deactivated_at IS NULL;

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
    UPDATE api_tokens a SET revoked_at = coalesce(a.revoked_at, sqlc.arg(now)::timestamptz) WHERE a.id = sqlc.arg(id)
    RETURNING a.id, a.user_id, a.created_at, a.revoked_at
)
SELECT t.id, t.user_id, u.name, u.role, u.partner_id, t.created_at, t.revoked_at
FROM t
JOIN users u ON u.id = t.user_id;
