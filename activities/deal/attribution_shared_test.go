package deal_test

import (
	"context"
	"testing"
	"time"

	"github.com/dealflow/dealflow/activities/deal"
	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
)

// A won deal that came from a shared opportunity (the partner's accepted
// invitation holds the deal) is recorded as sourced by the vendor, with the
// opportunity, its seller and the acceptance as evidence.
func TestWinRecordsASharedOpportunity(t *testing.T) {
	ctx := context.Background()
	partnerID, submitter := fixture(t)
	a := deal.New(testDB.Pool)
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	s := submission(partnerID, submitter, at)
	if err := a.RecordSubmission(ctx, s); err != nil {
		t.Fatal(err)
	}
	id := uuid.MustParse(s.DealID)
	opp := uuid.Must(uuid.NewV7())
	if _, err := testDB.Pool.Exec(ctx, `INSERT INTO cosell_opportunities (id, workflow_id, mode, status, customer_name,
		registrable_domain, country, product_lines, amount, currency, expected_close_date, seller_email,
		winner_partner_id, deal_id, last_event_seq, created_by, created_at, updated_at)
		VALUES ($1, $6, 'first_to_accept', 'awarded', 'Globex', 'globex.com', 'DE', '{firewall}', 1000, 'USD',
		'2027-01-31', 'sam@vendor.example', $2, $3, 3, $4, $5, $5)`,
		opp, partnerID, id, uuid.MustParse(submitter.ID), at, "cosell-opp/"+opp.String()); err != nil {
		t.Fatal(err)
	}
	if _, err := testDB.Pool.Exec(ctx, `INSERT INTO cosell_invitations (opportunity_id, partner_id, status, deal_id, invited_at, expires_at, decided_at)
		VALUES ($1, $2, 'accepted', $3, $4, $5, $6)`, opp, partnerID, id, at, at.Add(120*time.Hour), at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	won := deal.Event{DealID: s.DealID, Seq: 2, Type: deal.EventClosedWon, From: domain.StatusApproved, To: domain.StatusClosedWon,
		Actor: submitter, OccurredAt: at.Add(48 * time.Hour), Snapshot: snapshot(s.Registration, domain.StatusClosedWon)}
	won.Snapshot.Outcome = &domain.Outcome{Won: true, Amount: 1000, Currency: "USD", ProductLines: []string{"firewall"}, CloseDate: "2026-11-04"}
	if err := a.RecordEvent(ctx, won); err != nil {
		t.Fatal(err)
	}
	var sourced, kinds, ref, seller, acceptedAt string
	if err := testDB.Pool.QueryRow(ctx, `SELECT a.sourced_by, array_to_string(a.influenced_by, ','), i.ref_id,
		i.evidence->>'seller_email', i.evidence->>'accepted_at'
		FROM deal_attributions a JOIN deal_attribution_influences i USING (deal_id, won_seq) WHERE a.deal_id = $1`, id).
		Scan(&sourced, &kinds, &ref, &seller, &acceptedAt); err != nil {
		t.Fatal(err)
	}
	if sourced != "vendor" || kinds != "shared_opportunity" || ref != opp.String() || seller != "sam@vendor.example" || acceptedAt == "" {
		t.Fatalf("recorded: %s, %s, %s, seller %q, accepted %q", sourced, kinds, ref, seller, acceptedAt)
	}
}
