-- name: IncentiveProgramCreate :one
INSERT INTO incentive_programs (code, name, kind, currency, period, grace_days, starts_on, created_by)
VALUES (@code, @name, @kind, @currency, @period, @grace_days, @starts_on, @created_by)
RETURNING *;

-- name: IncentiveProgramVersionCreate :one
-- IncentiveProgramVersionCreate adds the next version of a program's rules;
-- two concurrent writers collide on the primary key and one is refused.
INSERT INTO incentive_program_versions (program_id, version, rules, reason, created_by)
SELECT @program_id, coalesce(max(v.version), 0) + 1, @rules, @reason, @created_by
FROM incentive_program_versions v WHERE v.program_id = @program_id
RETURNING *;

-- name: IncentiveProgramGet :one
-- IncentiveProgramGet returns a program with its latest rules.
SELECT p.*, v.version, v.rules
FROM incentive_programs p
JOIN LATERAL (SELECT v.version, v.rules FROM incentive_program_versions v
              WHERE v.program_id = p.id ORDER BY v.version DESC LIMIT 1) v ON true
WHERE p.id = @id;

-- name: IncentiveProgramList :many
SELECT p.*, v.version, v.rules
FROM incentive_programs p
JOIN LATERAL (SELECT v.version, v.rules FROM incentive_program_versions v
              WHERE v.program_id = p.id ORDER BY v.version DESC LIMIT 1) v ON true
ORDER BY p.code;

