-- name: ConflictCandidates :many
-- ConflictCandidates gathers what may name the same customer, from the three
-- sources of conflict: other partners' open registrations, existing
-- accounts and open direct-sales opportunities. A row is a candidate when
-- it shares a name blocking key (domain.SplitNameKeys) or its registrable
-- domain or domain name is the same. Each source yields at most 25
-- candidates, the strongest evidence first: the same full name or
-- registrable domain, then the same domain name under another suffix, then
-- a core name within one edit. Ids are collected through the indexes
-- (ARRAY(...), whatever the row estimates say), then read by primary key.
-- dealflow scores the candidates; SQL only finds them.
(SELECT 'registration'::text AS source, d.id, d.partner_id::text AS owner_partner_id, d.customer_name AS name,
        coalesce(d.customer_name_full, '') AS name_full, coalesce(d.customer_name_core, '') AS name_core,
        d.customer_registrable_domain AS registrable_domain, d.customer_country AS country,
        d.product_lines, d.status, false AS reserved_for_direct, ''::text AS owner, d.created_at
 FROM deals d
 WHERE d.id = ANY (ARRAY(
         SELECT c.id FROM (
             (SELECT k.id, 1 AS rank FROM deals k
              WHERE k.customer_name_keys && @full_keys::bigint[]
                AND k.status IN ('screening', 'conflict_review', 'pending_approval', 'info_requested', 'approved')
                AND k.id <> @deal_id AND (sqlc.narg(exclude_partner_id)::uuid IS NULL OR k.partner_id <> sqlc.narg(exclude_partner_id)))
             UNION ALL
             (SELECT k.id, 1 FROM deals k
              WHERE @registrable_domain::text <> '' AND k.customer_registrable_domain = @registrable_domain
                AND k.status IN ('screening', 'conflict_review', 'pending_approval', 'info_requested', 'approved')
                AND k.id <> @deal_id AND (sqlc.narg(exclude_partner_id)::uuid IS NULL OR k.partner_id <> sqlc.narg(exclude_partner_id)))
             UNION ALL
             (SELECT k.id, 2 FROM deals k
              WHERE @domain_label::text <> '' AND k.customer_domain_label = @domain_label
                AND k.status IN ('screening', 'conflict_review', 'pending_approval', 'info_requested', 'approved')
                AND k.id <> @deal_id AND (sqlc.narg(exclude_partner_id)::uuid IS NULL OR k.partner_id <> sqlc.narg(exclude_partner_id)))
             UNION ALL
             (SELECT k.id, 3 FROM deals k
              WHERE k.customer_name_keys && @core_keys::bigint[]
                AND k.status IN ('screening', 'conflict_review', 'pending_approval', 'info_requested', 'approved')
                AND k.id <> @deal_id AND (sqlc.narg(exclude_partner_id)::uuid IS NULL OR k.partner_id <> sqlc.narg(exclude_partner_id)))) c
         GROUP BY c.id ORDER BY min(c.rank), c.id LIMIT 25))
   AND d.status IN ('screening', 'conflict_review', 'pending_approval', 'info_requested', 'approved'))
UNION ALL
(SELECT 'account'::text, a.id, coalesce(a.owner_partner_id::text, ''), a.name, a.name_full, a.name_core, a.registrable_domain, a.country,
        '{}'::text[], a.owner_type, a.reserved_for_direct, ''::text, a.created_at
 FROM accounts a
 WHERE a.id = ANY (ARRAY(
         SELECT c.id FROM (
             (SELECT k.id, 1 AS rank FROM accounts k WHERE k.name_keys && @full_keys
                AND (sqlc.narg(exclude_partner_id)::uuid IS NULL OR k.owner_partner_id IS DISTINCT FROM sqlc.narg(exclude_partner_id)))
             UNION ALL
             (SELECT k.id, 1 FROM accounts k WHERE @registrable_domain <> '' AND k.registrable_domain = @registrable_domain
                AND (sqlc.narg(exclude_partner_id)::uuid IS NULL OR k.owner_partner_id IS DISTINCT FROM sqlc.narg(exclude_partner_id)))
             UNION ALL
             (SELECT k.id, 2 FROM accounts k WHERE @domain_label <> '' AND k.domain_label = @domain_label
                AND (sqlc.narg(exclude_partner_id)::uuid IS NULL OR k.owner_partner_id IS DISTINCT FROM sqlc.narg(exclude_partner_id)))
             UNION ALL
             (SELECT k.id, 3 FROM accounts k WHERE k.name_keys && @core_keys
                AND (sqlc.narg(exclude_partner_id)::uuid IS NULL OR k.owner_partner_id IS DISTINCT FROM sqlc.narg(exclude_partner_id)))) c
         GROUP BY c.id ORDER BY min(c.rank), c.id LIMIT 25)))
UNION ALL
(SELECT 'opportunity'::text, o.id, ''::text, o.account_name, o.name_full, o.name_core, o.registrable_domain, o.country,
        o.product_lines, o.status, false, o.owner, o.created_at
 FROM opportunities o
 WHERE o.id = ANY (ARRAY(
         SELECT c.id FROM (
             (SELECT k.id, 1 AS rank FROM opportunities k WHERE k.name_keys && @full_keys AND k.status = 'open')
             UNION ALL
             (SELECT k.id, 1 FROM opportunities k
              WHERE @registrable_domain <> '' AND k.registrable_domain = @registrable_domain AND k.status = 'open')
             UNION ALL
             (SELECT k.id, 2 FROM opportunities k
              WHERE @domain_label <> '' AND k.domain_label = @domain_label AND k.status = 'open')
             UNION ALL
             (SELECT k.id, 3 FROM opportunities k WHERE k.name_keys && @core_keys AND k.status = 'open')) c
         GROUP BY c.id ORDER BY min(c.rank), c.id LIMIT 25))
   AND o.status = 'open');

