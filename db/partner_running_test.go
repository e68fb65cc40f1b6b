package db_test

import (
	"context"
	"testing"
)

// TestPartnerRunningPartsCoverThePeriod checks partner_running_parts
// (migration 00047) for every period of 1 to 120 months starting in each
// month from 2007 to 2012 (decade ends and a leap year among them) and a
// few reversed ones: the months each part's row sums ('year' at m: January
// of m's year to m; 'decade' at year y: January of y's decade to December
// of y), counted with the part's sign, must be exactly the period's months
// once each, and no period may read more than five rows. A reversed period
// reads nothing.
func TestPartnerRunningPartsCoverThePeriod(t *testing.T) {
	ctx := context.Background()
	var periods, wrong, most, reversed int
	if err := testDB.Pool.QueryRow(ctx, `
		WITH p AS (
		    SELECT s::date AS since, (s + make_interval(months => n - 1))::date AS until
		    FROM generate_series('2007-01-01'::date, '2012-12-01', interval '1 month') AS s,
		         generate_series(1, 120) AS n
		), k AS (
		    SELECT p.since, p.until, k.span, k.at, k.sign FROM p CROSS JOIN LATERAL partner_running_parts(p.since, p.until) AS k
		), covered AS (
		    SELECT k.since, k.until, m::date AS month, sum(k.sign) AS times
		    FROM k CROSS JOIN LATERAL generate_series(
		        CASE k.span WHEN 'year' THEN date_trunc('year', k.at)
		                    ELSE make_date(extract(year FROM k.at)::int / 10 * 10, 1, 1) END,
		        CASE k.span WHEN 'year' THEN k.at ELSE make_date(extract(year FROM k.at)::int, 12, 1) END,
		        interval '1 month') AS m
		    GROUP BY 1, 2, 3
		), inside AS (
		    SELECT c.since, c.until, count(*) AS months FROM covered c
		    WHERE c.month BETWEEN c.since AND c.until AND c.times = 1
		    GROUP BY 1, 2
		), bad AS (
		    SELECT c.since, c.until FROM covered c
		    WHERE c.times <> CASE WHEN c.month BETWEEN c.since AND c.until THEN 1 ELSE 0 END
		    UNION
		    SELECT p.since, p.until FROM p LEFT JOIN inside i USING (since, until)
		    WHERE coalesce(i.months, 0) <> (extract(year FROM p.until) - extract(year FROM p.since)) * 12
		                                   + extract(month FROM p.until) - extract(month FROM p.since) + 1
		)
		SELECT (SELECT count(*) FROM p), (SELECT count(*) FROM bad),
		       (SELECT max(c) FROM (SELECT count(*) AS c FROM k GROUP BY since, until) x),
		       (SELECT count(*) FROM partner_running_parts('2011-05-01', '2011-04-01'))`).Scan(&periods, &wrong, &most, &reversed); err != nil {
		t.Fatal(err)
	}
	if periods != 72*120 || wrong != 0 || most > 5 || reversed != 0 {
		t.Fatalf("%d periods: %d not covered exactly, at most %d rows per period (want ≤ 5), %d for a reversed period",
			periods, wrong, most, reversed)
	}
	t.Logf("%d periods covered exactly, at most %d rows each", periods, most)
}
