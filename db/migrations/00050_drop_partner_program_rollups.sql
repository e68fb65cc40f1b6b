-- deal_rollups' partner_program dimension (migration 00031) is read by no
-- query since top partners and by tier of one program read partner_running
-- (migration 00047, which back-filled from it): every deal event stopped
-- writing it (db/functions/50_rollups.sql), and its rows go.

-- +goose Up
DELETE FROM deal_rollups WHERE dim = 'partner_program';

-- +goose Down
-- Nothing to restore: no query reads the dimension, and the functions
-- that would write it are gone.
SELECT 1;
