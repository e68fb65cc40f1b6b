-- A partner's upward correction of its won amount waits for a channel
-- manager's or finance's decision (issue 12, finding 9). The projection
-- shows the amount asked for beside the won amount, which incentive cycles
-- read and which changes only once the correction is approved; the manager
-- inbox lists such deals (by the correction's SLA due time, in sla_due_at).

-- +goose Up
ALTER TABLE deals ADD COLUMN correction_pending_amount bigint
    CHECK (correction_pending_amount IS NULL OR correction_pending_amount > 0);
DROP INDEX deals_inbox;
CREATE INDEX deals_inbox ON deals (sla_due_at NULLS LAST, created_at)
    WHERE status IN ('conflict_review', 'pending_approval') OR extension_requested
       OR correction_pending_amount IS NOT NULL;

-- +goose Down
DROP INDEX deals_inbox;
CREATE INDEX deals_inbox ON deals (sla_due_at NULLS LAST, created_at)
    WHERE status IN ('conflict_review', 'pending_approval') OR extension_requested;
ALTER TABLE deals DROP COLUMN correction_pending_amount;
