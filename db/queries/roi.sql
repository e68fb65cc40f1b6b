-- name: ROIPrograms :many
-- ROIPrograms lists the incentive programs paying in @currency.
--
-- The queries of the return on incentive spend (read.ROI, domain/roi.go). Vendor staff
-- only (the API's and the console's routes admit channel managers, finance
-- and admins): every partner's figures are read, none is scoped. One
-- currency at a time, no conversion; a window of whole months
-- [@from_month, @to_end), both the first of a month.
SELECT p.id, p.code, p.name, p.kind, p.starts_on
FROM incentive_programs p
WHERE p.currency = @currency::text
ORDER BY p.code;

-- name: ROISpend :many
-- ROISpend is, per program paying in @currency and partner, what the
-- cycles of periods starting in the window accrued (each statement line
-- after finance's latest adjustment, clawbacks negative), what their
-- payouts paid (payable payouts; a net clawback pays nothing), and the won
-- revenue those cycles counted (cycle_partner_totals: the deals frozen and
-- not excluded).
WITH c AS (
    SELECT c.id, c.program_id FROM incentive_cycles c JOIN incentive_programs p ON p.id = c.program_id
    WHERE p.currency = @currency::text AND c.period_start >= @from_month::date AND c.period_start < @to_end::date
), adjusted AS (
    SELECT DISTINCT ON (e.line_id) e.line_id, e.amount FROM cycle_events e JOIN c ON c.id = e.cycle_id
    WHERE e.type = 'adjusted' AND e.line_id IS NOT NULL
    ORDER BY e.line_id, e.seq DESC
), accrued AS (
    SELECT c.program_id, l.partner_id, sum(coalesce(a.amount, l.amount)) AS amount
    FROM statement_lines l JOIN c ON c.id = l.cycle_id LEFT JOIN adjusted a ON a.line_id = l.id
    GROUP BY c.program_id, l.partner_id
), paid AS (
    SELECT c.program_id, p.partner_id, coalesce(sum(p.amount) FILTER (WHERE p.status = 'payable'), 0) AS amount
    FROM payouts p JOIN c ON c.id = p.cycle_id
    GROUP BY c.program_id, p.partner_id
), counted AS (
    SELECT c.program_id, t.partner_id, sum(t.revenue) AS amount
    FROM cycle_partner_totals t JOIN c ON c.id = t.cycle_id
    GROUP BY c.program_id, t.partner_id
)
SELECT program_id::uuid AS program_id, partner_id::uuid AS partner_id,
       coalesce(a.amount, 0)::bigint AS accrued, coalesce(pd.amount, 0)::bigint AS paid,
       coalesce(r.amount, 0)::bigint AS counted_revenue
FROM accrued a FULL JOIN paid pd USING (program_id, partner_id) FULL JOIN counted r USING (program_id, partner_id)
ORDER BY 1, 2;

-- name: ROIMonthlyRevenue :many
-- ROIMonthlyRevenue is each partner's won revenue in @currency by month of
-- its close date, in the window (deals_won: closed-won deals by close date).
SELECT d.partner_id, date_trunc('month', d.closed_on)::date AS month, sum(d.won_amount)::bigint AS revenue
FROM deals d
WHERE d.status = 'closed_won' AND d.won_currency = @currency::text
  AND d.closed_on >= @from_month::date AND d.closed_on < @to_end::date
GROUP BY d.partner_id, 2
ORDER BY d.partner_id, 2;

-- name: ROITreated :many
-- ROITreated is who is in each program paying in @currency: the partners
-- with a statement line in one of its cycles of a period starting before
-- the window's end.
SELECT DISTINCT c.program_id, l.partner_id
FROM incentive_cycles c JOIN incentive_programs p ON p.id = c.program_id
JOIN statement_lines l ON l.cycle_id = c.id
WHERE p.currency = @currency::text AND c.period_start < @to_end::date
ORDER BY c.program_id, l.partner_id;

-- name: ROIPartners :many
-- ROIPartners names the partners of the ROI tables, with their tiers now.
SELECT p.id, p.name, p.tier FROM partners p WHERE p.id = ANY(@ids::uuid[]) ORDER BY p.name, p.id;
