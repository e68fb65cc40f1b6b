-- Dashboard rollups pivoted by status, for the two views that rank or group
-- partners: the top partners and the pipeline by tier. deal_rollups keeps a
-- row per status and month for each of some 10,000 partners, so ranking
-- them aggregated up to ten rows per partner-month and joined every one to
-- the partners table; these keep one row per partner-month (and per
-- tier-month) with the statuses as columns.
--
-- partner_rollups is deal_rollups' partner dimension pivoted; tier_rollups
-- the same summed by the partner's tier now (lower-cased): when a partner's
-- tier changes, its rows move from the old tier to the new one in the
-- update's transaction (trigger partners_tier_rollups, db/functions/50_rollups.sql).
-- Both move with deal_rollup_move and are recomputed by deal_rollups_rebuild.

-- +goose Up
CREATE TABLE partner_rollups (
    month         date NOT NULL,
    partner_id    uuid NOT NULL,
    currency      text NOT NULL,
    registered    bigint NOT NULL,
    -- approved: deals now approved, closed-won, closed-lost or expired.
    approved      bigint NOT NULL,
    won_deals     bigint NOT NULL,
    lost_deals    bigint NOT NULL,
    expired_deals bigint NOT NULL,
    won_amount    bigint NOT NULL,
    PRIMARY KEY (month, partner_id, currency)
);

CREATE INDEX partner_rollups_partner ON partner_rollups (partner_id);

CREATE TABLE tier_rollups (
    month         date NOT NULL,
    tier          text NOT NULL,
    currency      text NOT NULL,
    registered    bigint NOT NULL,
    approved      bigint NOT NULL,
    won_deals     bigint NOT NULL,
    lost_deals    bigint NOT NULL,
    expired_deals bigint NOT NULL,
    won_amount    bigint NOT NULL,
    PRIMARY KEY (month, tier, currency)
);

-- An upgraded database already holds deal_rollups: pivot them once.
INSERT INTO partner_rollups
SELECT r.month, r.key::uuid, r.currency, sum(r.deals),
       coalesce(sum(r.deals) FILTER (WHERE r.status IN ('approved', 'closed_won', 'closed_lost', 'expired')), 0),
       coalesce(sum(r.deals) FILTER (WHERE r.status = 'closed_won'), 0),
       coalesce(sum(r.deals) FILTER (WHERE r.status = 'closed_lost'), 0),
       coalesce(sum(r.deals) FILTER (WHERE r.status = 'expired'), 0),
       coalesce(sum(r.won_amount) FILTER (WHERE r.status = 'closed_won'), 0)
FROM deal_rollups r
WHERE r.dim = 'partner'
GROUP BY 1, 2, 3;

INSERT INTO tier_rollups
SELECT r.month, lower(p.tier), r.currency, sum(r.registered), sum(r.approved), sum(r.won_deals),
       sum(r.lost_deals), sum(r.expired_deals), sum(r.won_amount)
FROM partner_rollups r JOIN partners p ON p.id = r.partner_id
GROUP BY 1, 2, 3;

-- +goose Down
DROP TRIGGER IF EXISTS partners_tier_rollups ON partners;
DROP FUNCTION IF EXISTS partners_tier_rollups();
DROP FUNCTION IF EXISTS rollup_pivots_move(uuid, deal_rollup_facts, deal_rollup_facts);
DROP TABLE tier_rollups;
DROP TABLE partner_rollups;