-- name: IncentiveProgramVersionList :many
-- IncentiveProgramVersionList lists a program's rules versions, newest
-- first, with who published each (the user's name when a user did).
SELECT v.version, v.rules, v.reason, v.created_by, v.created_at,
       coalesce((SELECT u.name FROM users u WHERE u.id::text = v.created_by), '')::text AS created_by_name
FROM incentive_program_versions v
WHERE v.program_id = @program_id
ORDER BY v.version DESC;

-- name: IncentiveProgramVersionGet :one
SELECT * FROM incentive_program_versions WHERE program_id = @program_id AND version = @version;

-- name: CycleOpen :exec
-- CycleOpen records a cycle with the program's latest rules version; a
-- cycle already recorded under that id (a retry) is left as it is.
INSERT INTO incentive_cycles (id, program_id, program_version, period_start, period_end, status, workflow_id, started_by)
SELECT @id, p.id, (SELECT max(v.version) FROM incentive_program_versions v WHERE v.program_id = p.id),
       @period_start, @period_end, 'open', @workflow_id, @started_by
FROM incentive_programs p WHERE p.id = @program_id
ON CONFLICT (id) DO NOTHING;

-- name: CycleGet :one
SELECT c.*, p.code AS program_code, p.name AS program_name, p.kind, p.currency, p.starts_on, v.rules
FROM incentive_cycles c
JOIN incentive_programs p ON p.id = c.program_id
JOIN incentive_program_versions v ON v.program_id = c.program_id AND v.version = c.program_version
WHERE c.id = @id;

-- name: CycleList :many
SELECT c.*, p.code AS program_code, p.name AS program_name, p.kind, p.currency
FROM incentive_cycles c JOIN incentive_programs p ON p.id = c.program_id
ORDER BY c.period_start DESC, c.created_at DESC
LIMIT @max_rows;

-- name: CycleLock :one
-- CycleLock serializes a cycle's steps (freeze, accrue) against retries.
SELECT status, frozen_at, accrued_at FROM incentive_cycles WHERE id = @id FOR UPDATE;

-- name: CycleMarkFrozen :exec
-- CycleMarkFrozen runs in the transaction that attaches the cycle's
-- inputs: frozen_at is when they became its lineage.
UPDATE incentive_cycles SET frozen_at = now(), updated_at = now() WHERE id = @id;

-- name: CycleSetInputCounts :exec
UPDATE incentive_cycles SET inputs = @inputs, excluded_inputs = @excluded_inputs, change_inputs = @change_inputs WHERE id = @id;

-- name: CycleMarkAccrued :exec
UPDATE incentive_cycles SET status = 'in_review', accrued_at = @at, updated_at = @at,
    lines = (SELECT count(*) FROM statement_lines l WHERE l.cycle_id = @id),
    partners = (SELECT count(DISTINCT l.partner_id) FROM statement_lines l WHERE l.cycle_id = @id),
    total = (SELECT coalesce(sum(l.amount), 0) FROM statement_lines l WHERE l.cycle_id = @id)
WHERE id = @id;

-- name: CycleMarkApproved :exec
UPDATE incentive_cycles SET status = 'approved', approved_at = @at, approved_by = @approved_by, updated_at = @at
WHERE id = @id AND approved_at IS NULL;

-- name: CycleMarkPaid :exec
UPDATE incentive_cycles SET status = 'paid', paid_at = @at, updated_at = @at WHERE id = @id AND paid_at IS NULL;

-- name: FreezeLock :exec
-- FreezeLock takes the program's freeze lock for the session: one freeze
-- of a program at a time, on any worker (released by FreezeUnlock, or when
-- the connection ends).
SELECT pg_advisory_lock(7301, hashtext(@program_key::text));

-- name: FreezeUnlock :exec
SELECT pg_advisory_unlock(7301, hashtext(@program_key::text));

-- name: FreezeStage :exec
-- FreezeStage creates the tables a freeze stages the cycle's inputs in.
SELECT cycle_inputs_stage(@cycle_id::uuid);

-- name: FreezeIndex :exec
-- FreezeIndex indexes the staged inputs by deal.
SELECT cycle_inputs_index(@cycle_id::uuid);

-- name: FreezeSums :exec
-- FreezeSums sums the staged won inputs per partner.
SELECT freeze_sums(@cycle_id::uuid);

-- name: DealsBlocks :one
-- DealsBlocks is the deals table's size in blocks, to split a freeze's scan.
SELECT (pg_relation_size('deals') / current_setting('block_size')::bigint)::bigint;

-- name: ExportSnapshot :one
SELECT pg_export_snapshot()::text;

-- name: FreezeWonPart :one
-- FreezeWonPart stages the won deals of blocks [first_block, end_block)
-- of the deals table (freeze_won_part, db/functions/30_freeze.sql).
SELECT freeze_won_part(@cycle_id::uuid, @program_id::uuid, @kind::text, @rules::jsonb, @currency::text,
                       @closed_from::date, @closed_before::date, @deal_kind::text, @product_lines::text[],
                       @first_block::bigint, @end_block::bigint)::bigint;

-- name: FreezeFinish :many
-- FreezeFinish freezes the changes, attaches the staged inputs and writes
-- each partner's totals (freeze_finish, db/functions/30_freeze.sql); it returns what the
-- cycle froze by kind and reason for exclusion ('' for what counts).
SELECT f.kind::text AS kind, f.reason::text AS reason, f.deals::int AS deals, f.amount::bigint AS amount
FROM freeze_finish(@cycle_id::uuid, @program_id::uuid, @kind::text, @rules::jsonb) f;

-- name: CycleExcludedInputs :many
-- CycleExcludedInputs reports what a cycle froze but does not pay, by reason.
SELECT excluded::text AS reason, count(*)::int AS deals, sum(amount)::bigint AS amount
FROM cycle_inputs
WHERE cycle_id = @cycle_id AND kind = 'won' AND excluded IS NOT NULL
GROUP BY excluded ORDER BY excluded;

-- name: AccrueRebate :one
SELECT draft_rebate_lines(@cycle_id::uuid, @tiers::jsonb, @mode::text, @currency::text)::bigint;

-- name: AccrueReferral :one
SELECT draft_referral_lines(@cycle_id::uuid, @rate_bp::bigint, @cap::bigint, @currency::text)::bigint;

-- name: AccrueSpiff :one
SELECT draft_spiff_lines(@cycle_id::uuid, @per::text, @currency::text)::bigint;

-- name: CycleLinesExist :one
SELECT EXISTS (SELECT 1 FROM statement_lines WHERE cycle_id = @cycle_id);

-- name: CycleEventInsert :execrows
INSERT INTO cycle_events (cycle_id, seq, type, partner_id, line_id, amount, actor_id, actor_name, actor_role, actor_person_id,
                          reason, occurred_at)
VALUES (@cycle_id, @seq, @type, sqlc.narg(partner_id), sqlc.narg(line_id), sqlc.narg(amount), @actor_id, @actor_name,
        @actor_role, sqlc.narg(actor_person_id), @reason, @occurred_at)
ON CONFLICT (cycle_id, seq) DO NOTHING;

-- name: CycleEvents :many
SELECT * FROM cycle_events WHERE cycle_id = @cycle_id ORDER BY seq;

-- name: StatementLineInCycle :one
SELECT id, partner_id, amount, currency FROM statement_lines WHERE id = @id AND cycle_id = @cycle_id;

-- name: CyclePayout :one
-- CyclePayout is what a cycle pays out as its lines stand: each partner's
-- net after finance's adjustments (the latest of each line's), when
-- positive, summed.
WITH adjusted AS (
    SELECT DISTINCT ON (e.line_id) e.line_id, e.amount FROM cycle_events e
    WHERE e.cycle_id = @cycle_id AND e.type = 'adjusted' AND e.line_id IS NOT NULL
    ORDER BY e.line_id, e.seq DESC
), nets AS (
    SELECT l.partner_id, sum(coalesce(a.amount, l.amount)) AS net
    FROM statement_lines l LEFT JOIN adjusted a ON a.line_id = l.id
    WHERE l.cycle_id = @cycle_id
    GROUP BY l.partner_id
)
SELECT coalesce(sum(greatest(net, 0)), 0)::bigint FROM nets;

