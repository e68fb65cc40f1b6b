-- The top partners' kept window (migration 00045): its move with a deal's
-- rollups and its move to another window. deal_rollups_rebuild
-- (50_rollups.sql) recomputes it.
-- Applied by `dealflow migrate` after the versioned migrations whenever this
-- file changes (db/functions.go): CREATE OR REPLACE only, each function once.

-- partner_window_add adds one partner's delta of a month to the window's
-- totals when the window holds that month, and removes a row that it leaves
-- empty, as a rebuild would not write it. rollup_pivot_add calls it after
-- writing partner_rollups, so the transaction already holds the lock on
-- partner_rollups that partner_window_roll waits for: the window it reads
-- is the one the totals are for until it commits.
CREATE OR REPLACE FUNCTION partner_window_add(p_partner uuid, p_month date, p_currency text,
    p_registered bigint, p_approved bigint, p_won_amount bigint) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM partner_window w WHERE p_month BETWEEN w.since AND w.until) THEN
        RETURN;
    END IF;
    IF (p_registered, p_approved) <> (0, 0) THEN
        INSERT INTO partner_window_totals AS t VALUES (p_partner, p_registered, p_approved)
        ON CONFLICT (partner_id) DO UPDATE SET
            registered = t.registered + excluded.registered, approved = t.approved + excluded.approved;
        DELETE FROM partner_window_totals t
        WHERE t.partner_id = p_partner AND (t.registered, t.approved) = (0, 0);
    END IF;
    IF p_won_amount <> 0 THEN
        INSERT INTO partner_window_won AS t VALUES (p_currency, p_partner, p_won_amount)
        ON CONFLICT (currency, partner_id) DO UPDATE SET won_amount = t.won_amount + excluded.won_amount;
        DELETE FROM partner_window_won t
        WHERE (t.currency, t.partner_id) = (p_currency, p_partner) AND t.won_amount = 0;
    END IF;
END;
$fn$;

-- partner_window_delta is what moving the window from o_since..o_until (none
-- when null) to n_since..n_until does to it: partner_rollups' rows of the
-- months entering it, and those of the months leaving it negated.
CREATE OR REPLACE FUNCTION partner_window_delta(o_since date, o_until date, n_since date, n_until date)
RETURNS TABLE (partner_id uuid, currency text, registered bigint, approved bigint, won_amount bigint)
LANGUAGE sql STABLE AS $fn$
    SELECT r.partner_id, r.currency, r.registered, r.approved, r.won_amount
    FROM partner_rollups r
    WHERE r.month BETWEEN n_since AND n_until AND NOT coalesce(r.month BETWEEN o_since AND o_until, false)
    UNION ALL
    SELECT r.partner_id, r.currency, -r.registered, -r.approved, -r.won_amount
    FROM partner_rollups r
    WHERE r.month BETWEEN o_since AND o_until AND NOT (r.month BETWEEN n_since AND n_until)
$fn$;

-- partner_window_roll moves the kept window to the months from p_since to
-- p_until (firsts of months, both included): it adds partner_rollups' rows
-- of the months entering the window and subtracts those of the months
-- leaving it, so a new month moves two months' rows, not the window's. It
-- returns whether it moved anything: again for the same window it does
-- nothing (idempotent). It waits for the transactions writing
-- partner_rollups (a deal event's rollup move) and holds them off until it
-- commits, so that each deal's delta lands in the totals under the window
-- its transaction saw. Call it in a transaction of its own.
CREATE OR REPLACE FUNCTION partner_window_roll(p_since date, p_until date) RETURNS boolean LANGUAGE plpgsql AS $fn$
DECLARE
    o partner_window;
BEGIN
    IF p_since IS NULL OR p_until IS NULL OR p_since > p_until THEN
        RAISE EXCEPTION 'partner_window_roll: no window from % to %', p_since, p_until;
    END IF;
    -- The usual case, without a lock: the window is already there.
    IF EXISTS (SELECT 1 FROM partner_window w WHERE (w.since, w.until) = (p_since, p_until)) THEN
        RETURN false;
    END IF;
    LOCK TABLE partner_rollups IN SHARE ROW EXCLUSIVE MODE;
    SELECT * INTO o FROM partner_window FOR UPDATE;
    IF (o.since, o.until) IS NOT DISTINCT FROM (p_since, p_until) THEN
        RETURN false;
    END IF;
    INSERT INTO partner_window_totals AS t
    SELECT d.partner_id, sum(d.registered), sum(d.approved)
    FROM partner_window_delta(o.since, o.until, p_since, p_until) d
    GROUP BY 1
    HAVING (sum(d.registered), sum(d.approved)) <> (0, 0)
    ON CONFLICT (partner_id) DO UPDATE SET
        registered = t.registered + excluded.registered, approved = t.approved + excluded.approved;
    DELETE FROM partner_window_totals t
    USING (SELECT DISTINCT partner_id FROM partner_window_delta(o.since, o.until, p_since, p_until)) d
    WHERE t.partner_id = d.partner_id AND (t.registered, t.approved) = (0, 0);

    INSERT INTO partner_window_won AS t
    SELECT d.currency, d.partner_id, sum(d.won_amount)
    FROM partner_window_delta(o.since, o.until, p_since, p_until) d
    GROUP BY 1, 2
    HAVING sum(d.won_amount) <> 0
    ON CONFLICT (currency, partner_id) DO UPDATE SET won_amount = t.won_amount + excluded.won_amount;
    DELETE FROM partner_window_won t
    USING (SELECT DISTINCT currency, partner_id FROM partner_window_delta(o.since, o.until, p_since, p_until)) d
    WHERE (t.currency, t.partner_id) = (d.currency, d.partner_id) AND t.won_amount = 0;

    UPDATE partner_window SET since = p_since, until = p_until;
    RETURN true;
END;
$fn$;
