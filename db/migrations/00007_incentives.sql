-- Incentives: versioned programs, cycles with their frozen inputs
-- (lineage), statement lines, the review history, a hash-chained
-- double-entry ledger, payouts and published statements. Everything
-- finance relies on is append-only; only the cycle's status projection and
-- the ledger head (a cache of the chain's end) change.

-- +goose Up
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

-- The accruals and the rounding helper (div_half_even) they use are kept
-- in db/functions/, applied after the versioned migrations.

-- +goose Down
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
