-- Incentives: versioned programs, cycles with their frozen inputs
-- (lineage), statement lines, the review history, a hash-chained
-- double-entry ledger, payouts and published statements. Everything
-- finance relies on is append-only; only the cycle's status projection and
-- the ledger head (a cache of the chain's end) change.

-- +goose Up
-- +goose StatementBegin
-- div_half_even divides and rounds half to even (banker's rounding), exactly:
-- the line-level rounding rule of every incentive (domain.MulRateHalfEven).
CREATE FUNCTION div_half_even(num numeric, den numeric) RETURNS bigint
-- Not STRICT, so that PostgreSQL inlines it into the accruals' row
-- expressions instead of calling it per row (five times faster); NULL in
-- still gives NULL out.
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (CASE
                WHEN abs(mod(num, den)) * 2 > abs(den) THEN div(num, den) + sign(num) * sign(den)
                WHEN abs(mod(num, den)) * 2 = abs(den) AND mod(div(num, den), 2) <> 0 THEN div(num, den) + sign(num) * sign(den)
                ELSE div(num, den)
            END)::bigint
$$;
-- +goose StatementEnd

-- +goose StatementBegin
-- uuid_time_ordered returns a version 7 UUID (RFC 9562): the time in
-- milliseconds first, then random bits, so that ids written together sit
-- together in their index instead of splitting pages at random.
CREATE FUNCTION uuid_time_ordered() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
    SELECT encode(set_bit(set_bit(set_bit(set_bit(
               overlay(uuid_send(gen_random_uuid())
                       PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                       FROM 1 FOR 6),
               52, 1), 53, 1), 54, 1), 55, 0), 'hex')::uuid
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION reject_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: TRUNCATE refused', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END;
$$;
-- +goose StatementEnd

CREATE TABLE incentive_programs (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code       text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name       text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    kind       text NOT NULL CHECK (kind IN ('rebate', 'referral', 'spiff')),
    currency   text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    period     text NOT NULL CHECK (period IN ('month', 'quarter')),
    grace_days integer NOT NULL CHECK (grace_days BETWEEN 0 AND 27),
    -- Deals closed before starts_on never count.
    starts_on  date NOT NULL,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A program's rules, one row per version; a cycle names the version it used.
CREATE TABLE incentive_program_versions (
    program_id uuid NOT NULL REFERENCES incentive_programs (id),
    version    integer NOT NULL CHECK (version > 0),
    rules      jsonb NOT NULL,
    reason     text NOT NULL DEFAULT '',
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (program_id, version)
);

CREATE TABLE incentive_cycles (
    id                uuid PRIMARY KEY,
    program_id        uuid NOT NULL REFERENCES incentive_programs (id),
    program_version   integer NOT NULL,
    period_start      date NOT NULL,
    period_end        date NOT NULL CHECK (period_end > period_start), -- exclusive
    status            text NOT NULL CHECK (status IN ('open', 'in_review', 'approved', 'paid')),
    workflow_id       text NOT NULL UNIQUE,
    started_by        text NOT NULL,
    inputs            integer NOT NULL DEFAULT 0,
    excluded_inputs   integer NOT NULL DEFAULT 0,
    lines             integer NOT NULL DEFAULT 0,
    partners          integer NOT NULL DEFAULT 0,
    total             bigint NOT NULL DEFAULT 0,
    frozen_at         timestamptz,
    accrued_at        timestamptz,
    approved_at       timestamptz,
    approved_by       text,
    paid_at           timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (program_id, period_start),
    FOREIGN KEY (program_id, program_version) REFERENCES incentive_program_versions (program_id, version)
);
CREATE INDEX incentive_cycles_recent ON incentive_cycles (period_start DESC, created_at DESC);

-- cycle_inputs is a cycle's lineage: the deals and figures it froze. A deal
-- is a 'won' input of a program once, ever (so it is paid once and never
-- missed: a deal reported late counts in the next cycle); a later
-- correction or reversal of its amount is a 'change' input of a later
-- cycle, with the amount it had before.
-- The two tables a cycle writes by the million (cycle_inputs, statement_lines)
-- carry no foreign key to their cycle: a per-row check would cost more than
-- the insert. Only FreezeCycle and AccrueCycle write them, holding the
-- cycle's row lock, and nothing deletes a cycle.
CREATE TABLE cycle_inputs (
    cycle_id        uuid NOT NULL,
    program_id      uuid NOT NULL,
    deal_id         uuid NOT NULL,
    partner_id      uuid NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('won', 'change')),
    amount          bigint NOT NULL,
    previous_amount bigint,
    currency        text NOT NULL,
    units           bigint NOT NULL DEFAULT 1,
    closed_on       date NOT NULL,
    -- why a frozen deal pays nothing (e.g. 'currency EUR'); NULL when it counts.
    excluded        text,
    frozen_at       timestamptz NOT NULL DEFAULT now()
);
-- A deal is a 'won' input of a program once: the database refuses a second.
CREATE UNIQUE INDEX cycle_inputs_won_once ON cycle_inputs (program_id, deal_id) WHERE kind = 'won';
CREATE UNIQUE INDEX cycle_inputs_change ON cycle_inputs (program_id, deal_id, cycle_id) WHERE kind = 'change';
-- A cycle's inputs are all written in one transaction, so they share its
-- frozen_at (the transaction's time, also set on the cycle): a BRIN index
-- on it finds them for almost no cost at insert, where a B-tree on
-- cycle_id cost more than the insert itself at a million rows.
CREATE INDEX cycle_inputs_frozen ON cycle_inputs USING brin (frozen_at);

-- statement_lines are what a cycle computed, per partner; never edited:
-- finance's adjustments are cycle_events.
CREATE TABLE statement_lines (
    id               uuid PRIMARY KEY DEFAULT uuid_time_ordered(),
    cycle_id         uuid NOT NULL,
    partner_id       uuid NOT NULL,
    line_no          integer NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('rebate', 'referral', 'spiff', 'clawback', 'correction')),
    deal_id          uuid,
    -- basis: the revenue (rebate) or deal amount the line is computed on.
    basis            bigint NOT NULL,
    deals            integer NOT NULL DEFAULT 1,
    rate_bp          bigint,
    tier             integer,
    amount           bigint NOT NULL,
    currency         text NOT NULL,
    detail           text NOT NULL,
    -- the line a clawback or correction refers to (checked by the accrual's join)
    reverses_line_id uuid,
    UNIQUE (cycle_id, partner_id, line_no)
);

-- cycle_events is the review history: every hold, release, adjustment and
-- approval with actor, time and reason, numbered by the workflow.
CREATE TABLE cycle_events (
    cycle_id    uuid NOT NULL REFERENCES incentive_cycles (id),
    seq         integer NOT NULL CHECK (seq > 0),
    type        text NOT NULL,
    partner_id  uuid,
    line_id     uuid REFERENCES statement_lines (id),
    amount      bigint,
    actor_id    text NOT NULL,
    actor_name  text NOT NULL,
    actor_role  text NOT NULL,
    reason      text NOT NULL DEFAULT '',
    occurred_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cycle_id, seq)
);
CREATE INDEX cycle_events_line ON cycle_events (line_id, seq) WHERE line_id IS NOT NULL;

-- ledger_entries: double entry, append-only, each entry's hash covering
-- its predecessor's (domain.LedgerEntry.ComputeHash). entry_key makes every
-- posting idempotent: cycle/partner/line/leg.
CREATE TABLE ledger_entries (
    seq          bigint PRIMARY KEY CHECK (seq > 0),
    entry_key    text NOT NULL UNIQUE,
    posted_at    timestamptz NOT NULL,
    cycle_id     uuid NOT NULL REFERENCES incentive_cycles (id),
    partner_id   uuid NOT NULL,
    line_id      uuid REFERENCES statement_lines (id),
    account      text NOT NULL CHECK (account IN ('incentive_expense', 'partner_payable', 'cash')),
    debit        bigint NOT NULL CHECK (debit >= 0),
    credit       bigint NOT NULL CHECK (credit >= 0),
    currency     text NOT NULL,
    reverses_seq bigint REFERENCES ledger_entries (seq),
    memo         text NOT NULL,
    prev_hash    text NOT NULL,
    hash         text NOT NULL UNIQUE,
    CHECK ((debit = 0) <> (credit = 0))
);
CREATE INDEX ledger_entries_line ON ledger_entries (line_id) WHERE line_id IS NOT NULL;
CREATE INDEX ledger_entries_cycle ON ledger_entries (cycle_id, partner_id);

-- ledger_head is where the chain ends; posting locks it, so entries are
-- chained one transaction at a time. verify trusts the entries, not this.
CREATE TABLE ledger_head (
    id   boolean PRIMARY KEY DEFAULT true CHECK (id),
    seq  bigint NOT NULL,
    hash text NOT NULL
);
INSERT INTO ledger_head (seq, hash) VALUES (0, '');

-- payouts: what the accounts-payable system pays each partner for a cycle.
CREATE TABLE payouts (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    cycle_id   uuid NOT NULL REFERENCES incentive_cycles (id),
    partner_id uuid NOT NULL,
    amount     bigint NOT NULL,
    currency   text NOT NULL,
    lines      integer NOT NULL,
    -- 'payable': AP pays amount; 'nothing_due': zero or negative net (a
    -- clawback larger than the period's earnings stays on the payable).
    status     text NOT NULL CHECK (status IN ('payable', 'nothing_due')),
    first_seq  bigint,
    last_seq   bigint,
    posted_at  timestamptz NOT NULL,
    UNIQUE (cycle_id, partner_id)
);

-- statements: a partner's published statement for a cycle.
CREATE TABLE statements (
    cycle_id     uuid NOT NULL REFERENCES incentive_cycles (id),
    partner_id   uuid NOT NULL,
    total        bigint NOT NULL,
    currency     text NOT NULL,
    lines        integer NOT NULL,
    published_at timestamptz NOT NULL,
    PRIMARY KEY (cycle_id, partner_id)
);
CREATE INDEX statements_partner ON statements (partner_id, published_at DESC);

CREATE TRIGGER incentive_program_versions_append_only BEFORE UPDATE OR DELETE ON incentive_program_versions
    FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER cycle_inputs_append_only BEFORE UPDATE OR DELETE ON cycle_inputs
    FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER statement_lines_append_only BEFORE UPDATE OR DELETE ON statement_lines
    FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER cycle_events_append_only BEFORE UPDATE OR DELETE ON cycle_events
    FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION reject_truncate();
CREATE TRIGGER payouts_append_only BEFORE UPDATE OR DELETE ON payouts
    FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER statements_append_only BEFORE UPDATE OR DELETE ON statements
    FOR EACH ROW EXECUTE FUNCTION reject_change();

-- Closed-won deals by close date, for freezing a period's inputs; and
-- corrected outcomes, for clawbacks.
CREATE INDEX deals_won ON deals (closed_on) WHERE status = 'closed_won';
ALTER TABLE deals ADD COLUMN won_units bigint;
CREATE INDEX deal_events_outcome_changes ON deal_events (deal_id)
    WHERE type IN ('outcome_corrected', 'outcome_reversed');

-- The accruals, set-based: one statement per program kind, each writing a
-- cycle's statement lines from its frozen inputs and returning how many.

-- AccrueRebate writes one rebate line per partner on the revenue the cycle
-- froze, at the tier reached (retroactive: the whole revenue at that
-- tier's rate; marginal: each slice at its own tier's rate, the sum rounded
-- once), and one line per frozen change of a deal an earlier cycle paid: the
-- original rebate's share of the revenue that went away (clawback) or came
-- (correction). Rounding is half to even, per line.
-- +goose StatementBegin
CREATE FUNCTION accrue_rebate(p_cycle_id uuid, p_tiers jsonb, p_mode text, p_currency text) RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
    n bigint;
BEGIN
    -- Planned for the values at hand (EXECUTE), not as a generic plan.
    EXECUTE $q$
        WITH tiers AS (
            SELECT x.above, x.rate_bp, lead(x.above) OVER (ORDER BY x.above) AS next_above,
                   (row_number() OVER (ORDER BY x.above))::int - 1 AS idx
            FROM (SELECT (e->>'above')::bigint AS above, (e->>'rate_bp')::bigint AS rate_bp
                  FROM jsonb_array_elements($2) AS e) x),
        rev AS (
            SELECT i.partner_id, sum(i.amount)::bigint AS revenue, count(*)::int AS deals FROM cycle_inputs i
            WHERE i.frozen_at = (SELECT frozen_at FROM incentive_cycles WHERE id = $1) AND i.cycle_id = $1
              AND i.kind = 'won' AND i.excluded IS NULL GROUP BY i.partner_id),
        rebate AS (
            SELECT r.partner_id, NULL::uuid AS deal_id, 'rebate'::text AS kind, r.revenue AS basis, r.deals, top.idx AS tier,
                   CASE WHEN $3 = 'retroactive' THEN top.rate_bp END AS rate_bp,
                   CASE WHEN $3 = 'retroactive' THEN div_half_even(r.revenue::numeric * coalesce(top.rate_bp, 0), 10000)
                        ELSE div_half_even((SELECT coalesce(sum((least(r.revenue, coalesce(t.next_above, r.revenue)) - t.above)::numeric * t.rate_bp), 0)
                                            FROM tiers t WHERE r.revenue > t.above), 10000) END AS amount,
                   CASE WHEN top.idx IS NULL THEN 'no tier reached'
                        ELSE $3 || ' rebate, tier ' || (top.idx + 1) || ' of ' || (SELECT count(*) FROM tiers) || ' reached' END AS detail,
                   NULL::uuid AS reverses_line_id, NULL::date AS closed_on
            FROM rev r
            LEFT JOIN LATERAL (SELECT t.idx, t.rate_bp FROM tiers t WHERE r.revenue > t.above ORDER BY t.above DESC LIMIT 1) top ON true),
        changes AS (
            SELECT c.partner_id, c.deal_id, CASE WHEN c.amount < c.previous_amount THEN 'clawback' ELSE 'correction' END AS kind,
                   c.amount - c.previous_amount AS basis, 1 AS deals, orig.tier, orig.rate_bp,
                   div_half_even(orig.amount::numeric * (c.amount - c.previous_amount), orig.basis) AS amount,
                   'deal amount ' || c.previous_amount || ' → ' || c.amount || ': share of the rebate of cycle ' || w.cycle_id AS detail,
                   orig.id AS reverses_line_id, c.closed_on
            FROM cycle_inputs c
            JOIN cycle_inputs w ON w.program_id = c.program_id AND w.partner_id = c.partner_id AND w.deal_id = c.deal_id AND w.kind = 'won'
            JOIN statement_lines orig ON orig.cycle_id = w.cycle_id AND orig.partner_id = c.partner_id AND orig.kind = 'rebate'
            WHERE c.frozen_at = (SELECT frozen_at FROM incentive_cycles WHERE id = $1) AND c.cycle_id = $1 AND c.kind = 'change' AND orig.basis > 0),
        lines AS (SELECT * FROM rebate UNION ALL SELECT * FROM changes),
        inserted AS (
        INSERT INTO statement_lines (cycle_id, partner_id, line_no, kind, deal_id, basis, deals, rate_bp, tier, amount, currency, detail, reverses_line_id)
        SELECT $1, l.partner_id,
               row_number() OVER (PARTITION BY l.partner_id ORDER BY l.kind <> 'rebate', l.closed_on, l.deal_id)::int,
               l.kind, l.deal_id, l.basis, l.deals, l.rate_bp, l.tier, l.amount, $4, l.detail, l.reverses_line_id
        FROM lines l
        RETURNING 1)
        SELECT count(*) FROM inserted
    $q$ INTO n USING p_cycle_id, p_tiers, p_mode, p_currency;
    RETURN n;
END;
$fn$;
-- +goose StatementEnd

-- AccrueReferral writes one line per referred deal: rate_bp of its won
-- amount, rounded half to even, at most cap (0: no cap); and for a frozen
-- change, the difference between the commission on the new and the
-- previous amount under the rules of the cycle that paid it.
-- +goose StatementBegin
CREATE FUNCTION accrue_referral(p_cycle_id uuid, p_rate_bp bigint, p_cap bigint, p_currency text) RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
    n bigint;
BEGIN
    -- Planned for the values at hand (EXECUTE), not as a generic plan.
    EXECUTE $q$
        WITH won AS (
            SELECT i.partner_id, i.deal_id, 'referral'::text AS kind, i.amount AS basis, $2 AS rate_bp,
                   div_half_even(i.amount::numeric * $2, 10000) AS raw, $3 AS cap,
                   NULL::uuid AS reverses_line_id, i.closed_on, 0::bigint AS paid_before
            FROM cycle_inputs i WHERE i.frozen_at = (SELECT frozen_at FROM incentive_cycles WHERE id = $1) AND i.cycle_id = $1
              AND i.kind = 'won' AND i.excluded IS NULL),
        changes AS (
            SELECT c.partner_id, c.deal_id, CASE WHEN c.amount < c.previous_amount THEN 'clawback' ELSE 'correction' END AS kind,
                   c.amount - c.previous_amount AS basis, (v.rules->>'rate_bp')::bigint AS rate_bp,
                   div_half_even(c.amount::numeric * (v.rules->>'rate_bp')::bigint, 10000) AS raw,
                   coalesce((v.rules->>'cap_per_deal')::bigint, 0) AS cap, orig.id AS reverses_line_id, c.closed_on,
                   CASE WHEN coalesce((v.rules->>'cap_per_deal')::bigint, 0) > 0
                        THEN least(div_half_even(c.previous_amount::numeric * (v.rules->>'rate_bp')::bigint, 10000), (v.rules->>'cap_per_deal')::bigint)
                        ELSE div_half_even(c.previous_amount::numeric * (v.rules->>'rate_bp')::bigint, 10000) END AS paid_before
            FROM cycle_inputs c
            JOIN cycle_inputs w ON w.program_id = c.program_id AND w.partner_id = c.partner_id AND w.deal_id = c.deal_id AND w.kind = 'won'
            JOIN statement_lines orig ON orig.cycle_id = w.cycle_id AND orig.partner_id = c.partner_id
                                     AND orig.deal_id = c.deal_id AND orig.kind = 'referral'
            JOIN incentive_cycles oc ON oc.id = w.cycle_id
            JOIN incentive_program_versions v ON v.program_id = oc.program_id AND v.version = oc.program_version
            WHERE c.frozen_at = (SELECT frozen_at FROM incentive_cycles WHERE id = $1) AND c.cycle_id = $1 AND c.kind = 'change'),
        lines AS (
            SELECT l.*, CASE WHEN l.cap > 0 THEN least(l.raw, l.cap) ELSE l.raw END - l.paid_before AS amount FROM won l
            UNION ALL
            SELECT l.*, CASE WHEN l.cap > 0 THEN least(l.raw, l.cap) ELSE l.raw END - l.paid_before FROM changes l),
        inserted AS (
        INSERT INTO statement_lines (cycle_id, partner_id, line_no, kind, deal_id, basis, rate_bp, amount, currency, detail, reverses_line_id)
        SELECT $1, l.partner_id, row_number() OVER (PARTITION BY l.partner_id ORDER BY l.kind <> 'referral', l.closed_on, l.deal_id)::int,
               l.kind, l.deal_id, l.basis, l.rate_bp, l.amount, $4,
               CASE WHEN l.kind = 'referral' AND l.cap > 0 AND l.raw > l.cap THEN 'commission capped at ' || l.cap
                    WHEN l.kind = 'referral' THEN 'commission'
                    ELSE 'deal amount changed by ' || l.basis || '; commission recomputed' END,
               l.reverses_line_id
        FROM lines l
        WHERE l.kind = 'referral' OR l.amount <> 0
        RETURNING 1)
        SELECT count(*) FROM inserted
    $q$ INTO n USING p_cycle_id, p_rate_bp, p_cap, p_currency;
    RETURN n;
END;
$fn$;
-- +goose StatementEnd

-- AccrueSpiff pays each qualifying deal the SPIFF amount (per deal, or per
-- unit) in order of close date, then deal id, while the program's budget
-- lasts (what earlier cycles paid is spent): once a claim does not fit, it
-- and every later one are paid nothing, with the reason on the line. A
-- paid SPIFF on a deal later reversed is clawed back in full.
-- +goose StatementBegin
CREATE FUNCTION accrue_spiff(p_cycle_id uuid, p_program_id uuid, p_per text, p_amount bigint, p_budget bigint, p_currency text) RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
    n bigint;
BEGIN
    -- Planned for the values at hand (EXECUTE), not as a generic plan.
    EXECUTE $q$
        WITH spent AS (
            SELECT ($5 = 0) AS unlimited, $5 - coalesce(sum(l.amount), 0)::bigint AS remaining
            FROM statement_lines l
            JOIN incentive_cycles c ON c.id = l.cycle_id
            WHERE c.program_id = $2 AND l.cycle_id <> $1),
        claims AS (
            SELECT i.partner_id, i.deal_id, i.closed_on, i.units,
                   (CASE WHEN $3 = 'unit' THEN $4 * i.units ELSE $4 END)::bigint AS claim,
                   (CASE WHEN $3 = 'unit' THEN 'SPIFF for ' || i.units || ' units' ELSE 'SPIFF per deal' END)::text AS label
            FROM cycle_inputs i WHERE i.frozen_at = (SELECT frozen_at FROM incentive_cycles WHERE id = $1) AND i.cycle_id = $1
              AND i.kind = 'won' AND i.excluded IS NULL),
        ranked AS (
            SELECT cl.partner_id, cl.deal_id, cl.closed_on, cl.claim, cl.label,
                   sum(cl.claim) OVER (ORDER BY cl.closed_on, cl.deal_id ROWS UNBOUNDED PRECEDING) AS running
            FROM claims cl),
        won AS (
            SELECT r.partner_id, r.deal_id, 'spiff'::text AS kind, r.claim AS basis,
                   CASE WHEN s.unlimited OR r.running <= s.remaining THEN r.claim ELSE 0 END AS amount,
                   CASE WHEN s.unlimited OR r.running <= s.remaining THEN r.label ELSE 'budget exhausted' END AS detail,
                   NULL::uuid AS reverses_line_id, r.closed_on
            FROM ranked r CROSS JOIN spent s),
        changes AS (
            SELECT c.partner_id, c.deal_id, 'clawback'::text, c.amount - c.previous_amount, -orig.amount,
                   'deal reversed: SPIFF clawed back', orig.id, c.closed_on
            FROM cycle_inputs c
            JOIN cycle_inputs w ON w.program_id = c.program_id AND w.partner_id = c.partner_id AND w.deal_id = c.deal_id AND w.kind = 'won'
            JOIN statement_lines orig ON orig.cycle_id = w.cycle_id AND orig.partner_id = c.partner_id
                                     AND orig.deal_id = c.deal_id AND orig.kind = 'spiff'
            WHERE c.frozen_at = (SELECT frozen_at FROM incentive_cycles WHERE id = $1) AND c.cycle_id = $1 AND c.kind = 'change' AND c.amount = 0 AND orig.amount <> 0),
        lines AS (SELECT * FROM won UNION ALL SELECT * FROM changes),
        inserted AS (
        INSERT INTO statement_lines (cycle_id, partner_id, line_no, kind, deal_id, basis, amount, currency, detail, reverses_line_id)
        SELECT $1, l.partner_id, row_number() OVER (PARTITION BY l.partner_id ORDER BY l.kind <> 'spiff', l.closed_on, l.deal_id)::int,
               l.kind, l.deal_id, l.basis, l.amount, $6, l.detail, l.reverses_line_id
        FROM lines l
        RETURNING 1)
        SELECT count(*) FROM inserted
    $q$ INTO n USING p_cycle_id, p_program_id, p_per, p_amount, p_budget, p_currency;
    RETURN n;
END;
$fn$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION accrue_spiff(uuid, uuid, text, bigint, bigint, text);
DROP FUNCTION accrue_referral(uuid, bigint, bigint, text);
DROP FUNCTION accrue_rebate(uuid, jsonb, text, text);
DROP INDEX deal_events_outcome_changes;
ALTER TABLE deals DROP COLUMN won_units;
DROP INDEX deals_won;
DROP TABLE statements;
DROP TABLE payouts;
DROP TABLE ledger_head;
DROP TABLE ledger_entries;
DROP TABLE cycle_events;
DROP TABLE statement_lines;
DROP TABLE cycle_inputs;
DROP TABLE incentive_cycles;
DROP TABLE incentive_program_versions;
DROP TABLE incentive_programs;
DROP FUNCTION reject_truncate();
DROP FUNCTION uuid_time_ordered();
DROP FUNCTION div_half_even(numeric, numeric);
