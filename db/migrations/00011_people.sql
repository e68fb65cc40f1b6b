-- People: a person (one e-mail address) may hold several roles and tokens.
-- A user is a person acting with one role for one organization, and
-- four-eyes rules compare the people behind users, not the users. A
-- service user (an integration such as a CRM) has no person and never
-- counts as an approver. Each user that existed before becomes a person of
-- its own (same id) without an e-mail: the next `dealflow token create`
-- for that user (its --name, --role and --partner) must give --email,
-- which is attached to that person (or, when another person has that
-- e-mail already, the user and its tokens join that person). Events record
-- the person of their actor.

-- +goose Up
CREATE TABLE people (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- lower-cased, so two spellings of an address are one person; NULL
    -- only for a person migrated from a user that had no e-mail.
    email      text UNIQUE CHECK (email = lower(btrim(email)) AND length(email) <= 254 AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    name       text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE users ADD COLUMN person_id uuid REFERENCES people (id);
INSERT INTO people (id, name, created_at) SELECT id, name, created_at FROM users;
UPDATE users SET person_id = id;

-- A person holds a role once per organization; a service user is known by
-- its name, role and organization (what a user was before).
DROP INDEX users_identity;
CREATE UNIQUE INDEX users_person_role ON users (person_id, role, coalesce(partner_id, '00000000-0000-0000-0000-000000000000'::uuid))
    WHERE person_id IS NOT NULL;
CREATE UNIQUE INDEX users_service_identity ON users (name, role, coalesce(partner_id, '00000000-0000-0000-0000-000000000000'::uuid))
    WHERE person_id IS NULL;

-- The person behind an event's actor (NULL: a service, dealflow itself, or
-- an event recorded before people existed). No foreign key: recording an
-- accepted step must never fail on it.
ALTER TABLE deal_events ADD COLUMN actor_person_id uuid;
ALTER TABLE cycle_events ADD COLUMN actor_person_id uuid;

-- +goose Down
ALTER TABLE cycle_events DROP COLUMN actor_person_id;
ALTER TABLE deal_events DROP COLUMN actor_person_id;
DROP INDEX users_service_identity;
DROP INDEX users_person_role;
CREATE UNIQUE INDEX users_identity ON users (name, role, coalesce(partner_id, '00000000-0000-0000-0000-000000000000'::uuid));
ALTER TABLE users DROP COLUMN person_id;
DROP TABLE people;
