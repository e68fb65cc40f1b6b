-- The dashboard's top partners over its default period, kept as running
-- totals. Ranking partners from partner_rollups (migration 00029) sums a
-- row per partner-month (about 11,000 at a million deals) on every view;
-- these keep those sums for one window of months, so that the default view
-- reads the top ten of an index.
--
-- partner_window is the window kept: whole months from since to until
-- (firsts of months, both included; none until the dashboard first asks).
-- partner_window_totals holds each partner's registrations and approvals
-- in the window, every currency together (a row while they are not both
-- zero); partner_window_won its closed-won value in the window per
-- currency (a row while it is not zero). They are partner_rollups summed
-- over the window's months: moved with partner_rollups in the transaction
-- that records a deal event (rollup_pivot_add), moved to another window by
-- partner_window_roll when the dashboard's default period has moved on
-- (a new month), and recomputed by deal_rollups_rebuild
-- (db/functions/50_rollups.sql, 55_partner_window.sql).

-- +goose Up
CREATE TABLE partner_window (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    since    date,
    until    date,
    CHECK ((since IS NULL) = (until IS NULL) AND since <= until)
);

INSERT INTO partner_window (only_row) VALUES (true);

CREATE TABLE partner_window_totals (
    partner_id uuid PRIMARY KEY,
    registered bigint NOT NULL,
    -- approved: deals now approved, closed-won, closed-lost or expired.
    approved   bigint NOT NULL
);

CREATE TABLE partner_window_won (
    currency   text NOT NULL,
    partner_id uuid NOT NULL,
    won_amount bigint NOT NULL,
    PRIMARY KEY (currency, partner_id)
);

-- The partners by registrations, for a currency in which fewer than ten
-- partners won anything (the rest rank by registrations).
CREATE INDEX partner_window_totals_rank ON partner_window_totals (registered DESC);

-- The top partners by won value in a currency: an index scan.
CREATE INDEX partner_window_won_rank ON partner_window_won (currency, won_amount DESC);

-- +goose Down
DROP FUNCTION IF EXISTS partner_window_roll(date, date);
DROP FUNCTION IF EXISTS partner_window_add(uuid, date, text, bigint, bigint, bigint);
DROP TABLE partner_window_won;
DROP TABLE partner_window_totals;
DROP TABLE partner_window;
