-- Attribution of won deals (docs/incentives.md, "Attribution"): who sourced
-- a deal and what influenced its win, with the evidence; recorded in the
-- win's transaction (deal_attribution_record, called by the deal's
-- RecordEvent on its closed_won event), read by the incentive freeze's
-- attribution filter (deal_attribution_qualifies, db/functions/30_freeze.sql)
-- and by statement explanations (deal_attribution_view).
-- Applied by `dealflow migrate` after the versioned migrations whenever this
-- file changes (db/functions.go): CREATE OR REPLACE only, each function once.

-- attribution_sources lists what influenced deal p_deal, from every source,
-- one row per influence with its evidence (a JSON object) and when it
-- happened:
--   cosell_engagement  a co-sell engagement on the deal that its seller
--                      accepted (its first 'accepted' event: who, when);
--   lead               the lead the deal's registration came from
--                      (leads.deal_id), with its referral code, the partner
--                      it is attributed to and its touch time;
--   referral_click     the click on that lead's referral code that set the
--                      touch (the cookie keeps seconds: the last click on
--                      the code before the touch's next second).
-- Every source is one UNION ALL branch.
CREATE OR REPLACE FUNCTION attribution_sources(p_deal uuid)
RETURNS TABLE (kind text, ref_id text, occurred_at timestamptz, evidence jsonb) LANGUAGE sql STABLE AS $fn$
    SELECT 'cosell_engagement'::text, e.id::text, a.occurred_at,
           jsonb_build_object('engagement_id', e.id, 'type', e.type, 'partner_id', e.partner_id,
                              'seller_email', e.assignee_email, 'accepted_by', a.actor_name,
                              'accepted_by_role', a.actor_role, 'accepted_at', a.occurred_at)
    FROM cosell_engagements e
    JOIN LATERAL (SELECT ev.actor_name, ev.actor_role, ev.occurred_at FROM cosell_events ev
                  WHERE ev.engagement_id = e.id AND ev.type = 'accepted' ORDER BY ev.seq LIMIT 1) a ON true
    WHERE e.deal_id = p_deal
    UNION ALL
    SELECT 'lead'::text, l.id::text, coalesce(l.touched_at, l.created_at),
           jsonb_build_object('lead_id', l.id, 'source', l.source, 'company', l.company_name,
                              'referral_code', l.referral_code, 'attributed_partner_id', l.attributed_partner_id,
                              'touched_at', l.touched_at, 'created_at', l.created_at)
    FROM leads l
    WHERE l.deal_id = p_deal
    UNION ALL
    SELECT 'referral_click'::text, c.id::text, c.clicked_at,
           jsonb_build_object('click_id', c.id, 'code', c.code, 'partner_id', rc.partner_id, 'lead_id', l.id,
                              'clicked_at', c.clicked_at, 'browser', c.ua_family)
    FROM leads l
    JOIN referral_codes rc ON rc.code = l.referral_code
    JOIN LATERAL (SELECT k.id, k.code, k.clicked_at, k.ua_family FROM referral_clicks k
                  WHERE k.code = l.referral_code AND k.clicked_at < l.touched_at + interval '1 second'
                  ORDER BY k.clicked_at DESC LIMIT 1) c ON true
    WHERE l.deal_id = p_deal AND l.touched_at IS NOT NULL
    UNION ALL
    -- A shared opportunity the partner accepted (vendor → partner): the
    -- invitation that became this registration.
    SELECT 'shared_opportunity'::text, i.opportunity_id::text, coalesce(i.decided_at, i.invited_at),
           jsonb_build_object('opportunity_id', i.opportunity_id, 'partner_id', i.partner_id,
                              'seller_email', o.seller_email, 'mode', o.mode, 'accepted_at', i.decided_at)
    FROM cosell_invitations i
    JOIN cosell_opportunities o ON o.id = i.opportunity_id
    WHERE i.deal_id = p_deal AND i.status = 'accepted'
$fn$;

-- attribution_sourced_by says who sourced a deal of kind p_kind with
-- influences of kinds p_influenced: the vendor when it passed the deal (a
-- lead a partner accepted, kind vendor_sourced, or a shared opportunity),
-- the partner otherwise (domain.SourcedBy is the same rule).
CREATE OR REPLACE FUNCTION attribution_sourced_by(p_kind text, p_influenced text[]) RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$
    SELECT CASE WHEN p_kind = 'vendor_sourced' OR 'shared_opportunity' = ANY(p_influenced) THEN 'vendor' ELSE 'partner' END
$fn$;

-- deal_attribution_record records deal p_deal's attribution as its won
-- event p_seq leaves it (p_actor closed it, at p_at), with every influence
-- and its evidence; in the caller's transaction (the win's). Recording the
-- same event again changes nothing. It returns 1 when it recorded, 0 when
-- it was recorded before.
CREATE OR REPLACE FUNCTION deal_attribution_record(p_deal uuid, p_seq integer, p_actor_id text, p_actor_name text,
                                                   p_actor_role text, p_at timestamptz) RETURNS integer LANGUAGE sql AS $fn$
    WITH found AS (SELECT * FROM attribution_sources(p_deal)),
    head AS (
        INSERT INTO deal_attributions (deal_id, won_seq, sourced_by, influenced_by, actor_id, actor_name, actor_role, recorded_at)
        SELECT d.id, p_seq, attribution_sourced_by(d.kind, k.kinds), k.kinds, p_actor_id, p_actor_name, p_actor_role, p_at
        FROM deals d
        CROSS JOIN (SELECT coalesce(array_agg(DISTINCT f.kind ORDER BY f.kind), '{}') AS kinds FROM found f) k
        WHERE d.id = p_deal
        ON CONFLICT (deal_id, won_seq) DO NOTHING
        RETURNING deal_id),
    infl AS (
        INSERT INTO deal_attribution_influences (deal_id, won_seq, ordinal, kind, ref_id, occurred_at, evidence)
        SELECT h.deal_id, p_seq, row_number() OVER (ORDER BY f.occurred_at NULLS LAST, f.kind, f.ref_id), f.kind, f.ref_id,
               f.occurred_at, f.evidence
        FROM head h CROSS JOIN found f
        RETURNING 1)
    SELECT count(*)::integer FROM head
