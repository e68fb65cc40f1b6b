-- name: PartnerAccountsUpsert :many
-- PartnerAccountsUpsert inserts or updates a partner's accounts by its
-- external id in one statement (the triggers re-map what changed);
-- inserted tells which rows are new.
INSERT INTO partner_accounts (partner_id, external_id, name, name_full, name_core, name_keys, domain,
                              registrable_domain, domain_label, country, relation)
SELECT @partner_id::uuid, u.external_id, u.name, u.name_full, u.name_core, u.name_keys::bigint[], u.domain,
       u.registrable_domain, u.domain_label, u.country, u.relation
FROM (SELECT unnest(@external_ids::text[]) AS external_id, unnest(@names::text[]) AS name,
             unnest(@names_full::text[]) AS name_full, unnest(@names_core::text[]) AS name_core,
             unnest(@names_keys::text[]) AS name_keys, unnest(@domains::text[]) AS domain,
             unnest(@registrable_domains::text[]) AS registrable_domain,
             unnest(@domain_labels::text[]) AS domain_label, unnest(@countries::text[]) AS country,
             unnest(@relations::text[]) AS relation) AS u
ON CONFLICT (partner_id, external_id) DO UPDATE SET
    name = EXCLUDED.name, name_full = EXCLUDED.name_full, name_core = EXCLUDED.name_core,
    name_keys = EXCLUDED.name_keys, domain = EXCLUDED.domain, registrable_domain = EXCLUDED.registrable_domain,
    domain_label = EXCLUDED.domain_label, country = EXCLUDED.country, relation = EXCLUDED.relation,
    updated_at = now()
RETURNING external_id, (xmax = 0) AS inserted;

-- name: MappingOptInList :many
-- MappingOptInList lists the categories a partner shares.
SELECT partner_relation, vendor_category, opted_in_at
FROM mapping_opt_ins
WHERE partner_id = @partner_id
ORDER BY partner_relation, vendor_category;

-- name: MappingOptInRetain :exec
-- MappingOptInRetain withdraws the partner's categories that are not in
-- the lists, recording each withdrawal (mapping_opt_in_events) as actor's
-- at at; those kept keep when and by whom they were opted into.
WITH gone AS (
    DELETE FROM mapping_opt_ins o
    WHERE o.partner_id = @partner_id
      AND NOT EXISTS (SELECT 1 FROM (SELECT unnest(@partner_relations::text[]) AS r, unnest(@vendor_categories::text[]) AS c) AS u
                      WHERE u.r = o.partner_relation AND u.c = o.vendor_category)
    RETURNING o.partner_id, o.partner_relation, o.vendor_category
)
INSERT INTO mapping_opt_in_events (partner_id, partner_relation, vendor_category, action, actor_id, occurred_at)
SELECT g.partner_id, g.partner_relation, g.vendor_category, 'withdrawn', @actor_id::uuid, @at::timestamptz
FROM gone g
ORDER BY g.partner_relation, g.vendor_category;

-- name: MappingOptInAdd :exec
-- MappingOptInAdd opts the partner into the categories it does not share
-- yet (those it shares keep their first opt-in), recording each new one
-- (mapping_opt_in_events).
WITH added AS (
    INSERT INTO mapping_opt_ins (partner_id, partner_relation, vendor_category, opted_in_by, opted_in_at)
    SELECT @partner_id::uuid, u.r, u.c, @opted_in_by::uuid, @opted_in_at::timestamptz
    FROM (SELECT unnest(@partner_relations::text[]) AS r, unnest(@vendor_categories::text[]) AS c) AS u
    ON CONFLICT DO NOTHING
    RETURNING partner_id, partner_relation, vendor_category, opted_in_by, opted_in_at
)
INSERT INTO mapping_opt_in_events (partner_id, partner_relation, vendor_category, action, actor_id, occurred_at)
SELECT a.partner_id, a.partner_relation, a.vendor_category, 'opted_in', a.opted_in_by, a.opted_in_at
FROM added a
ORDER BY a.partner_relation, a.vendor_category;

-- name: MappingOptInHistory :many
-- MappingOptInHistory is a partner's consent history, oldest first, with
-- who acted. Scoped in SQL by partner.
SELECT e.partner_relation, e.vendor_category, e.action, e.actor_id, coalesce(p.name, u.name)::text AS actor_name, e.occurred_at
FROM mapping_opt_in_events e
JOIN users u ON u.id = e.actor_id
LEFT JOIN people p ON p.id = u.person_id
WHERE e.partner_id = @partner_id
ORDER BY e.occurred_at, e.id;

