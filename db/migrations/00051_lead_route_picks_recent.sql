-- +goose Up
-- Routing counts the picks of the last hour whose offers are not recorded
-- yet as load (LeadCandidates): it reads them by the time they were made.
CREATE INDEX lead_route_picks_picked_at ON lead_route_picks (picked_at);

-- +goose Down
DROP INDEX lead_route_picks_picked_at;
