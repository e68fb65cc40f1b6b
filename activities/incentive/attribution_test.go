package incentive_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/activities/incentive"
	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
)

// coSell gives deal an engagement its seller accepted at at.
func (w *incentiveWorld) coSell(deal uuid.UUID, at time.Time) uuid.UUID {
	w.t.Helper()
	ctx := context.Background()
	id := uuid.Must(uuid.NewV7())
	if _, err := w.pool.Exec(ctx, `INSERT INTO cosell_engagements (id, deal_id, partner_id, workflow_id, type, need_by, message, status,
		assignee_email, last_event_seq, created_by, created_at, updated_at)
		SELECT $1, d.id, d.partner_id, 'cosell/' || d.id, 'proof_of_concept', '2044-03-01', 'POC', 'accepted', 'sam@vendor.example', 2, $3, $4, $4
		FROM deals d WHERE d.id = $2`, id, deal, w.user, at); err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.pool.Exec(ctx, `INSERT INTO cosell_events (engagement_id, seq, type, actor_id, actor_name, actor_role, occurred_at)
		VALUES ($1, 1, 'requested', 'u', 'Pat', 'partner_user', $2), ($1, 2, 'accepted', 's', 'Sam Seller', 'sales_rep', $2)`, id, at); err != nil {
		w.t.Fatal(err)
	}
	return id
}

// recordWin records deal's attribution as its won event (seq 5) would.
func (w *incentiveWorld) recordWin(deal uuid.UUID) {
	w.t.Helper()
	var n int
	if err := w.pool.QueryRow(context.Background(), `SELECT deal_attribution_record($1, 5, 'u', 'Pat', 'partner_user', now())`,
		deal).Scan(&n); err != nil || n != 1 {
		w.t.Fatalf("record %s: %d %v", deal, n, err)
	}
}