$fn$;

-- deal_attribution_view is deal p_deal's attribution: the record of its
-- latest win, or, for a deal won before attribution was recorded
-- (migration 39) or never won through its workflow, the same computed now
-- (recorded_at NULL). One row per influence, by time; one row with a NULL
-- kind when nothing influenced it.
CREATE OR REPLACE FUNCTION deal_attribution_view(p_deal uuid)
RETURNS TABLE (sourced_by text, influenced_by text[], recorded_at timestamptz, actor_name text,
               kind text, ref_id text, occurred_at timestamptz, evidence jsonb) LANGUAGE sql STABLE AS $fn$
    WITH rec AS (SELECT a.* FROM deal_attributions a WHERE a.deal_id = p_deal ORDER BY a.won_seq DESC LIMIT 1),
    live AS (SELECT * FROM attribution_sources(p_deal) WHERE NOT EXISTS (SELECT 1 FROM rec)),
    head AS (
        SELECT r.sourced_by, r.influenced_by, r.recorded_at, r.actor_name, r.won_seq FROM rec r
        UNION ALL
        SELECT attribution_sourced_by(d.kind, k.kinds), k.kinds, NULL::timestamptz, NULL::text, NULL::integer
        FROM deals d CROSS JOIN (SELECT coalesce(array_agg(DISTINCT l.kind ORDER BY l.kind), '{}') AS kinds FROM live l) k
        WHERE d.id = p_deal AND NOT EXISTS (SELECT 1 FROM rec)),
    infl AS (
        SELECT i.kind, i.ref_id, i.occurred_at, i.evidence, i.ordinal::bigint AS ord
        FROM deal_attribution_influences i JOIN rec r ON i.deal_id = r.deal_id AND i.won_seq = r.won_seq
        UNION ALL
        SELECT l.kind, l.ref_id, l.occurred_at, l.evidence, row_number() OVER (ORDER BY l.occurred_at NULLS LAST, l.kind, l.ref_id)
        FROM live l)
    SELECT h.sourced_by, h.influenced_by, h.recorded_at, h.actor_name, i.kind, i.ref_id, i.occurred_at, i.evidence
    FROM head h LEFT JOIN infl i ON true
    ORDER BY i.ord NULLS FIRST
$fn$;

-- deal_attribution_qualifies says whether deal p_deal (of kind p_kind)
-- passes a program's attribution filter p_filter (its rules' attribution
-- object, domain.AttributionFilter: sourced_by and influenced_by, each an
-- "any of" list, empty or absent: anything), judged on the attribution of
-- its latest win, or computed now for a deal won before it was recorded.
CREATE OR REPLACE FUNCTION deal_attribution_qualifies(p_deal uuid, p_kind text, p_filter jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $fn$
    WITH f AS (SELECT coalesce(ARRAY(SELECT jsonb_array_elements_text(p_filter->'sourced_by')), '{}') AS sourced,
                      coalesce(ARRAY(SELECT jsonb_array_elements_text(p_filter->'influenced_by')), '{}') AS influenced),
    rec AS (SELECT a.sourced_by, a.influenced_by FROM deal_attributions a WHERE a.deal_id = p_deal ORDER BY a.won_seq DESC LIMIT 1),
    attr AS (
        SELECT r.sourced_by, r.influenced_by FROM rec r
        UNION ALL
        SELECT attribution_sourced_by(p_kind, k.kinds), k.kinds
        FROM (SELECT coalesce(array_agg(DISTINCT s.kind), '{}') AS kinds FROM attribution_sources(p_deal) s) k
        WHERE NOT EXISTS (SELECT 1 FROM rec))
    SELECT coalesce(bool_and((cardinality(f.sourced) = 0 OR a.sourced_by = ANY(f.sourced))
                             AND (cardinality(f.influenced) = 0 OR a.influenced_by && f.influenced)), false)
    FROM attr a CROSS JOIN f
$fn$;
