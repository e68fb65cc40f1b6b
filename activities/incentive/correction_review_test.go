package incentive_test

import (
	"context"
	"strings"
	"testing"
	"time"

	dealacts "github.com/dealflow/dealflow/activities/deal"
	"github.com/dealflow/dealflow/activities/incentive"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
)

// A partner's upward correction awaiting review shows in the projection
// beside the won amount but does not change it, so a cycle frozen meanwhile
// sees no change; once approved (an outcome_corrected event, as the
// workflow records it) the next cycle pays the difference like any
// correction.
func TestPendingCorrectionIsNotPaidUntilApproved(t *testing.T) {
	ctx := context.Background()
	a, da := incentive.New(testDB.Pool), dealacts.New(testDB.Pool)
	w := newWorld(t, testDB.Pool, 1)
	w.win(wonDeal{amount: 100_00, closed: "2046-01-10"})
	prog := w.program(domain.IncentiveRebate, `{"mode":"retroactive","tiers":[{"above":0,"rate_bp":1000}]}`, "2046-01-01")
	jan := w.cycle(a, prog, "2046-01-01", "2046-02-01")
	w.pay(a, jan)

	deal := w.deals[0]
	won := domain.Outcome{Won: true, Amount: 100_00, Currency: "USD", ProductLines: []string{"firewall"}, CloseDate: "2046-01-10"}
	reg := domain.Registration{Contact: domain.Contact{Name: "C", Email: "c@customer.example"}, ProductLines: []string{"firewall"},
		Amount: 100_00, Currency: "USD", ExpectedCloseDate: "2046-01-10"}
	event := func(seq int32, typ string, amount int64, pending *int64) dealacts.Event {
		o := won
		o.Amount = amount
		return dealacts.Event{DealID: deal.String(), Seq: seq, Type: typ, From: domain.StatusClosedWon, To: domain.StatusClosedWon,
			Actor: fin1, Reason: "r", OccurredAt: time.Date(2046, 2, 3, 0, 0, 0, 0, time.UTC),
			Snapshot: &dealacts.Snapshot{Status: domain.StatusClosedWon, Registration: reg, RequiredApprovals: 1, Outcome: &o,
				CorrectionAmount: pending}}
	}
	asked := int64(300_00)
	if err := da.RecordEvent(ctx, event(6, "correction_requested", 100_00, &asked)); err != nil {
		t.Fatal(err)
	}
	d, err := dbq.New(testDB.Pool).DealGet(ctx, dbq.DealGetParams{ID: deal})
	if err != nil || d.WonAmount.Int64 != 100_00 || d.CorrectionPendingAmount.Int64 != 300_00 {
		t.Fatalf("while pending: won %v, pending %v (%v)", d.WonAmount, d.CorrectionPendingAmount, err)
	}
	feb := w.cycle(a, prog, "2046-02-01", "2046-03-01")
	if got := w.lines(feb); len(got) != 0 {
		t.Fatalf("a correction awaiting review was paid: %q", got)
	}
	if err := da.RecordEvent(ctx, event(7, "outcome_corrected", 300_00, nil)); err != nil {
		t.Fatal(err)
	}
	if d, _ = dbq.New(testDB.Pool).DealGet(ctx, dbq.DealGetParams{ID: deal}); d.WonAmount.Int64 != 300_00 || d.CorrectionPendingAmount.Valid {
		t.Fatalf("once approved: won %v, pending %v", d.WonAmount, d.CorrectionPendingAmount)
	}
	mar := w.cycle(a, prog, "2046-03-01", "2046-04-01")
	if got := strings.Join(w.lines(mar), " "); !strings.Contains(got, ":2000:") {
		t.Fatalf("march pays %q, want the 20.00 rebate on the approved 200.00 more", got)
	}
}