// The attribution filter where the cycle freezes its inputs: a SPIFF for
// co-sold wins pays the co-sold deals only (one recorded at its win, one
// won before attribution was recorded, attributed when frozen), not a deal
// whose engagement came after its win; a rebate for partner-sourced deals
// leaves out the vendor-sourced one, one for either source takes it; a
// referral program on converted leads pays the deal the lead became and
// no referral deal without a lead.
func TestAttributionFilterInTheFreeze(t *testing.T) {
	ctx := context.Background()
	a := incentive.New(testDB.Pool)
	w := newWorld(t, testDB.Pool, 1)
	at := time.Date(2044, 1, 5, 10, 0, 0, 0, time.UTC)
	w.win(wonDeal{amount: 1000, closed: "2044-01-10"}, // co-sold, recorded
		wonDeal{amount: 2000, closed: "2044-01-11"},                                 // no influence when won, an engagement after
		wonDeal{kind: domain.KindVendorSourced, amount: 3000, closed: "2044-01-12"}, // a lead from a referral link
		wonDeal{kind: domain.KindReferral, amount: 4000, closed: "2044-01-13"},      // a referral deal, no lead
		wonDeal{amount: 5000, closed: "2044-01-14"})                                 // co-sold, won before attribution was recorded
	coSold, late, fromLead, won := w.deals[0], w.deals[1], w.deals[2], w.deals[4]
	eng := w.coSell(coSold, at)
	w.coSell(won, at)

	code := "attr" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")
	lead := uuid.Must(uuid.NewV7())
	if _, err := w.pool.Exec(ctx, `INSERT INTO referral_codes (code, partner_id) VALUES ($1, $2)`, code, w.partners[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := w.pool.Exec(ctx, `INSERT INTO referral_clicks (code, client_hash, ua_family, clicked_at)
		VALUES ($1, sha256('a'::bytea), 'firefox', $2), ($1, sha256('b'::bytea), 'chrome', $3)`,
		code, at.Add(-48*time.Hour+300*time.Millisecond), at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.pool.Exec(ctx, `INSERT INTO leads (id, program_id, source, status, company_name, company_domain, registrable_domain,
		country, contact_name, contact_email, product_lines, amount, currency, partner_id, deal_id, workflow_id, created_by,
		last_event_seq, created_at, updated_at, referral_code, attributed_partner_id, touched_at)
		SELECT $1, p.id, 'form', 'working', 'Customer', 'customer.example', 'customer.example', 'US', 'C', 'c@customer.example',
		       '{firewall}', 0, 'XXX', $2, $3, 'lead/' || $7, 'public', 1, $4, $4, $5, $2, $6
		FROM programs p WHERE p.is_default`, lead, w.partners[0], fromLead, at, code, at.Add(-48*time.Hour), lead.String()); err != nil {
		t.Fatal(err)
	}
	for _, d := range []uuid.UUID{coSold, late, fromLead} {
		w.recordWin(d)
	}
	w.coSell(late, at.Add(24*time.Hour)) // after its win: not an influence of it

	// What the wins recorded, with the evidence.
	var got []string
	rows, err := w.pool.Query(ctx, `SELECT a.sourced_by || ' ' || array_to_string(a.influenced_by, ',') || ' ' ||
		coalesce(string_agg(i.kind || '=' || i.ref_id || ' ' || coalesce(i.evidence->>'accepted_by', i.evidence->>'referral_code', i.evidence->>'code'), ';' ORDER BY i.ordinal), '')
		FROM deal_attributions a LEFT JOIN deal_attribution_influences i USING (deal_id, won_seq)
		WHERE a.deal_id = ANY($1) GROUP BY a.deal_id, a.sourced_by, a.influenced_by ORDER BY a.deal_id`, []uuid.UUID{coSold, late, fromLead})
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	rows.Close()
	var click int64
	if err := w.pool.QueryRow(ctx, `SELECT min(id) FROM referral_clicks WHERE code = $1`, code).Scan(&click); err != nil {
		t.Fatal(err)
	}
	want := []string{"partner cosell_engagement cosell_engagement=" + eng.String() + " Sam Seller", "partner  ",
		"vendor lead,referral_click lead=" + lead.String() + " " + code + ";referral_click=" + itoa(click) + " " + code}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("recorded\n%q\nwant\n%q", got, want)
	}
	var again int
	if err := w.pool.QueryRow(ctx, `SELECT deal_attribution_record($1, 5, 'u', 'Pat', 'partner_user', now())`, coSold).Scan(&again); err != nil || again != 0 {
		t.Fatalf("recording the same win again: %d %v", again, err)
	}
	if _, err := w.pool.Exec(ctx, `UPDATE deal_attributions SET sourced_by = 'vendor' WHERE deal_id = $1`, coSold); err == nil {
		t.Fatal("an attribution was changed")
	}

	for _, c := range []struct {
		name  string
		kind  domain.IncentiveKind
		rules string
		want  []string // lineage: amount:earned:note
	}{
		{"co-sold SPIFF", domain.IncentiveSpiff, `{"amount":100,"per":"deal","attribution":{"influenced_by":["cosell_engagement","shared_opportunity"]}}`,
			[]string{"1000:100:", "5000:100:"}},
		{"rebate without a filter", domain.IncentiveRebate, `{"mode":"retroactive","tiers":[{"above":0,"rate_bp":1000}]}`,
			[]string{"1000::", "2000::", "5000::"}},
		{"partner-sourced rebate", domain.IncentiveRebate, `{"mode":"retroactive","tiers":[{"above":0,"rate_bp":1000}],"attribution":{"sourced_by":["partner"]}}`,
			[]string{"1000::", "2000::", "5000::"}},
		{"rebate on either source", domain.IncentiveRebate, `{"mode":"retroactive","tiers":[{"above":0,"rate_bp":1000}],"attribution":{"sourced_by":["partner","vendor"]}}`,
			[]string{"1000::", "2000::", "3000::", "5000::"}},
		{"referral on converted leads", domain.IncentiveReferral, `{"rate_bp":1000,"attribution":{"influenced_by":["lead"]}}`,
			[]string{"3000:300:"}},
		{"vendor-sourced SPIFF", domain.IncentiveSpiff, `{"amount":100,"per":"deal","attribution":{"sourced_by":["vendor"]}}`,
			[]string{"3000:100:"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			prog := w.program(c.kind, c.rules, "2044-01-01")
			id := w.cycle(a, prog, "2044-01-01", "2044-02-01")
			if got := w.lineage(id); strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Fatalf("froze %q, want %q", got, c.want)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
