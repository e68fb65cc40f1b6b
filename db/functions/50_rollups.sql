-- The dashboard rollups (migration 00028): one deal's contribution, its
-- move when an event is recorded, and the rebuild from scratch.
-- Applied by `dealflow migrate` after the versioned migrations whenever this
-- file changes (db/functions.go): CREATE OR REPLACE only, each function once.

-- deal_rollup_rows is what one deal adds to deal_rollups: a row per
-- dimension under its registration currency, and its won value under its
-- won currency (a separate row when that currency differs).
CREATE OR REPLACE FUNCTION deal_rollup_rows(f deal_rollup_facts)
RETURNS TABLE (dim text, month date, key text, status text, currency text, deals bigint, amount bigint,
               won_amount bigint, approved bigint, approval_secs bigint, won_cycles bigint, win_secs bigint,
               sla_breaches bigint, conflicts bigint)
LANGUAGE sql IMMUTABLE AS $fn$
    WITH m AS (
        SELECT f.currency AS currency, 1::bigint AS deals, f.amount AS amount,
               CASE WHEN f.won_currency = f.currency THEN coalesce(f.won_amount, 0) ELSE 0 END::bigint AS won_amount,
               (f.approved_at IS NOT NULL)::int::bigint AS approved,
               coalesce(floor(extract(epoch FROM f.approved_at - f.submitted_at)), 0)::bigint AS approval_secs,
               (f.won_at IS NOT NULL AND f.approved_at IS NOT NULL)::int::bigint AS won_cycles,
               coalesce(floor(extract(epoch FROM f.won_at - f.approved_at)), 0)::bigint AS win_secs,
               f.sla_breached::int::bigint AS sla_breaches, f.conflicted::int::bigint AS conflicts
        UNION ALL
        SELECT f.won_currency, 0, 0, f.won_amount, 0, 0, 0, 0, 0, 0
        WHERE f.won_currency IS DISTINCT FROM f.currency AND f.won_currency IS NOT NULL AND f.won_amount <> 0
    ), k AS (
        SELECT 'all' AS dim, '' AS key
        UNION ALL SELECT 'partner', f.partner_id::text
        UNION ALL SELECT 'program', coalesce(f.program_id::text, '')
        UNION ALL SELECT 'country', f.country
        UNION ALL SELECT 'product_line', l FROM unnest(f.product_lines) AS l
    )
    SELECT k.dim, f.month, k.key, f.status, m.currency, m.deals, m.amount, m.won_amount, m.approved,
           m.approval_secs, m.won_cycles, m.win_secs, m.sla_breaches, m.conflicts
    FROM k CROSS JOIN m
    WHERE f.deal_id IS NOT NULL
$fn$;

-- deal_rollup_move moves the rollups for event p_seq of deal p_deal, in the
-- transaction that recorded the event and moved the deals projection: the
-- deal's old contribution is subtracted and its new one added, set-based.
-- Once per (deal_id, seq): a retried or stale event moves nothing.
CREATE OR REPLACE FUNCTION deal_rollup_move(p_deal uuid, p_seq integer) RETURNS boolean LANGUAGE plpgsql AS $fn$
DECLARE
    o deal_rollup_facts;
    n deal_rollup_facts;
    d deals;
    e deal_events;