-- name: CyclePartnerHasLines :one
SELECT EXISTS (SELECT 1 FROM statement_lines WHERE cycle_id = @cycle_id AND partner_id = @partner_id);

-- name: CycleLines :many
-- CycleLines lists a cycle's lines with their amounts after adjustments,
-- for finance's review; scope_partner_id limits them to one partner.
SELECT l.*, coalesce((SELECT e.amount FROM cycle_events e WHERE e.line_id = l.id AND e.type = 'adjusted'
                      ORDER BY e.seq DESC LIMIT 1), l.amount)::bigint AS effective_amount,
       coalesce((SELECT p.name FROM partners p WHERE p.id = l.partner_id), '')::text AS partner_name
FROM statement_lines l
WHERE l.cycle_id = @cycle_id AND (sqlc.narg(scope_partner_id)::uuid IS NULL OR l.partner_id = sqlc.narg(scope_partner_id))
  AND (l.partner_id, l.line_no) > (@after_partner::uuid, @after_line::int)
ORDER BY l.partner_id, l.line_no
LIMIT @max_rows;

-- name: PayoutBatchLines :many
-- PayoutBatchLines returns the lines, after adjustments, of the next
-- partners to pay: after after_partner, not held, not paid yet. Each
-- clawback names the ledger entry of the expense it reverses. Only the
-- payouts after after_partner can exclude anyone (a retried run's), so the
-- check reads those, not the whole run's: planned on statistics taken
-- before the run, an anti-join against all the cycle's payouts grew with
-- every batch.
WITH batch AS (
    SELECT DISTINCT s.partner_id FROM statement_lines s
    WHERE s.cycle_id = @cycle_id AND s.partner_id > @after_partner::uuid AND NOT (s.partner_id = ANY (@held::uuid[]))
      AND s.partner_id NOT IN (SELECT p.partner_id FROM payouts p WHERE p.cycle_id = @cycle_id AND p.partner_id > @after_partner::uuid)
    ORDER BY s.partner_id LIMIT @max_partners)
SELECT l.id, l.partner_id, l.line_no, l.kind, l.currency, l.deal_id,
       coalesce((SELECT e.amount FROM cycle_events e WHERE e.line_id = l.id AND e.type = 'adjusted'
                 ORDER BY e.seq DESC LIMIT 1), l.amount)::bigint AS amount,
       coalesce((SELECT le.seq FROM ledger_entries le WHERE le.line_id = l.reverses_line_id AND le.account = 'incentive_expense'
                 ORDER BY le.seq LIMIT 1), 0)::bigint AS reverses_seq
FROM statement_lines l JOIN batch b ON b.partner_id = l.partner_id
WHERE l.cycle_id = @cycle_id
ORDER BY l.partner_id, l.line_no;

-- name: LedgerHeadLock :one
SELECT seq, hash FROM ledger_head WHERE id FOR UPDATE;

-- name: LedgerHeadSet :exec
UPDATE ledger_head SET seq = @seq, hash = @hash WHERE id;

-- name: LedgerEntriesInsert :copyfrom
INSERT INTO ledger_entries (seq, entry_key, posted_at, cycle_id, partner_id, line_id, account, debit, credit, currency,
                            reverses_seq, memo, prev_hash, hash)
VALUES (@seq, @entry_key, @posted_at, @cycle_id, @partner_id, @line_id, @account, @debit, @credit, @currency,
        @reverses_seq, @memo, @prev_hash, @hash);

-- name: PayoutsInsert :copyfrom
INSERT INTO payouts (cycle_id, partner_id, amount, currency, lines, status, first_seq, last_seq, posted_at)
VALUES (@cycle_id, @partner_id, @amount, @currency, @lines, @status, @first_seq, @last_seq, @posted_at);

-- name: LedgerEntriesAfter :many
-- LedgerEntriesAfter pages through the ledger in chain order.
SELECT * FROM ledger_entries WHERE seq > @after_seq ORDER BY seq LIMIT @max_rows;

-- name: LedgerEntriesForLine :many
SELECT * FROM ledger_entries WHERE line_id = @line_id ORDER BY seq;

-- name: CyclePayouts :many
SELECT p.*, pa.name AS partner_name FROM payouts p JOIN partners pa ON pa.id = p.partner_id
WHERE p.cycle_id = @cycle_id ORDER BY pa.name, p.partner_id;

-- name: CycleUnpaidPartners :one
-- CycleUnpaidPartners counts the partners with lines and no payout yet:
-- every payout is of a partner with lines, so the difference of two
-- counts (no join to misplan on statistics older than the payout run).
SELECT ((SELECT count(DISTINCT l.partner_id) FROM statement_lines l WHERE l.cycle_id = @cycle_id)
        - (SELECT count(*) FROM payouts p WHERE p.cycle_id = @cycle_id))::int;

-- name: StatementsPublish :execrows
INSERT INTO statements (cycle_id, partner_id, total, currency, lines, published_at)
SELECT p.cycle_id, p.partner_id, p.amount, p.currency, p.lines, @published_at FROM payouts p WHERE p.cycle_id = @cycle_id
ON CONFLICT (cycle_id, partner_id) DO NOTHING;

-- name: StatementsForPartner :many
-- StatementsForPartner lists published statements; scope_partner_id is the
-- caller's organization for partners (NULL for finance and managers).
SELECT s.*, c.period_start, c.period_end, p.code AS program_code, p.name AS program_name, p.kind
FROM statements s
JOIN incentive_cycles c ON c.id = s.cycle_id
JOIN incentive_programs p ON p.id = c.program_id
WHERE (sqlc.narg(scope_partner_id)::uuid IS NULL OR s.partner_id = sqlc.narg(scope_partner_id))
  AND (sqlc.narg(partner_id)::uuid IS NULL OR s.partner_id = sqlc.narg(partner_id))
  AND (sqlc.narg(cycle_id)::uuid IS NULL OR s.cycle_id = sqlc.narg(cycle_id))
ORDER BY s.published_at DESC, s.cycle_id
LIMIT @max_rows;

-- name: StatementLineGet :one
-- StatementLineGet reads one line for its explanation; a partner (scope)
-- sees only its own lines, and only once its statement is published. A
-- true-up (clawback, correction) comes with the period and rules version
-- of the cycle that paid what it corrects.
SELECT l.*, c.program_id, c.program_version, c.period_start, c.period_end, c.status AS cycle_status,
       p.code AS program_code, p.kind AS program_kind, v.rules,
       coalesce((SELECT e.amount FROM cycle_events e WHERE e.line_id = l.id AND e.type = 'adjusted'
                 ORDER BY e.seq DESC LIMIT 1), l.amount)::bigint AS effective_amount,
       oc.id AS paid_cycle_id, oc.period_start AS paid_period_start, oc.period_end AS paid_period_end,
       oc.program_version AS paid_program_version
FROM statement_lines l
JOIN incentive_cycles c ON c.id = l.cycle_id
JOIN incentive_programs p ON p.id = c.program_id
JOIN incentive_program_versions v ON v.program_id = c.program_id AND v.version = c.program_version
LEFT JOIN statement_lines o ON o.id = l.reverses_line_id
LEFT JOIN incentive_cycles oc ON oc.id = o.cycle_id
WHERE l.id = @id
  AND (sqlc.narg(scope_partner_id)::uuid IS NULL OR (l.partner_id = sqlc.narg(scope_partner_id)
       AND EXISTS (SELECT 1 FROM statements s WHERE s.cycle_id = l.cycle_id AND s.partner_id = l.partner_id)));

-- name: StatementLineInputs :many
-- StatementLineInputs lists the frozen deals behind a line: for a true-up
-- (paid_cycle_id set) the cycle's changes of deals that cycle paid (its
-- deal's only when deal_id is set), for a partner's line every won deal
-- the cycle counted for that partner, with what each earned in a per-deal
-- program; a page at a time, after (after_closed, after_deal). The
-- partner's deals lead (by their partner index) to the inputs (by the
-- cycle partition's index).
SELECT i.deal_id, i.kind, i.amount, i.previous_amount, i.currency, i.units, i.closed_on, i.earned, i.note, d.customer_name
FROM deals d JOIN cycle_inputs i ON i.deal_id = d.id
WHERE d.partner_id = @partner_id
  AND i.cycle_id = @cycle_id AND i.partner_id = @partner_id AND i.excluded IS NULL
  AND (sqlc.narg(deal_id)::uuid IS NULL OR i.deal_id = sqlc.narg(deal_id))
  AND CASE WHEN sqlc.narg(paid_cycle_id)::uuid IS NOT NULL THEN i.kind = 'change' AND i.won_cycle_id = sqlc.narg(paid_cycle_id)
           ELSE i.kind = 'won' OR sqlc.narg(deal_id)::uuid IS NOT NULL END
  AND (i.closed_on, i.deal_id) > (@after_closed::date, @after_deal::uuid)
ORDER BY i.closed_on, i.deal_id
LIMIT @max_rows;

-- name: CycleExcludedDeals :many
-- CycleExcludedDeals lists, one by one, the deals a cycle froze but does
-- not pay (another currency), by partner, close date and deal, a page at a
-- time after (after_partner, after_closed, after_deal): finance's list,
-- or with scope_partner_id a partner's own (its explanation). The cycle's
-- partition has a partial index on them.
SELECT i.deal_id, i.partner_id, coalesce(pa.name, '')::text AS partner_name, i.currency, i.amount, i.units, i.closed_on,
       i.excluded::text AS reason
FROM cycle_inputs i LEFT JOIN partners pa ON pa.id = i.partner_id
WHERE i.cycle_id = @cycle_id AND i.excluded IS NOT NULL
  AND (sqlc.narg(scope_partner_id)::uuid IS NULL OR i.partner_id = sqlc.narg(scope_partner_id))
  AND (i.partner_id, i.closed_on, i.deal_id) > (@after_partner::uuid, @after_closed::date, @after_deal::uuid)
ORDER BY i.partner_id, i.closed_on, i.deal_id
LIMIT @max_rows;

-- name: ProductLinesUnseen :many
-- ProductLinesUnseen returns those of lines that no deal has ever been
-- registered or won with (there is no catalogue of product lines: a
-- program naming one of these pays nothing until deals carry it). Each
-- line known to deals stops its scan at the first deal found.
SELECT l::text AS product_line FROM unnest(@lines::text[]) AS l
WHERE NOT EXISTS (SELECT 1 FROM deals d WHERE l = ANY(d.product_lines) OR l = ANY(d.won_product_lines))
ORDER BY l;

-- name: StatementLineEvents :many
-- StatementLineEvents is the review history that touched a line: its
-- adjustments, its partner's holds and releases, and the approval.
SELECT * FROM cycle_events e
WHERE e.cycle_id = @cycle_id
  AND (e.line_id = @line_id OR (e.line_id IS NULL AND (e.partner_id = @partner_id OR e.partner_id IS NULL)))
ORDER BY e.seq;

-- name: PayoutForPartner :one
SELECT * FROM payouts WHERE cycle_id = @cycle_id AND partner_id = @partner_id;

-- name: LedgerExport :many
SELECT * FROM ledger_entries WHERE seq > @after_seq ORDER BY seq LIMIT @max_rows;

-- name: LedgerHead :one
SELECT seq, hash FROM ledger_head WHERE id;

-- name: SetLocalWorkMem :exec
-- SetLocalWorkMem lets a freeze sort and index its million rows in memory.
SELECT set_config('work_mem', '256MB', true), set_config('maintenance_work_mem', '512MB', true);

-- name: LineagePrograms :many
-- LineagePrograms lists the programs with two or more frozen cycles and
-- those cycles: only across a program's cycles can a deal be frozen twice
-- (within one, its partition's unique index refuses it).
SELECT program_id, array_agg(id ORDER BY id)::uuid[] AS cycles
FROM incentive_cycles WHERE frozen_at IS NOT NULL
GROUP BY program_id HAVING count(*) > 1
ORDER BY program_id;

-- name: LineageCompare :one
-- LineageCompare reads a program's won inputs once: how many there are,
-- and (the first max_rows) deals frozen as won by more than one of its
-- cycles — what the freeze's lock and its anti-join over the program's
-- earlier cycles rule out, checked by `dealflow ledger verify`.
WITH g AS (
    SELECT i.deal_id, count(*) AS n FROM cycle_inputs i
    WHERE i.cycle_id = ANY(@cycles::uuid[]) AND i.kind = 'won' GROUP BY i.deal_id)
SELECT coalesce(sum(g.n), 0)::bigint AS compared,
       coalesce((array_agg(g.deal_id ORDER BY g.deal_id) FILTER (WHERE g.n > 1))[1:@max_rows::int], '{}')::uuid[] AS frozen_twice
FROM g;

-- name: LineageDealCycles :many
-- LineageDealCycles names the cycles of a program that froze a deal as won.
SELECT i.cycle_id FROM cycle_inputs i
WHERE i.cycle_id = ANY(@cycles::uuid[]) AND i.deal_id = @deal_id AND i.kind = 'won'
ORDER BY i.cycle_id;
