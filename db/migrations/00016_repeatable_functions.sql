-- SQL functions become repeatable definitions kept once in db/functions/:
-- `dealflow migrate` applies each file after the versioned migrations
-- whenever its checksum differs from the one recorded here. Versioned
-- migrations hold schema changes only.
--
-- The accrue_* functions of migrations 7 and 9 read the lineage table that
-- migration 10 replaced; nothing calls them.

-- +goose Up
CREATE TABLE schema_functions (
    file       text PRIMARY KEY,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
DROP FUNCTION IF EXISTS accrue_rebate(uuid, jsonb, text, text);
DROP FUNCTION IF EXISTS accrue_referral(uuid, bigint, bigint, text);
DROP FUNCTION IF EXISTS accrue_spiff(uuid, uuid, text, bigint, bigint, text);

-- +goose Down
DROP TABLE schema_functions;