BEGIN
    SELECT * INTO o FROM deal_rollup_facts WHERE deal_id = p_deal FOR UPDATE;
    IF FOUND AND o.last_event_seq >= p_seq THEN
        RETURN false;
    END IF;
    SELECT * INTO d FROM deals WHERE id = p_deal;
    SELECT * INTO e FROM deal_events WHERE deal_id = p_deal AND seq = p_seq;
    IF d.id IS NULL OR e.deal_id IS NULL THEN
        RAISE EXCEPTION 'deal_rollup_move: no event % of deal %', p_seq, p_deal;
    END IF;
    n.deal_id := d.id;
    n.month := date_trunc('month', d.created_at AT TIME ZONE 'UTC')::date;
    n.partner_id := d.partner_id;
    n.program_id := d.program_id;
    n.country := d.customer_country;
    n.product_lines := ARRAY(SELECT DISTINCT l FROM unnest(d.product_lines) AS l ORDER BY 1);
    n.status := d.status;
    n.currency := d.currency;
    n.amount := d.amount;
    IF d.status = 'closed_won' THEN
        n.won_currency := d.won_currency;
        n.won_amount := d.won_amount;
        n.won_at := CASE WHEN e.from_status IS DISTINCT FROM 'closed_won' OR o.won_at IS NULL THEN e.occurred_at ELSE o.won_at END;
    END IF;
    n.submitted_at := d.created_at;
    n.approved_at := coalesce(o.approved_at, CASE WHEN e.to_status = 'approved' THEN e.occurred_at END);
    n.conflicted := coalesce(o.conflicted, false) OR e.to_status = 'conflict_review';
    n.sla_breached := d.escalated;
    n.last_event_seq := p_seq;

    INSERT INTO deal_rollup_facts VALUES (n.*)
    ON CONFLICT (deal_id) DO UPDATE SET
        month = excluded.month, partner_id = excluded.partner_id, program_id = excluded.program_id,
        country = excluded.country, product_lines = excluded.product_lines, status = excluded.status,
        currency = excluded.currency, amount = excluded.amount, won_currency = excluded.won_currency,
        won_amount = excluded.won_amount, submitted_at = excluded.submitted_at, approved_at = excluded.approved_at,
        won_at = excluded.won_at, conflicted = excluded.conflicted, sla_breached = excluded.sla_breached,
        last_event_seq = excluded.last_event_seq;

    WITH delta AS (
        SELECT r.dim, r.month, r.key, r.status, r.currency, sum(s.sign * r.deals) AS deals,
               sum(s.sign * r.amount) AS amount, sum(s.sign * r.won_amount) AS won_amount,
               sum(s.sign * r.approved) AS approved, sum(s.sign * r.approval_secs) AS approval_secs,
               sum(s.sign * r.won_cycles) AS won_cycles, sum(s.sign * r.win_secs) AS win_secs,
               sum(s.sign * r.sla_breaches) AS sla_breaches, sum(s.sign * r.conflicts) AS conflicts
        FROM (SELECT 1 AS sign, n AS f UNION ALL SELECT -1, o) AS s
        CROSS JOIN LATERAL deal_rollup_rows(s.f) AS r
        GROUP BY 1, 2, 3, 4, 5
    )
    INSERT INTO deal_rollups AS t
    SELECT * FROM delta
    WHERE (deals, amount, won_amount, approved, approval_secs, won_cycles, win_secs, sla_breaches, conflicts)
          <> (0, 0, 0, 0, 0, 0, 0, 0, 0)
    ON CONFLICT (dim, month, key, status, currency) DO UPDATE SET
        deals = t.deals + excluded.deals, amount = t.amount + excluded.amount,
        won_amount = t.won_amount + excluded.won_amount, approved = t.approved + excluded.approved,
        approval_secs = t.approval_secs + excluded.approval_secs, won_cycles = t.won_cycles + excluded.won_cycles,
        win_secs = t.win_secs + excluded.win_secs, sla_breaches = t.sla_breaches + excluded.sla_breaches,
        conflicts = t.conflicts + excluded.conflicts;

    PERFORM rollup_pivots_move(n.partner_id, o, n);
    PERFORM partner_running_move(o, n);

    -- A row the deal emptied goes, as a rebuild would not write it.
    DELETE FROM deal_rollups t
    USING (SELECT r.dim, r.month, r.key, r.status, r.currency FROM deal_rollup_rows(o) AS r) AS k
    WHERE (t.dim, t.month, t.key, t.status, t.currency) = (k.dim, k.month, k.key, k.status, k.currency)
      AND (t.deals, t.amount, t.won_amount, t.approved, t.approval_secs, t.won_cycles, t.win_secs, t.sla_breaches, t.conflicts)
          = (0, 0, 0, 0, 0, 0, 0, 0, 0);
    RETURN true;
END;
$fn$;

-- deal_rollups_rebuild recomputes every deal's contribution from the deals
-- projection and its recorded events (independently of deal_rollup_move)
-- and the rollups from them (the top partners' kept window too, keeping
-- its months, and the running sums of migration 00047); it returns the
-- number of rollup rows. It locks the facts so that no event moves them
-- meanwhile.
CREATE OR REPLACE FUNCTION deal_rollups_rebuild() RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
    n bigint;
