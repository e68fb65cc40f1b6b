-- Rounding helpers: the one place the half-to-even rule is written in SQL
-- (domain.MulRateHalfEven is the same rule in Go).
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
