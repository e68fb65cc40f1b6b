-- Every change to a partner organization (its creation, type, tier or
-- program) is an event with its actor and reason; the tier history is the
-- partner's events of kind 'tier'.

-- +goose Up
CREATE TABLE partner_events (
    id              bigserial PRIMARY KEY,
    partner_id      uuid NOT NULL REFERENCES partners (id),
    kind            text NOT NULL CHECK (kind IN ('created', 'type', 'tier', 'program')),
    old_value       text NOT NULL DEFAULT '',
    new_value       text NOT NULL,
    actor_user_id   uuid REFERENCES users (id),
    actor_person_id uuid,
    actor_name      text NOT NULL,
    reason          text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 2000),
    at              timestamptz NOT NULL
);
CREATE INDEX partner_events_partner ON partner_events (partner_id, id);

-- +goose Down
DROP TABLE partner_events;
