-- The dashboard's program filter and the partner scorecards read the
-- rollups by partner within one program: deal_rollups gain the dimension
-- partner_program, keyed '<partner id>/<program id>' ('<partner id>/' for
-- a deal without a program). deal_rollup_rows (db/functions/50_rollups.sql)
-- writes it from now on; the deals already rolled up get their rows here,
-- from their facts, through the deal_rollup_rows defined before this
-- migration (a fresh database has neither facts nor the function yet).

-- +goose Up
ALTER TABLE deal_rollups DROP CONSTRAINT deal_rollups_dim_check;
ALTER TABLE deal_rollups ADD CONSTRAINT deal_rollups_dim_check
    CHECK (dim IN ('all', 'partner', 'program', 'country', 'product_line', 'partner_program'));

-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM deal_rollup_facts) THEN
        EXECUTE $q$
            INSERT INTO deal_rollups
            SELECT 'partner_program', r.month, f.partner_id::text || '/' || coalesce(f.program_id::text, ''), r.status, r.currency,
                   sum(r.deals), sum(r.amount), sum(r.won_amount), sum(r.approved), sum(r.approval_secs), sum(r.won_cycles),
                   sum(r.win_secs), sum(r.sla_breaches), sum(r.conflicts)
            FROM deal_rollup_facts f CROSS JOIN LATERAL deal_rollup_rows(f) AS r
            WHERE r.dim = 'partner'
            GROUP BY 1, 2, 3, 4, 5
        $q$;
    END IF;
END
$$;
-- +goose StatementEnd

-- +goose Down
DELETE FROM deal_rollups WHERE dim = 'partner_program';
ALTER TABLE deal_rollups DROP CONSTRAINT deal_rollups_dim_check;
ALTER TABLE deal_rollups ADD CONSTRAINT deal_rollups_dim_check
    CHECK (dim IN ('all', 'partner', 'program', 'country', 'product_line'));
