-- name: SignInPersonByEmail :one
-- SignInPersonByEmail is the person with this e-mail who has an active
-- user, and the user a sign-in by link opens a session for: the most
-- privileged of the person's active users.
SELECT p.id AS person_id, p.name, u.id AS user_id, u.role, (p.totp_enabled_at IS NOT NULL)::bool AS totp_enabled
FROM people p
JOIN users u ON u.person_id = p.id AND u.deactivated_at IS NULL
WHERE p.email = @email
ORDER BY CASE u.role WHEN 'admin' THEN 0 WHEN 'partner_admin' THEN 1 WHEN 'finance' THEN 2 WHEN 'channel_manager' THEN 3 ELSE 4 END
LIMIT 1;

-- name: SignInUserOfPerson :one
-- SignInUserOfPerson is the most privileged active user of a person.
SELECT u.id AS user_id, u.role, (p.totp_enabled_at IS NOT NULL)::bool AS totp_enabled
FROM people p
JOIN users u ON u.person_id = p.id AND u.deactivated_at IS NULL
WHERE p.id = @person_id
ORDER BY CASE u.role WHEN 'admin' THEN 0 WHEN 'partner_admin' THEN 1 WHEN 'finance' THEN 2 WHEN 'channel_manager' THEN 3 ELSE 4 END
LIMIT 1;

-- name: SignInLinkRecentCount :one
-- SignInLinkRecentCount counts the links of a purpose mailed to a person
-- since a time, to cap how many one address can be sent.
SELECT count(*) FROM sign_in_links WHERE person_id = @person_id AND purpose = @purpose AND created_at > @since;

-- name: SignInLinkCreate :one
INSERT INTO sign_in_links (token_hash, person_id, purpose, created_at, expires_at)
VALUES (@token_hash, @person_id, @purpose, @created_at, @expires_at)
RETURNING *;

-- name: SignInLinkByTokenHash :one
-- SignInLinkByTokenHash finds a link by its token's hash and purpose,
-- locking it so that two uses of one link cannot both succeed.
SELECT * FROM sign_in_links WHERE token_hash = @token_hash AND purpose = @purpose FOR UPDATE;

-- name: SignInLinkPeek :one
-- SignInLinkPeek reads a link without using it (to tell a visitor early
-- that it is used or expired).
SELECT * FROM sign_in_links WHERE token_hash = @token_hash AND purpose = @purpose;

-- name: SignInLinkUse :execrows
UPDATE sign_in_links SET used_at = @used_at WHERE id = @id AND used_at IS NULL;

-- name: SignInLinksRetire :exec
-- SignInLinksRetire marks a person's other unused links of a purpose used,
-- once one of them was: a new password makes older reset links void.
UPDATE sign_in_links SET used_at = @used_at WHERE person_id = @person_id AND purpose = @purpose AND used_at IS NULL;

-- name: SignInLinkNotify :exec
-- SignInLinkNotify writes a link's e-mail to the notifications outbox (no
-- deal), addressed to email:<address>; delivery sends it whatever the
-- person's preferences, since the person asked for it.
INSERT INTO notifications (deal_id, event_seq, ordinal, audience, kind, subject, body, created_at)
VALUES (NULL, NULL, 0, @audience, @kind, @subject, @body, @created_at);

-- name: SessionsEndForPersonAll :execrows
-- SessionsEndForPersonAll ends every live console session of a person's
-- users (opened by a password, a link or one of their tokens): after a
-- password reset.
UPDATE console_sessions s SET ended_at = now()
FROM users u
WHERE u.person_id = @person_id
  AND (s.user_id = u.id OR s.token_id IN (SELECT t.id FROM api_tokens t WHERE t.user_id = u.id))
  AND s.ended_at IS NULL;

-- name: PersonTOTP :one
SELECT id, email, totp_secret, totp_enabled_at, totp_last_step FROM people WHERE id = @id;

-- name: PersonTOTPForUpdate :one
SELECT id, email, totp_secret, totp_enabled_at, totp_last_step FROM people WHERE id = @id FOR UPDATE;

-- name: PersonTOTPBegin :exec
-- PersonTOTPBegin stores a new, not yet confirmed secret (replacing a
-- pending one); an enabled TOTP is never replaced this way.
UPDATE people SET totp_secret = @totp_secret, totp_last_step = NULL WHERE id = @id AND totp_enabled_at IS NULL;

-- name: PersonTOTPEnable :exec
UPDATE people SET totp_enabled_at = @enabled_at WHERE id = @id AND totp_secret IS NOT NULL;

-- name: PersonTOTPDisable :exec
UPDATE people SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL WHERE id = @id;

-- name: PersonTOTPAcceptStep :execrows
-- PersonTOTPAcceptStep records the step of a code just accepted, unless
-- that step or a later one was accepted before: a code is used once.
UPDATE people SET totp_last_step = @step WHERE id = @id AND (totp_last_step IS NULL OR totp_last_step < @step);

-- name: RecoveryCodesDelete :exec
DELETE FROM recovery_codes WHERE person_id = @person_id;

-- name: RecoveryCodeAdd :exec
INSERT INTO recovery_codes (person_id, code_hash, created_at) VALUES (@person_id, @code_hash, @created_at);

-- name: RecoveryCodeUse :execrows
UPDATE recovery_codes SET used_at = @used_at WHERE person_id = @person_id AND code_hash = @code_hash AND used_at IS NULL;

-- name: RecoveryCodesLeft :one
SELECT count(*) FROM recovery_codes WHERE person_id = @person_id AND used_at IS NULL;

-- name: MFAChallengeCreate :exec
INSERT INTO mfa_challenges (id_hash, user_id, created_at, expires_at) VALUES (@id_hash, @user_id, @created_at, @expires_at);

-- name: MFAChallengeGet :one
-- MFAChallengeGet is a live challenge with its user's person, locked while
-- a code is checked against it.
SELECT c.id_hash, c.user_id, c.failures, u.role, u.person_id
FROM mfa_challenges c JOIN users u ON u.id = c.user_id AND u.deactivated_at IS NULL
WHERE c.id_hash = @id_hash AND c.ended_at IS NULL AND c.expires_at > @now
FOR UPDATE OF c;

-- name: MFAChallengeFailed :one
UPDATE mfa_challenges SET failures = failures + 1, ended_at = CASE WHEN failures + 1 >= sqlc.arg(max_failures)::int THEN sqlc.arg(now)::timestamptz ELSE NULL END
WHERE id_hash = @id_hash RETURNING failures;

-- name: MFAChallengeEnd :exec
UPDATE mfa_challenges SET ended_at = @now WHERE id_hash = @id_hash AND ended_at IS NULL;

-- name: PersonMayUseTOTP :one
-- PersonMayUseTOTP reports whether a person holds an active user whose
-- role may enrol a second factor.
SELECT EXISTS (SELECT 1 FROM users WHERE person_id = @person_id AND deactivated_at IS NULL AND role = ANY(@roles::text[]))::bool;
