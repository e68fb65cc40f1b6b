-- +goose Up
-- Attribution of won deals (docs/incentives.md, "Attribution"): when a deal
-- is won, who sourced it (the partner or the vendor) and what influenced
-- the win (an accepted co-sell engagement, a shared opportunity, the lead
-- it came from, the referral click behind that lead), each with its
-- evidence. Written in the win's own transaction (deal_attribution_record,
-- db/functions/60_attribution.sql), one record per closed_won event of the
-- deal; append-only, so a statement explains a payment by the attribution
-- as it stood when the deal was won.
CREATE TABLE deal_attributions (
    deal_id       uuid NOT NULL REFERENCES deals (id),
    -- won_seq is the deal event (deal_events.seq) that won the deal
    won_seq       integer NOT NULL CHECK (won_seq > 0),
    sourced_by    text NOT NULL CHECK (sourced_by IN ('partner', 'vendor')),
    -- influenced_by lists the kinds of its influences, each once (the
    -- incentive programs' attribution filter reads it)
    influenced_by text[] NOT NULL DEFAULT '{}',
    actor_id      text NOT NULL,
    actor_name    text NOT NULL,
    actor_role    text NOT NULL,
    recorded_at   timestamptz NOT NULL,
    PRIMARY KEY (deal_id, won_seq)
);

-- deal_attribution_influences: each influence of a recorded attribution
-- with its evidence (ids, who accepted, codes, touch times).
CREATE TABLE deal_attribution_influences (
    deal_id     uuid NOT NULL,
    won_seq     integer NOT NULL,
    ordinal     integer NOT NULL CHECK (ordinal > 0),
    kind        text NOT NULL CHECK (kind IN ('cosell_engagement', 'shared_opportunity', 'lead', 'referral_click')),
    ref_id      text NOT NULL,
    occurred_at timestamptz,
    evidence    jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(evidence) = 'object'),
    PRIMARY KEY (deal_id, won_seq, ordinal),
    FOREIGN KEY (deal_id, won_seq) REFERENCES deal_attributions (deal_id, won_seq)
);

CREATE TRIGGER deal_attributions_append_only BEFORE UPDATE OR DELETE ON deal_attributions
    FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER deal_attribution_influences_append_only BEFORE UPDATE OR DELETE ON deal_attribution_influences
    FOR EACH ROW EXECUTE FUNCTION reject_change();

-- The attribution's sources are looked up by deal.
CREATE INDEX IF NOT EXISTS leads_deal ON leads (deal_id) WHERE deal_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS cosell_engagements_deal ON cosell_engagements (deal_id);

-- +goose Down
DROP INDEX IF EXISTS cosell_engagements_deal;
DROP INDEX IF EXISTS leads_deal;
DROP TABLE deal_attribution_influences;
DROP TABLE deal_attributions;
