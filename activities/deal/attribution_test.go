package deal_test

import (
	"context"
	"testing"
	"time"

	"github.com/dealflow/dealflow/activities/deal"
	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
)

// Recording a deal's closed_won event records its attribution in the same
// transaction (an accepted co-sell engagement, with who accepted it); a
// retried win records nothing more, and no other event records any.
func TestWinRecordsTheAttribution(t *testing.T) {
	ctx := context.Background()
	partnerID, submitter := fixture(t)
	a := deal.New(testDB.Pool)
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	s := submission(partnerID, submitter, at)
	if err := a.RecordSubmission(ctx, s); err != nil {
		t.Fatal(err)
	}
	id := uuid.MustParse(s.DealID)
	eng := uuid.Must(uuid.NewV7())
	if _, err := testDB.Pool.Exec(ctx, `INSERT INTO cosell_engagements (id, deal_id, partner_id, workflow_id, type, need_by, message, status,
		assignee_email, last_event_seq, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $6, 'executive_sponsor', '2026-12-01', 'help', 'accepted', 'sam@vendor.example', 2, $4, $5, $5)`,
		eng, id, partnerID, uuid.MustParse(submitter.ID), at, "cosell/"+s.DealID); err != nil {
		t.Fatal(err)
	}
	if _, err := testDB.Pool.Exec(ctx, `INSERT INTO cosell_events (engagement_id, seq, type, actor_id, actor_name, actor_role, occurred_at)
		VALUES ($1, 1, 'requested', 'u', 'Pat', 'partner_user', $2), ($1, 2, 'accepted', 's', 'Sam Seller', 'sales_rep', $3)`,
		eng, at, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	approved := deal.Event{DealID: s.DealID, Seq: 2, Type: "approved", From: domain.StatusSubmitted, To: domain.StatusApproved,
		Actor: submitter, OccurredAt: at.Add(2 * time.Hour), Snapshot: snapshot(s.Registration, domain.StatusApproved)}
	won := deal.Event{DealID: s.DealID, Seq: 3, Type: deal.EventClosedWon, From: domain.StatusApproved, To: domain.StatusClosedWon,
		Actor: submitter, OccurredAt: at.Add(48 * time.Hour), Snapshot: snapshot(s.Registration, domain.StatusClosedWon)}
	won.Snapshot.Outcome = &domain.Outcome{Won: true, Amount: 1000, Currency: "USD", ProductLines: []string{"firewall"}, CloseDate: "2026-11-04"}
	for _, e := range []deal.Event{approved, won, won} {
		if err := a.RecordEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	var sourced, actor, kinds, ref, acceptedBy string
	var seq, influences int
	var recordedAt time.Time
	if err := testDB.Pool.QueryRow(ctx, `SELECT a.won_seq, a.sourced_by, array_to_string(a.influenced_by, ','), a.actor_name, a.recorded_at,
		(SELECT count(*) FROM deal_attribution_influences i WHERE i.deal_id = a.deal_id),
		i.ref_id, i.evidence->>'accepted_by'
		FROM deal_attributions a JOIN deal_attribution_influences i USING (deal_id, won_seq) WHERE a.deal_id = $1`, id).
		Scan(&seq, &sourced, &kinds, &actor, &recordedAt, &influences, &ref, &acceptedBy); err != nil {
		t.Fatal(err)
	}
	if seq != 3 || sourced != "partner" || kinds != "cosell_engagement" || actor != submitter.Name || !recordedAt.Equal(won.OccurredAt) ||
		influences != 1 || ref != eng.String() || acceptedBy != "Sam Seller" {
		t.Fatalf("recorded: seq %d, %s, %s, %s, %v, %d influences, %s by %s", seq, sourced, kinds, actor, recordedAt, influences, ref, acceptedBy)
	}
}
