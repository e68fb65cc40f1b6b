-- name: InvitationCreate :one
INSERT INTO invitations (token_hash, email, name, role, partner_id, invited_by, created_at, expires_at)
VALUES (@token_hash, @email, @name, @role, sqlc.narg(partner_id), @invited_by, @created_at, @expires_at)
RETURNING *;

-- name: InvitationByTokenHash :one
-- InvitationByTokenHash finds an invitation by its token's hash, locking
-- it so that two acceptances of one link cannot both succeed.
SELECT * FROM invitations WHERE token_hash = @token_hash FOR UPDATE;

-- name: InvitationAccept :execrows
UPDATE invitations SET accepted_at = @accepted_at, user_id = @user_id WHERE id = @id AND accepted_at IS NULL;

-- name: InvitationNotify :exec
-- InvitationNotify writes the invitation e-mail to the notifications
-- outbox (no deal), addressed to email:<address>; delivery sends it.
INSERT INTO notifications (deal_id, event_seq, ordinal, audience, kind, subject, body, created_at)
VALUES (NULL, NULL, 0, @audience, 'invitation', @subject, @body, @created_at);

-- name: PersonSetPassword :exec
UPDATE people SET password_hash = @password_hash WHERE id = @id;

-- name: PasswordSignInCandidate :one
-- PasswordSignInCandidate is the person with this e-mail and the active
-- user a password sign-in opens a session for: the most privileged of the
-- person's active users.
SELECT p.id AS person_id, p.password_hash, u.id AS user_id, u.role
FROM people p
JOIN users u ON u.person_id = p.id AND u.deactivated_at IS NULL
WHERE p.email = @email AND p.password_hash IS NOT NULL
ORDER BY CASE u.role WHEN 'admin' THEN 0 WHEN 'partner_admin' THEN 1 WHEN 'finance' THEN 2 WHEN 'channel_manager' THEN 3 ELSE 4 END
LIMIT 1;

-- name: SessionCreateForUser :exec
INSERT INTO console_sessions (id_hash, user_id, csrf, expires_at) VALUES (@id_hash, @user_id, @csrf, @expires_at);

-- name: PeopleList :many
-- PeopleList lists the users of an organization (scope_partner_id NULL:
-- the vendor's own users) with their people, for admins.
SELECT u.id, coalesce(p.name, u.name)::text AS name, coalesce(p.email, '')::text AS email, u.role, u.partner_id,
       u.person_id, u.created_at, u.deactivated_at
FROM users u
LEFT JOIN people p ON p.id = u.person_id
WHERE u.partner_id IS NOT DISTINCT FROM sqlc.narg(scope_partner_id)
ORDER BY lower(coalesce(p.name, u.name)), u.id;

-- name: UserInOrganization :one
-- UserInOrganization finds a user of an organization (partner_id NULL: the
-- vendor); a user of another organization is not found.
SELECT * FROM users WHERE id = @id AND partner_id IS NOT DISTINCT FROM sqlc.narg(partner_id);

-- name: UserDeactivate :execrows
-- UserDeactivate deactivates a user and every other user of the same
-- person in the same organization, keeping the first deactivation's time.
UPDATE users u SET deactivated_at = coalesce(u.deactivated_at, sqlc.arg(at)::timestamptz)
FROM users target
WHERE target.id = sqlc.arg(id)
  AND (u.id = target.id OR (u.person_id = target.person_id AND u.partner_id IS NOT DISTINCT FROM target.partner_id));

-- name: SessionsEndForPerson :execrows
UPDATE console_sessions s SET ended_at = now()
FROM users u
WHERE u.id = coalesce(s.user_id, (SELECT t.user_id FROM api_tokens t WHERE t.id = s.token_id))
  AND u.deactivated_at IS NOT NULL AND s.ended_at IS NULL;

-- name: UserSetRole :one
UPDATE users SET role = @role WHERE id = @id RETURNING *;

-- name: PartnerUpdate :one
UPDATE partners SET type = @type, tier = @tier, program_id = sqlc.narg(program_id) WHERE id = @id RETURNING *;

-- name: PartnerGetForUpdate :one
SELECT * FROM partners WHERE id = @id FOR UPDATE;

-- name: PartnerEventAdd :exec
INSERT INTO partner_events (partner_id, kind, old_value, new_value, actor_user_id, actor_person_id, actor_name, reason, at)
VALUES (@partner_id, @kind, @old_value, @new_value, sqlc.narg(actor_user_id), sqlc.narg(actor_person_id), @actor_name, @reason, @at);

-- name: PartnerEvents :many
SELECT * FROM partner_events WHERE partner_id = @partner_id ORDER BY id;

-- name: UserByID :one
SELECT * FROM users WHERE id = @id;