BEGIN
    LOCK TABLE deal_rollup_facts, deal_rollups, partner_rollups, tier_rollups, partner_window, partner_window_totals,
        partner_window_won, partner_running IN EXCLUSIVE MODE;
    DELETE FROM partner_running;
    DELETE FROM partner_window_won;
    DELETE FROM partner_window_totals;
    DELETE FROM tier_rollups;
    DELETE FROM partner_rollups;
    DELETE FROM deal_rollups;
    DELETE FROM deal_rollup_facts;
    INSERT INTO deal_rollup_facts
    SELECT d.id, date_trunc('month', d.created_at AT TIME ZONE 'UTC')::date, d.partner_id, d.program_id,
           d.customer_country, ARRAY(SELECT DISTINCT l FROM unnest(d.product_lines) AS l ORDER BY 1), d.status,
           d.currency, d.amount,
           CASE WHEN d.status = 'closed_won' THEN d.won_currency END,
           CASE WHEN d.status = 'closed_won' THEN d.won_amount END,
           d.created_at, ev.approved_at,
           CASE WHEN d.status = 'closed_won' THEN ev.won_at END,
           coalesce(ev.conflicted, false), d.escalated, d.last_event_seq
    FROM deals d
    LEFT JOIN (
        SELECT e.deal_id,
               (array_agg(e.occurred_at ORDER BY e.seq) FILTER (WHERE e.to_status = 'approved'))[1] AS approved_at,
               (array_agg(e.occurred_at ORDER BY e.seq DESC)
                    FILTER (WHERE e.to_status = 'closed_won' AND e.from_status IS DISTINCT FROM 'closed_won'))[1] AS won_at,
               bool_or(e.to_status = 'conflict_review') AS conflicted
        FROM deal_events e JOIN deals d2 ON d2.id = e.deal_id AND e.seq <= d2.last_event_seq
        GROUP BY e.deal_id
    ) ev ON ev.deal_id = d.id
    WHERE d.last_event_seq > 0;
    INSERT INTO deal_rollups
    SELECT r.dim, r.month, r.key, r.status, r.currency, sum(r.deals), sum(r.amount), sum(r.won_amount),
           sum(r.approved), sum(r.approval_secs), sum(r.won_cycles), sum(r.win_secs), sum(r.sla_breaches), sum(r.conflicts)
    FROM deal_rollup_facts f CROSS JOIN LATERAL deal_rollup_rows(f) AS r
    GROUP BY 1, 2, 3, 4, 5
    HAVING (sum(r.deals), sum(r.amount), sum(r.won_amount), sum(r.approved), sum(r.approval_secs), sum(r.won_cycles),
            sum(r.win_secs), sum(r.sla_breaches), sum(r.conflicts)) <> (0, 0, 0, 0, 0, 0, 0, 0, 0);
    GET DIAGNOSTICS n = ROW_COUNT;
    INSERT INTO partner_rollups
    SELECT x.month, f.partner_id, x.currency, sum(x.registered), sum(x.approved), sum(x.won_deals),
           sum(x.lost_deals), sum(x.expired_deals), sum(x.won_amount)
    FROM deal_rollup_facts f CROSS JOIN LATERAL rollup_pivot_rows(f) AS x
    GROUP BY 1, 2, 3
    HAVING (sum(x.registered), sum(x.approved), sum(x.won_deals), sum(x.lost_deals), sum(x.expired_deals),
            sum(x.won_amount)) <> (0, 0, 0, 0, 0, 0);
    -- The top partners' kept window (migration 00045), whichever it is.
    INSERT INTO partner_window_totals
    SELECT f.partner_id, sum(x.registered), sum(x.approved)
    FROM deal_rollup_facts f CROSS JOIN LATERAL rollup_pivot_rows(f) AS x
    JOIN partner_window w ON x.month BETWEEN w.since AND w.until
    GROUP BY 1
    HAVING (sum(x.registered), sum(x.approved)) <> (0, 0);
    INSERT INTO partner_window_won
    SELECT x.currency, f.partner_id, sum(x.won_amount)
    FROM deal_rollup_facts f CROSS JOIN LATERAL rollup_pivot_rows(f) AS x
    JOIN partner_window w ON x.month BETWEEN w.since AND w.until
    GROUP BY 1, 2
    HAVING sum(x.won_amount) <> 0;
    -- The top partners' running sums (migration 00047): each program's
    -- partner-months first, then carried to the rows each adds to, written
    -- in key order (a period reads them by span and at).
    INSERT INTO partner_running
    WITH m AS (
        SELECT p.program, f.partner_id, x.month, x.currency, sum(x.registered) AS registered,
               sum(x.approved) AS approved, sum(x.won_amount) AS won_amount
        FROM deal_rollup_facts f CROSS JOIN LATERAL rollup_pivot_rows(f) AS x
        CROSS JOIN LATERAL partner_running_programs(f) AS p
        GROUP BY 1, 2, 3, 4
    )
    SELECT m.program, k.span, k.at, m.partner_id, m.currency, sum(m.registered), sum(m.approved), sum(m.won_amount)
    FROM m CROSS JOIN LATERAL partner_running_keys(m.month) AS k
    GROUP BY 1, 2, 3, 4, 5
    HAVING (sum(m.registered), sum(m.approved), sum(m.won_amount)) <> (0, 0, 0)
    ORDER BY 1, 2, 3, 4, 5;
    INSERT INTO tier_rollups
    SELECT x.month, lower(p.tier), x.currency, sum(x.registered), sum(x.approved), sum(x.won_deals),
           sum(x.lost_deals), sum(x.expired_deals), sum(x.won_amount)
    FROM deal_rollup_facts f JOIN partners p ON p.id = f.partner_id
    CROSS JOIN LATERAL rollup_pivot_rows(f) AS x
    GROUP BY 1, 2, 3
    HAVING (sum(x.registered), sum(x.approved), sum(x.won_deals), sum(x.lost_deals), sum(x.expired_deals),
            sum(x.won_amount)) <> (0, 0, 0, 0, 0, 0);
    RETURN n;
