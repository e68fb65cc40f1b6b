-- A freeze also writes each partner's counted revenue and deals, from the
-- same statement that froze the inputs; a rebate's accrual reads those
-- (thousands of rows) instead of summing the lineage again (a million).

-- +goose Up
CREATE TABLE cycle_partner_totals (
    cycle_id   uuid NOT NULL,
    partner_id uuid NOT NULL,
    revenue    bigint NOT NULL,
    deals      integer NOT NULL,
    PRIMARY KEY (cycle_id, partner_id)
);
CREATE TRIGGER cycle_partner_totals_append_only BEFORE UPDATE OR DELETE ON cycle_partner_totals
    FOR EACH ROW EXECUTE FUNCTION reject_change();
INSERT INTO cycle_partner_totals (cycle_id, partner_id, revenue, deals)
SELECT i.cycle_id, i.partner_id, sum(i.amount), count(*)
FROM cycle_inputs i JOIN incentive_cycles c ON c.id = i.cycle_id
WHERE c.frozen_at IS NOT NULL AND i.kind = 'won' AND i.excluded IS NULL
GROUP BY i.cycle_id, i.partner_id;

-- +goose Down
DROP TABLE cycle_partner_totals;