-- name: DealsMissingNames :many
-- DealsMissingNames finds deals registered before names were normalized
-- and keyed, for the backfill that `dealflow migrate` runs.
SELECT id, customer_name, customer_registrable_domain FROM deals
WHERE customer_name_full IS NULL OR customer_name_keys = '{}' LIMIT 1000;

-- name: DealSetNames :exec
UPDATE deals SET customer_name_full = @name_full, customer_name_core = @name_core, customer_domain_label = @domain_label,
    customer_name_keys = @name_keys
WHERE id = @id;

-- name: AccountsUpsert :many
-- AccountsUpsert inserts or updates accounts by external id in one
-- statement; inserted tells which rows are new.
INSERT INTO accounts (external_id, name, name_full, name_core, name_keys, domain, registrable_domain, domain_label,
                      country, owner_type, owner_partner_id, reserved_for_direct, owner_email, relation)
SELECT u.external_id, u.name, u.name_full, u.name_core, u.name_keys::bigint[], u.domain, u.registrable_domain,
       u.domain_label, u.country, u.owner_type, u.owner_partner_id, u.reserved_for_direct, u.owner_email, u.relation
FROM (SELECT unnest(@external_ids::text[]) AS external_id, unnest(@names::text[]) AS name,
             unnest(@names_full::text[]) AS name_full, unnest(@names_core::text[]) AS name_core,
             unnest(@names_keys::text[]) AS name_keys,
             unnest(@domains::text[]) AS domain, unnest(@registrable_domains::text[]) AS registrable_domain,
             unnest(@domain_labels::text[]) AS domain_label, unnest(@countries::text[]) AS country,
             unnest(@owner_types::text[]) AS owner_type, NULLIF(unnest(@owner_partner_ids::text[]), '')::uuid AS owner_partner_id,
             unnest(@reserved::boolean[]) AS reserved_for_direct, unnest(@owner_emails::text[]) AS owner_email,
             unnest(@relations::text[]) AS relation) AS u
ON CONFLICT (external_id) DO UPDATE SET
    name = EXCLUDED.name, name_full = EXCLUDED.name_full, name_core = EXCLUDED.name_core,
    name_keys = EXCLUDED.name_keys, domain = EXCLUDED.domain,
    registrable_domain = EXCLUDED.registrable_domain, domain_label = EXCLUDED.domain_label, country = EXCLUDED.country,
    owner_type = EXCLUDED.owner_type, owner_partner_id = EXCLUDED.owner_partner_id,
    reserved_for_direct = EXCLUDED.reserved_for_direct, owner_email = EXCLUDED.owner_email, relation = EXCLUDED.relation,
    updated_at = now()
RETURNING external_id, (xmax = 0) AS inserted;

-- name: OpportunitiesUpsert :many
INSERT INTO opportunities (external_id, account_name, name_full, name_core, name_keys, domain, registrable_domain,
                           domain_label, country, owner, stage, status, amount, currency, product_lines, close_date)
SELECT u.external_id, u.account_name, u.name_full, u.name_core, u.name_keys::bigint[], u.domain, u.registrable_domain,
       u.domain_label,
       u.country, u.owner, u.stage, u.status, u.amount, NULLIF(u.currency, ''),
       CASE WHEN u.product_lines = '' THEN '{}'::text[] ELSE string_to_array(u.product_lines, ';') END,
       NULLIF(u.close_date, '')::date
FROM (SELECT unnest(@external_ids::text[]) AS external_id, unnest(@account_names::text[]) AS account_name,
             unnest(@names_full::text[]) AS name_full, unnest(@names_core::text[]) AS name_core,
             unnest(@names_keys::text[]) AS name_keys,
             unnest(@domains::text[]) AS domain, unnest(@registrable_domains::text[]) AS registrable_domain,
             unnest(@domain_labels::text[]) AS domain_label, unnest(@countries::text[]) AS country,
             unnest(@owners::text[]) AS owner, unnest(@stages::text[]) AS stage, unnest(@statuses::text[]) AS status,
             unnest(@amounts::bigint[]) AS amount, unnest(@currencies::text[]) AS currency,
             unnest(@product_lines::text[]) AS product_lines, unnest(@close_dates::text[]) AS close_date) AS u
ON CONFLICT (external_id) DO UPDATE SET
    account_name = EXCLUDED.account_name, name_full = EXCLUDED.name_full, name_core = EXCLUDED.name_core,
    name_keys = EXCLUDED.name_keys,
    domain = EXCLUDED.domain, registrable_domain = EXCLUDED.registrable_domain, domain_label = EXCLUDED.domain_label,
    country = EXCLUDED.country, owner = EXCLUDED.owner, stage = EXCLUDED.stage, status = EXCLUDED.status,
    amount = EXCLUDED.amount, currency = EXCLUDED.currency, product_lines = EXCLUDED.product_lines,
    close_date = EXCLUDED.close_date, updated_at = now()
RETURNING external_id, (xmax = 0) AS inserted;
