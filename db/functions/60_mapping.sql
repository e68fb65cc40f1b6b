-- Account mapping: partner accounts × the vendor's accounts and open
-- opportunities, matched and scored in SQL the way the conflict engine
-- scores in Go (domain.Compare): the same name similarity, domain
-- relations, country rule and explanation. Applied by `dealflow migrate`
-- after the versioned migrations whenever this file changes.

-- mapping_osa_similarity is domain.editSimilarity: 1 − optimal string
-- alignment distance ÷ the longer length.
CREATE OR REPLACE FUNCTION mapping_osa_similarity(a text, b text) RETURNS float8
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
DECLARE
    n int := length(a);
    m int := length(b);
    prev2 int[];
    prev int[];
    cur int[];
    cost int;
    v int;
BEGIN
    IF n = 0 AND m = 0 THEN
        RETURN 1;
    END IF;
    IF 1 - abs(n - m)::float8 / greatest(n, m) < 0.85 THEN
        -- an upper bound (the distance is at least the difference in
        -- length) below what the typo rescue takes: it rejects the word
        -- as it would reject the exact value
        RETURN 1 - abs(n - m)::float8 / greatest(n, m);
    END IF;
    prev := array_fill(0, ARRAY[m + 1], ARRAY[0]);
    prev2 := prev;
    cur := prev;
    FOR j IN 0..m LOOP
        prev[j] := j;
    END LOOP;
    FOR i IN 1..n LOOP
        cur[0] := i;
        FOR j IN 1..m LOOP
            cost := CASE WHEN substr(a, i, 1) = substr(b, j, 1) THEN 0 ELSE 1 END;
            v := least(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
            IF i > 1 AND j > 1 AND substr(a, i, 1) = substr(b, j - 1, 1) AND substr(a, i - 1, 1) = substr(b, j, 1) THEN
                v := least(v, prev2[j - 2] + 1);
            END IF;
            cur[j] := v;
        END LOOP;
        prev2 := prev;
        prev := cur;
    END LOOP;
    RETURN 1 - prev[m]::float8 / greatest(n, m);
END;
$fn$;

-- mapping_typo_similarity is domain.typoSimilarity: word by word, words of
-- five letters or more within about one edit in six, shorter ones equal;
-- anything else 0.
CREATE OR REPLACE FUNCTION mapping_typo_similarity(a text, b text) RETURNS float8
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
DECLARE
    wa text[] := string_to_array(a, ' ');
    wb text[] := string_to_array(b, ' ');
    total float8 := 0;
    s float8;
BEGIN
    IF cardinality(wa) <> cardinality(wb) OR cardinality(wa) = 0 THEN
        RETURN 0;
    END IF;
    FOR i IN 1..cardinality(wa) LOOP
        IF length(wa[i]) < 5 OR length(wb[i]) < 5 THEN
            IF wa[i] <> wb[i] THEN
                RETURN 0;
            END IF;
            s := 1;
        ELSIF wa[i] = wb[i] THEN
            s := 1;
        ELSIF levenshtein_less_equal(wa[i], wb[i], 2 * (floor(0.15 * greatest(length(wa[i]), length(wb[i])))::int + 1))
              > 2 * (floor(0.15 * greatest(length(wa[i]), length(wb[i])))::int + 1) THEN
            -- Levenshtein (C) is at most twice the alignment distance:
            -- beyond this, the words are more than one edit in six apart.
            RETURN 0;
        ELSE
            s := mapping_osa_similarity(wa[i], wb[i]);
            IF s < 0.85 THEN
                RETURN 0;
            END IF;
        END IF;
        total := total + s;
    END LOOP;
    RETURN total / cardinality(wa);
END;
$fn$;

-- mapping_name_similarity is domain.nameSimilarity: 1 for names equal but
-- for spacing, else the trigram similarity of the full names (twice) and
-- the core names (once), or the typo rescue when that is higher. The
-- rescue (plpgsql) runs only for names of as many words, where it can
-- give anything, and only when typo is true (the caller passes false
-- where no name similarity could make the pair a likely conflict).
CREATE OR REPLACE FUNCTION mapping_name_similarity(af text, ac text, bf text, bc text, typo boolean) RETURNS float8
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT CASE
        WHEN af = '' OR bf = '' THEN 0
        WHEN af = bf OR replace(af, ' ', '') = replace(bf, ' ', '') THEN 1
        ELSE greatest((2 * similarity(af, bf) + similarity(ac, bc))::float8 / 3,
                      CASE WHEN typo AND array_length(string_to_array(af, ' '), 1) = array_length(string_to_array(bf, ' '), 1)
                           THEN mapping_typo_similarity(af, bf) ELSE 0 END)
    END
$fn$;
DROP FUNCTION IF EXISTS mapping_name_similarity(text, text, text, text);

-- mapping_compare is domain.Compare for a partner account (a) and a
-- vendor account or opportunity (b), without product lines (a partner
-- account has none): the score rounded to 3 places and the explanation in
-- the conflict engine's words. A domain counts when it has a label
-- (domain_label is '' for free mail, domain.MatchableDomain). Different
-- domains score 0.7 × names at most, so they reach a likely conflict only
-- in one country with names all but equal (≥ 0.9993 after rounding), which
-- the typo rescue — one edit or more in some word, a mean over words —
-- cannot give names shorter than 53 letters: there the rescue is skipped
-- (the score, never stored, may then be below domain.Compare's).
CREATE OR REPLACE FUNCTION mapping_compare(a_full text, a_core text, a_reg text, a_label text, a_country text,
                                           b_full text, b_core text, b_reg text, b_label text, b_country text)
    RETURNS TABLE (score numeric, explanation text)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT round(least(1, greatest(0,
               CASE r.rel
                   WHEN 'same' THEN 0.75 + 0.25 * n.sim
                   WHEN 'same_label' THEN 0.55 + 0.45 * n.sim
                   WHEN 'different' THEN CASE WHEN c.same THEN 0.7 ELSE 0.6 END * n.sim
                   ELSE CASE WHEN c.same THEN n.sim ELSE 0.85 * n.sim END
               END))::numeric, 3),
           concat_ws('; ',
               CASE WHEN r.rel IN ('same', 'same_label', 'different') THEN r.why END,
               format('names ''%s'' ≈ ''%s'' %s', a_full, b_full, to_char(round(n.sim::numeric, 2), 'FM0.00')),
               CASE WHEN r.rel = 'unknown' AND r.why <> '' THEN r.why END,
               CASE WHEN a_country <> '' AND a_country = b_country THEN 'same country'
                    WHEN NOT c.same THEN format('different countries %s and %s', a_country, b_country) END)
    FROM (SELECT a_country = '' OR b_country = '' OR a_country = b_country AS same) c,
         (SELECT CASE
              WHEN a_reg = '' OR b_reg = '' THEN 'unknown'
              WHEN a_label = '' OR b_label = '' THEN 'unknown'
              WHEN a_reg = b_reg THEN 'same'
              WHEN a_label = b_label THEN 'same_label'
              ELSE 'different' END AS rel,
                 CASE
              WHEN a_reg = '' OR b_reg = '' THEN ''
              WHEN a_label = '' THEN 'free-mail domain ' || a_reg || ' ignored'
              WHEN b_label = '' THEN 'free-mail domain ' || b_reg || ' ignored'
              WHEN a_reg = b_reg THEN 'same registrable domain ' || a_reg
              WHEN a_label = b_label THEN format('same domain name under %s and %s', a_reg, b_reg)
              ELSE format('different domains %s and %s', a_reg, b_reg) END AS why) r,
         LATERAL (SELECT mapping_name_similarity(a_full, a_core, b_full, b_core, r.rel <> 'different' OR (c.same AND greatest(length(a_full), length(b_full)) >= 50)) AS sim) n
$fn$;

DROP VIEW IF EXISTS mapping_vendors; -- the vendor's side, now read by internal/crm.MapAll

-- mapping_likely is the class threshold an overlap needs (domain.
-- DefaultMatchThresholds: likely 0.7, duplicate 0.9).
CREATE OR REPLACE FUNCTION mapping_class(score numeric) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT CASE WHEN score >= 0.9 THEN 'duplicate' WHEN score >= 0.7 THEN 'likely_conflict' END
$fn$;

-- mapping_pairs_table creates (once per transaction) the working table of
-- candidate pairs: the partner account, and the vendor record with what
-- scoring needs of it, so that scoring reads no vendor table again.
CREATE OR REPLACE FUNCTION mapping_pairs_table() RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    IF to_regclass('pg_temp.mapping_pairs') IS NULL THEN -- quietly: no notice when it is there
        CREATE TEMPORARY TABLE mapping_pairs (
            pid uuid, kind text, vid uuid, name_full text, name_core text, registrable_domain text, domain_label text,
            country text, category text) ON COMMIT DROP;
    END IF;
    TRUNCATE mapping_pairs;
END;
$fn$;

-- mapping_insert_pairs scores the candidate pairs of mapping_pairs
-- (possibly with repeats) and stores those that are at least likely. It
-- returns how many it stored.
CREATE OR REPLACE FUNCTION mapping_insert_pairs() RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
    n bigint;
BEGIN
    INSERT INTO account_overlaps (partner_account_id, vendor_kind, vendor_id, partner_id, partner_relation,
                                  vendor_category, score, class, explanation)
    SELECT p.id, v.kind, v.vid, p.partner_id, p.relation, v.category, m.score, mapping_class(m.score), m.explanation
    FROM (SELECT DISTINCT ON (pid, kind, vid) * FROM mapping_pairs) v
    JOIN partner_accounts p ON p.id = v.pid
    CROSS JOIN LATERAL mapping_compare(p.name_full, p.name_core, p.registrable_domain, p.domain_label, p.country,
                                       v.name_full, v.name_core, v.registrable_domain, v.domain_label, v.country) m
    WHERE m.score >= 0.7
    ON CONFLICT (partner_account_id, vendor_kind, vendor_id) DO UPDATE
        SET partner_id = EXCLUDED.partner_id, partner_relation = EXCLUDED.partner_relation,
            vendor_category = EXCLUDED.vendor_category, score = EXCLUDED.score, class = EXCLUDED.class,
            explanation = EXCLUDED.explanation;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END;
$fn$;

-- The full map is internal/crm.MapAll: it finds the candidate pairs in
-- memory (a partner account and a vendor record sharing a name blocking key,
-- domain.NameKeys, or a domain name), pre-scores them in Go and hands those
-- that may reach likely to mapping_insert_pairs, the scoring below. The
-- set-wise SQL version it replaced joined fifteen million keys.
DROP FUNCTION IF EXISTS mapping_map_all();

-- mapping_remap re-maps only what changed: the overlaps of the given
-- partner accounts, vendor accounts and opportunities are dropped and
-- their candidates found again through the indexes (domain name B-trees,
-- name-key GIN), then scored as in the full map. Rows that are gone (a
-- deleted partner account, an opportunity no longer open) simply find no
-- candidates.
-- Its joins start from the few changed rows, so it plans them as index
-- lookups only (a hash would read a whole table, the key table included).
CREATE OR REPLACE FUNCTION mapping_remap(p_partner uuid[], p_accounts uuid[], p_opportunities uuid[])
    RETURNS bigint LANGUAGE plpgsql SET enable_hashjoin = off SET enable_mergejoin = off AS $fn$
BEGIN
    p_partner := coalesce(p_partner, '{}');
    p_accounts := coalesce(p_accounts, '{}');
    p_opportunities := coalesce(p_opportunities, '{}');
    IF cardinality(p_partner) + cardinality(p_accounts) + cardinality(p_opportunities) = 0 THEN
        RETURN 0;
    END IF;
    DELETE FROM account_overlaps WHERE partner_account_id = ANY (p_partner);
    DELETE FROM account_overlaps WHERE vendor_id = ANY (p_accounts) AND vendor_kind = 'account';
    DELETE FROM account_overlaps WHERE vendor_id = ANY (p_opportunities) AND vendor_kind = 'opportunity';
    PERFORM mapping_pairs_table();
    -- The partner accounts that changed, against the vendor's side, each
    -- table through its own indexes.
    INSERT INTO mapping_pairs
    SELECT p.id, 'account', a.id, a.name_full, a.name_core, a.registrable_domain, a.domain_label, a.country, a.relation
    FROM partner_accounts p JOIN accounts a ON a.domain_label = p.domain_label
    WHERE p.id = ANY (p_partner) AND p.domain_label <> ''
    UNION ALL
    SELECT p.id, 'account', a.id, a.name_full, a.name_core, a.registrable_domain, a.domain_label, a.country, a.relation
    FROM (SELECT id, unnest(name_keys) AS k FROM partner_accounts WHERE id = ANY (p_partner)) p
    JOIN mapping_account_keys ak ON ak.k = p.k
    JOIN accounts a ON a.id = ak.account_id
    UNION ALL
    SELECT p.id, 'opportunity', o.id, o.name_full, o.name_core, o.registrable_domain, o.domain_label, o.country, 'opportunity'
    FROM partner_accounts p JOIN opportunities o ON o.domain_label = p.domain_label AND o.status = 'open'
    WHERE p.id = ANY (p_partner) AND p.domain_label <> ''
    UNION ALL
    SELECT p.id, 'opportunity', o.id, o.name_full, o.name_core, o.registrable_domain, o.domain_label, o.country, 'opportunity'
    FROM partner_accounts p JOIN opportunities o ON o.name_keys && p.name_keys AND o.status = 'open'
    WHERE p.id = ANY (p_partner);
    -- The vendor accounts and opportunities that changed, against every
    -- partner's accounts.
    INSERT INTO mapping_pairs
    SELECT p.id, 'account', a.id, a.name_full, a.name_core, a.registrable_domain, a.domain_label, a.country, a.relation
    FROM accounts a JOIN partner_accounts p ON p.domain_label = a.domain_label
    WHERE a.id = ANY (p_accounts) AND a.domain_label <> ''
    UNION ALL
    SELECT p.id, 'account', a.id, a.name_full, a.name_core, a.registrable_domain, a.domain_label, a.country, a.relation
    FROM accounts a JOIN partner_accounts p ON p.name_keys && a.name_keys
    WHERE a.id = ANY (p_accounts)
    UNION ALL
    SELECT p.id, 'opportunity', o.id, o.name_full, o.name_core, o.registrable_domain, o.domain_label, o.country, 'opportunity'
    FROM opportunities o JOIN partner_accounts p ON p.domain_label = o.domain_label
    WHERE o.id = ANY (p_opportunities) AND o.status = 'open' AND o.domain_label <> ''
    UNION ALL
    SELECT p.id, 'opportunity', o.id, o.name_full, o.name_core, o.registrable_domain, o.domain_label, o.country, 'opportunity'
    FROM opportunities o JOIN partner_accounts p ON p.name_keys && o.name_keys
    WHERE o.id = ANY (p_opportunities) AND o.status = 'open';
    RETURN mapping_insert_pairs();
END;
$fn$;

-- The triggers re-map what an insert or an update changes, in the same
-- transaction: partner uploads and CRM imports alike. An update re-maps
-- only rows whose matching columns changed. `SET dealflow.mapping_defer =
-- on` (a bulk load followed by mapping_map_all) skips them.
CREATE OR REPLACE FUNCTION mapping_deferred() RETURNS boolean LANGUAGE sql STABLE AS $fn$
    SELECT coalesce(current_setting('dealflow.mapping_defer', true), '') = 'on'
$fn$;

CREATE OR REPLACE FUNCTION partner_accounts_remap() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF mapping_deferred() THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM mapping_remap(ARRAY(SELECT id FROM new_rows), NULL, NULL);
    ELSE
        PERFORM mapping_remap(ARRAY(
            SELECT n.id FROM new_rows n JOIN old_rows o USING (id)
            WHERE (n.name_full, n.name_core, n.name_keys, n.registrable_domain, n.domain_label, n.country, n.relation, n.partner_id)
                  IS DISTINCT FROM (o.name_full, o.name_core, o.name_keys, o.registrable_domain, o.domain_label, o.country, o.relation, o.partner_id)),
            NULL, NULL);
    END IF;
    RETURN NULL;
END;
$fn$;

-- accounts_remap also keeps mapping_account_keys, deferred or not.
CREATE OR REPLACE FUNCTION accounts_remap() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM mapping_account_keys ak
        USING (SELECT id, unnest(name_keys) AS k FROM old_rows) o
        WHERE ak.k = o.k AND ak.account_id = o.id;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO mapping_account_keys (k, account_id)
        SELECT DISTINCT unnest(name_keys), id FROM new_rows
        ON CONFLICT DO NOTHING;
    ELSE
        DELETE FROM mapping_account_keys ak
        USING (SELECT o.id, unnest(o.name_keys) AS k FROM old_rows o JOIN new_rows n USING (id)
               WHERE n.name_keys IS DISTINCT FROM o.name_keys) o
        WHERE ak.k = o.k AND ak.account_id = o.id;
        INSERT INTO mapping_account_keys (k, account_id)
        SELECT DISTINCT unnest(n.name_keys), n.id FROM new_rows n JOIN old_rows o USING (id)
        WHERE n.name_keys IS DISTINCT FROM o.name_keys
        ON CONFLICT DO NOTHING;
    END IF;
    IF mapping_deferred() OR NOT EXISTS (SELECT 1 FROM partner_accounts) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM mapping_remap(NULL, ARRAY(SELECT id FROM old_rows), NULL);
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM mapping_remap(NULL, ARRAY(SELECT id FROM new_rows), NULL);
    ELSE
        PERFORM mapping_remap(NULL, ARRAY(
            SELECT n.id FROM new_rows n JOIN old_rows o USING (id)
            WHERE (n.name_full, n.name_core, n.name_keys, n.registrable_domain, n.domain_label, n.country, n.relation)
                  IS DISTINCT FROM (o.name_full, o.name_core, o.name_keys, o.registrable_domain, o.domain_label, o.country, o.relation)),
            NULL);
    END IF;
    RETURN NULL;
END;
$fn$;

CREATE OR REPLACE FUNCTION opportunities_remap() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF mapping_deferred() OR NOT EXISTS (SELECT 1 FROM partner_accounts) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM mapping_remap(NULL, NULL, ARRAY(SELECT id FROM new_rows WHERE status = 'open'));
    ELSE
        PERFORM mapping_remap(NULL, NULL, ARRAY(
            SELECT n.id FROM new_rows n JOIN old_rows o USING (id)
            WHERE (n.name_full, n.name_core, n.name_keys, n.registrable_domain, n.domain_label, n.country, n.status)
                  IS DISTINCT FROM (o.name_full, o.name_core, o.name_keys, o.registrable_domain, o.domain_label, o.country, o.status)));
    END IF;
    RETURN NULL;
END;
$fn$;

-- partner_accounts_forget removes the overlaps of deleted partner accounts
-- (account_overlaps has no foreign keys, migration 00049). Its delete waits
-- for a full map holding the table (crm.MapAll) and then sees what it wrote.
CREATE OR REPLACE FUNCTION partner_accounts_forget() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    DELETE FROM account_overlaps o USING old_rows r WHERE o.partner_account_id = r.id;
    RETURN NULL;
END;
$fn$;

CREATE OR REPLACE TRIGGER partner_accounts_remap_ins AFTER INSERT ON partner_accounts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION partner_accounts_remap();
CREATE OR REPLACE TRIGGER partner_accounts_remap_upd AFTER UPDATE ON partner_accounts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION partner_accounts_remap();
CREATE OR REPLACE TRIGGER accounts_remap_ins AFTER INSERT ON accounts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION accounts_remap();
CREATE OR REPLACE TRIGGER accounts_remap_upd AFTER UPDATE ON accounts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION accounts_remap();
CREATE OR REPLACE TRIGGER accounts_remap_del AFTER DELETE ON accounts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION accounts_remap();
CREATE OR REPLACE TRIGGER opportunities_remap_ins AFTER INSERT ON opportunities
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION opportunities_remap();
CREATE OR REPLACE TRIGGER opportunities_remap_upd AFTER UPDATE ON opportunities
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION opportunities_remap();
CREATE OR REPLACE TRIGGER partner_accounts_forget AFTER DELETE ON partner_accounts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION partner_accounts_forget();
