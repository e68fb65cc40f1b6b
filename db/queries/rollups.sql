-- name: DealRollupMove :one
-- DealRollupMove moves the dashboard rollups for event @seq of deal
-- @deal_id (db/functions/50_rollups.sql): false when that event, or a
-- later one, already moved them.
SELECT deal_rollup_move(@deal_id::uuid, @seq::int)::bool;

-- name: DealRollupsRebuild :one
-- DealRollupsRebuild recomputes the dashboard rollups from the deals and
-- their events, and returns how many rollup rows there are.
SELECT deal_rollups_rebuild()::bigint;
