-- name: DealAttributionRecord :one
-- DealAttributionRecord records a deal's attribution as its won event
-- leaves it, in the win's transaction (deal_attribution_record,
-- db/functions/60_attribution.sql); 0 when that event's was recorded before.
SELECT deal_attribution_record(@deal_id::uuid, @won_seq::integer, @actor_id::text, @actor_name::text,
                               @actor_role::text, @recorded_at::timestamptz)::integer;

-- name: DealAttributionsOf :many
-- DealAttributionsOf reads the attribution of each of the deals (the record
-- of its latest win, or computed now when none was recorded) as one JSON
-- object per deal: sourced_by, recorded_at (null: computed now) and the
-- influences in the record's order, with their evidence. The caller
-- passes only deals it may read (a statement line's, scoped).
SELECT d.id::uuid AS deal_id,
       jsonb_build_object('sourced_by', max(v.sourced_by), 'recorded_at', max(v.recorded_at),
           'influences', coalesce(jsonb_agg(jsonb_build_object('kind', v.kind, 'ref_id', v.ref_id, 'occurred_at', v.occurred_at,
                                                               'evidence', v.evidence)
                                            ORDER BY v.occurred_at NULLS LAST, v.kind, v.ref_id) FILTER (WHERE v.kind IS NOT NULL),
                                  '[]'::jsonb))::jsonb AS attribution
FROM unnest(@deal_ids::uuid[]) AS d(id)
CROSS JOIN LATERAL deal_attribution_view(d.id) v
GROUP BY d.id;
