-- Rounding helpers and the rebate rule: the one place the half-to-even
-- rule and the tiers are written in SQL (domain.MulRateHalfEven and
-- domain.IncentiveRules.Rebate are the same rules in Go).
-- Applied by `dealflow migrate` after the versioned migrations whenever this
-- file changes (db/functions.go): CREATE OR REPLACE only, each function once.

-- div_half_even divides and rounds half to even (banker's rounding), exactly:
-- the line-level rounding rule of every incentive (domain.MulRateHalfEven).
CREATE OR REPLACE FUNCTION div_half_even(num numeric, den numeric) RETURNS bigint
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

-- mul_rate_half_even is rate_bp basis points of amount, rounded half to
-- even (div_half_even's rule) in integer arithmetic while the product fits
-- in 64 bits, in numeric beyond. Not STRICT, so that it inlines.
CREATE OR REPLACE FUNCTION mul_rate_half_even(amount bigint, rate_bp bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN abs(amount) < 922337203685477 AND abs(rate_bp) <= 10000 THEN
                (amount * rate_bp) / 10000
                + CASE WHEN abs((amount * rate_bp) % 10000) * 2 > 10000
                         OR abs((amount * rate_bp) % 10000) * 2 = 10000 AND ((amount * rate_bp) / 10000) % 2 <> 0
                       THEN sign(amount) * sign(rate_bp) ELSE 0 END
           ELSE div_half_even(amount::numeric * rate_bp, 10000) END
$$;

-- capped_commission is a referral's commission on an amount: rate_bp basis
-- points of it, rounded half to even, at most cap when cap > 0. Not STRICT,
-- so that it inlines.
CREATE OR REPLACE FUNCTION capped_commission(amount bigint, rate_bp bigint, cap bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN cap > 0 THEN least(mul_rate_half_even(amount, rate_bp), cap) ELSE mul_rate_half_even(amount, rate_bp) END
$$;

-- rebate_tier is the 0-based index of the highest tier revenue exceeds
-- (NULL: none); tiers as a rules version stores them, ascending.
CREATE OR REPLACE FUNCTION rebate_tier(p_revenue bigint, p_tiers jsonb) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT max(t.o - 1)::int FROM jsonb_array_elements(p_tiers) WITH ORDINALITY AS t(e, o)
    WHERE p_revenue > (t.e->>'above')::bigint
$$;

-- rebate_figure is the rebate on revenue under tiers in mode (retroactive:
-- the whole revenue at the rate of the tier reached; marginal: each slice
-- at its own tier's rate, summed exactly), rounded half to even once:
-- draft_rebate_lines' rule and domain.IncentiveRules.Rebate's.
CREATE OR REPLACE FUNCTION rebate_figure(p_revenue bigint, p_tiers jsonb, p_mode text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    WITH t AS (
        SELECT (e->>'above')::bigint AS above, (e->>'rate_bp')::bigint AS rate_bp,
               lead((e->>'above')::bigint) OVER (ORDER BY (e->>'above')::bigint) AS next_above
        FROM jsonb_array_elements(p_tiers) AS e)
    SELECT CASE WHEN p_mode = 'retroactive'
                THEN coalesce(div_half_even(p_revenue::numeric * (SELECT t.rate_bp FROM t WHERE p_revenue > t.above ORDER BY t.above DESC LIMIT 1), 10000), 0)
                ELSE div_half_even((SELECT coalesce(sum((least(p_revenue, coalesce(t.next_above, p_revenue)) - t.above)::numeric * t.rate_bp), 0)
                                    FROM t WHERE p_revenue > t.above), 10000) END
$$;