END;
$fn$;

-- rollup_pivot_rows is what one deal adds to partner_rollups and
-- tier_rollups: deal_rollup_rows' 'all' rows with the statuses as columns.
CREATE OR REPLACE FUNCTION rollup_pivot_rows(f deal_rollup_facts)
RETURNS TABLE (month date, currency text, registered bigint, approved bigint, won_deals bigint,
               lost_deals bigint, expired_deals bigint, won_amount bigint)
LANGUAGE sql IMMUTABLE AS $fn$
    SELECT r.month, r.currency, r.deals,
           CASE WHEN r.status IN ('approved', 'closed_won', 'closed_lost', 'expired') THEN r.deals ELSE 0 END,
           CASE WHEN r.status = 'closed_won' THEN r.deals ELSE 0 END,
           CASE WHEN r.status = 'closed_lost' THEN r.deals ELSE 0 END,
           CASE WHEN r.status = 'expired' THEN r.deals ELSE 0 END,
           CASE WHEN r.status = 'closed_won' THEN r.won_amount ELSE 0 END
    FROM deal_rollup_rows(f) AS r
    WHERE r.dim = 'all'
$fn$;

-- rollup_pivot_add adds a delta to one partner's row of partner_rollups
-- (p_partner not null; and to the top partners' kept window,
-- partner_window_add in 55_partner_window.sql) or to one tier's row of
-- tier_rollups, and removes the row when that leaves it empty, as a
-- rebuild would not write it.
CREATE OR REPLACE FUNCTION rollup_pivot_add(p_partner uuid, p_tier text, p_month date, p_currency text,
    p_registered bigint, p_approved bigint, p_won_deals bigint, p_lost_deals bigint, p_expired_deals bigint,
    p_won_amount bigint) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    IF (p_registered, p_approved, p_won_deals, p_lost_deals, p_expired_deals, p_won_amount) = (0, 0, 0, 0, 0, 0) THEN
        RETURN;
    END IF;
    IF p_partner IS NOT NULL THEN
        INSERT INTO partner_rollups AS t
        VALUES (p_month, p_partner, p_currency, p_registered, p_approved, p_won_deals, p_lost_deals, p_expired_deals, p_won_amount)
        ON CONFLICT (month, partner_id, currency) DO UPDATE SET
            registered = t.registered + excluded.registered, approved = t.approved + excluded.approved,
            won_deals = t.won_deals + excluded.won_deals, lost_deals = t.lost_deals + excluded.lost_deals,
            expired_deals = t.expired_deals + excluded.expired_deals, won_amount = t.won_amount + excluded.won_amount;
        DELETE FROM partner_rollups t
        WHERE (t.month, t.partner_id, t.currency) = (p_month, p_partner, p_currency)
          AND (t.registered, t.approved, t.won_deals, t.lost_deals, t.expired_deals, t.won_amount) = (0, 0, 0, 0, 0, 0);
        PERFORM partner_window_add(p_partner, p_month, p_currency, p_registered, p_approved, p_won_amount);
    ELSE
        INSERT INTO tier_rollups AS t
        VALUES (p_month, p_tier, p_currency, p_registered, p_approved, p_won_deals, p_lost_deals, p_expired_deals, p_won_amount)
        ON CONFLICT (month, tier, currency) DO UPDATE SET
            registered = t.registered + excluded.registered, approved = t.approved + excluded.approved,
            won_deals = t.won_deals + excluded.won_deals, lost_deals = t.lost_deals + excluded.lost_deals,
            expired_deals = t.expired_deals + excluded.expired_deals, won_amount = t.won_amount + excluded.won_amount;
        DELETE FROM tier_rollups t
        WHERE (t.month, t.tier, t.currency) = (p_month, p_tier, p_currency)
          AND (t.registered, t.approved, t.won_deals, t.lost_deals, t.expired_deals, t.won_amount) = (0, 0, 0, 0, 0, 0);
    END IF;
