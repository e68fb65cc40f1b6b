-- +goose Up
-- Lead routing picks (docs/lead.md, "Routing rules"): routing a lead's
-- round chooses its partners and counts them for round-robin in one
-- transaction, under the program's routing lock, and keeps the pick here,
-- so leads routed at the same time read each other's counts, and a
-- retried or re-executed routing of the same round returns the same pick
-- without counting it again.
CREATE TABLE lead_route_picks (
    lead_id   uuid NOT NULL REFERENCES leads (id),
    round     integer NOT NULL CHECK (round > 0),
    partners  uuid[] NOT NULL,
    rule      text NOT NULL,
    picked_at timestamptz NOT NULL, -- the workflow's time
    PRIMARY KEY (lead_id, round)
);

-- +goose Down
DROP TABLE lead_route_picks;