-- name: MappingPartnerOverlaps :many
-- MappingPartnerOverlaps is a partner's overlap report: its own accounts in
-- the categories it opted into, each with the vendor's category and the
-- best score, never the vendor's records. Scoped in SQL by partner.
SELECT pa.id, pa.external_id, pa.name, pa.domain, pa.country, o.partner_relation, o.vendor_category,
       max(o.score)::float8 AS score, count(*)::bigint AS matches
FROM account_overlaps o
JOIN partner_accounts pa ON pa.id = o.partner_account_id
JOIN mapping_opt_ins i ON i.partner_id = o.partner_id AND i.partner_relation = o.partner_relation
                      AND i.vendor_category = o.vendor_category
WHERE o.partner_id = @partner_id
  AND (@partner_relation::text = '' OR o.partner_relation = @partner_relation)
  AND (@vendor_category::text = '' OR o.vendor_category = @vendor_category)
  AND o.score >= @min_score::float8
  AND (@q::text = '' OR pa.name ILIKE '%' || @q || '%' OR pa.domain ILIKE '%' || @q || '%')
GROUP BY pa.id, o.partner_relation, o.vendor_category
ORDER BY pa.name, pa.id, o.vendor_category
LIMIT @max_rows;

-- name: MappingVendorOverlaps :many
-- MappingVendorOverlaps is the vendor's overlap report (channel managers,
-- admins; a seller: only the accounts they own): each overlap of an
-- opted-in category with both sides named, the score and the explanation.
SELECT o.partner_account_id, pa.external_id AS partner_external_id, pa.name AS partner_account_name,
       o.partner_id, p.name AS partner_name, o.partner_relation, o.vendor_category, o.vendor_kind, o.vendor_id,
       v.name AS vendor_name, v.owner_email, o.score::float8 AS score, o.class, o.explanation
FROM account_overlaps o
JOIN partner_accounts pa ON pa.id = o.partner_account_id
JOIN partners p ON p.id = o.partner_id
JOIN mapping_opt_ins i ON i.partner_id = o.partner_id AND i.partner_relation = o.partner_relation
                      AND i.vendor_category = o.vendor_category
JOIN LATERAL (SELECT a.name, a.owner_email FROM accounts a WHERE o.vendor_kind = 'account' AND a.id = o.vendor_id
              UNION ALL
              SELECT op.account_name, ''::text FROM opportunities op WHERE o.vendor_kind = 'opportunity' AND op.id = o.vendor_id) v ON true
WHERE (sqlc.narg(scope_seller_email)::text IS NULL OR (o.vendor_kind = 'account' AND v.owner_email = sqlc.narg(scope_seller_email)))
  AND (sqlc.narg(partner_id)::uuid IS NULL OR o.partner_id = sqlc.narg(partner_id))
  AND (@partner_relation::text = '' OR o.partner_relation = @partner_relation)
  AND (@vendor_category::text = '' OR o.vendor_category = @vendor_category)
  AND o.score >= @min_score::float8
  AND (@q::text = '' OR pa.name ILIKE '%' || @q || '%' OR v.name ILIKE '%' || @q || '%')
ORDER BY v.name, o.vendor_id, p.name, o.partner_account_id
LIMIT @max_rows;

-- name: MappingSellerPartners :many
-- MappingSellerPartners is a seller's view: for each account they own, the
-- opted-in partners that know the customer (their relation, the best
-- score), to invite to co-sell. NULL seller: every owned account.
SELECT a.id AS account_id, a.name AS account_name, a.domain, a.relation, a.owner_email, o.partner_id,
       p.name AS partner_name, o.partner_relation, max(o.score)::float8 AS score
FROM accounts a
JOIN account_overlaps o ON o.vendor_kind = 'account' AND o.vendor_id = a.id
JOIN partners p ON p.id = o.partner_id
JOIN mapping_opt_ins i ON i.partner_id = o.partner_id AND i.partner_relation = o.partner_relation
                      AND i.vendor_category = o.vendor_category
WHERE a.owner_email <> '' AND (sqlc.narg(scope_seller_email)::text IS NULL OR a.owner_email = sqlc.narg(scope_seller_email))
GROUP BY a.id, o.partner_id, p.name, o.partner_relation
ORDER BY a.name, a.id, p.name, o.partner_id, o.partner_relation
LIMIT 2000;