END;
$fn$;

-- rollup_pivots_move moves partner_rollups and tier_rollups from a deal's
-- old contribution o to its new one n. The partner's row is share-locked
-- so that a tier change (partners_tier_rollups) waits for this move, or
-- this move sees the new tier: the tier rows never keep a stale share.
CREATE OR REPLACE FUNCTION rollup_pivots_move(p_partner uuid, o deal_rollup_facts, n deal_rollup_facts)
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    v_tier text;
    d record;
BEGIN
    SELECT lower(p.tier) INTO v_tier FROM partners p WHERE p.id = p_partner FOR SHARE;
    FOR d IN
        SELECT x.month, x.currency, sum(s.sign * x.registered)::bigint AS registered,
               sum(s.sign * x.approved)::bigint AS approved, sum(s.sign * x.won_deals)::bigint AS won_deals,
               sum(s.sign * x.lost_deals)::bigint AS lost_deals, sum(s.sign * x.expired_deals)::bigint AS expired_deals,
               sum(s.sign * x.won_amount)::bigint AS won_amount
        FROM (SELECT 1 AS sign, n AS f UNION ALL SELECT -1, o) AS s
        CROSS JOIN LATERAL rollup_pivot_rows(s.f) AS x
        GROUP BY 1, 2
        ORDER BY 1, 2
    LOOP
        PERFORM rollup_pivot_add(p_partner, NULL::text, d.month, d.currency, d.registered, d.approved, d.won_deals,
                                 d.lost_deals, d.expired_deals, d.won_amount);
        PERFORM rollup_pivot_add(NULL::uuid, v_tier, d.month, d.currency, d.registered, d.approved, d.won_deals,
                                 d.lost_deals, d.expired_deals, d.won_amount);
    END LOOP;
END;
$fn$;

-- partners_tier_rollups moves a partner's share of tier_rollups from its
-- old tier to its new one when the tier changes (the "by tier" view groups
-- by the partners' tiers now), in the transaction that changes it.
CREATE OR REPLACE FUNCTION partners_tier_rollups() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    r record;
BEGIN
    IF lower(OLD.tier) IS NOT DISTINCT FROM lower(NEW.tier) THEN
        RETURN NULL;
    END IF;
    FOR r IN SELECT * FROM partner_rollups WHERE partner_id = NEW.id ORDER BY month, currency LOOP
        PERFORM rollup_pivot_add(NULL::uuid, lower(OLD.tier), r.month, r.currency, -r.registered, -r.approved,
                                 -r.won_deals, -r.lost_deals, -r.expired_deals, -r.won_amount);
        PERFORM rollup_pivot_add(NULL::uuid, lower(NEW.tier), r.month, r.currency, r.registered, r.approved,
                                 r.won_deals, r.lost_deals, r.expired_deals, r.won_amount);
    END LOOP;
    RETURN NULL;
END;
$fn$;

CREATE OR REPLACE TRIGGER partners_tier_rollups AFTER UPDATE OF tier ON partners
    FOR EACH ROW EXECUTE FUNCTION partners_tier_rollups();
