package e2e

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

// wonEarlier records a closed-won deal of partner that was registered
// before the test ran and won on closedOn (YYYY-MM-DD, in a period that
// has ended), the way deals carried over from an earlier system arrive:
// straight into the projection, with its submission and win as events. A
// deal registered now cannot be won in a past period through the API,
// since a close date cannot precede the registration's submission
// (issue 12, finding 9). It returns the deal's id.
func wonEarlier(t *testing.T, partner string, amount int64, lines []string, closedOn string) string {
	t.Helper()
	ctx := t.Context()
	closed, err := time.Parse(time.DateOnly, closedOn)
	if err != nil {
		t.Fatal(err)
	}
	submitted := closed.AddDate(0, 0, -30)
	id := uuid.Must(uuid.NewV7())
	var user string
	if err := stack.pool.QueryRow(ctx, `SELECT id FROM users WHERE partner_id = $1 ORDER BY created_at LIMIT 1`, partner).Scan(&user); err != nil {
		t.Fatalf("a user of partner %s: %v", partner, err)
	}
	name, dom := uniqueName(), uniqueDomain()
	if _, err := stack.pool.Exec(ctx, `INSERT INTO deals (id, partner_id, status, kind, customer_name, customer_domain,
		customer_registrable_domain, customer_country, contact_name, contact_email, product_lines, amount, currency,
		expected_close_date, submitted_by, workflow_id, last_event_seq, created_at, updated_at,
		won_amount, won_currency, won_product_lines, won_units, closed_on)
		VALUES ($1, $2, 'closed_won', 'resale', $3, $4, $4, 'US', 'Jane Doe', 'jane@acme.com', $5, $6, 'USD',
		$7, $8, $9, 2, $10, $11, $6, 'USD', $5, 1, $7)`,
		id, partner, name, dom, lines, amount, closed, user, "deal/"+id.String(), submitted, closed); err != nil {
		t.Fatal(err)
	}
	for seq, e := range []struct {
		typ, from, to string
		at            time.Time
	}{{"submitted", "", "submitted", submitted}, {"closed_won", "approved", "closed_won", closed}} {
		if _, err := stack.pool.Exec(ctx, `INSERT INTO deal_events (deal_id, seq, type, from_status, to_status, actor_id,
			actor_name, actor_role, reason, occurred_at) VALUES ($1, $2, $3, NULLIF($4, ''), $5, $6, 'Carried over', 'partner_user',
			'carried over from an earlier system', $7)`, id, seq+1, e.typ, e.from, e.to, user, e.at); err != nil {
			t.Fatal(err)
		}
	}
	return id.String()
}
