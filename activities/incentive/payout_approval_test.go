package incentive_test

import (
	"context"
	"testing"
	"time"

	"github.com/dealflow/dealflow/activities/incentive"
	"github.com/dealflow/dealflow/domain"
	contract "github.com/dealflow/dealflow/workflows/incentive"
	"github.com/google/uuid"
)

// A cycle's payout, which decides how many finance people must approve it,
// is each partner's net after the latest adjustment of each line, when
// positive, summed; the threshold is the rules' second_approval_at, else
// the currency's default. Review events record the actor's person.
func TestCyclePayoutAndItsThreshold(t *testing.T) {
	ctx := context.Background()
	own, a, w := ownWorld(t, "payout", 2)
	w.win(wonDeal{partner: 0, amount: 1000, closed: "2026-03-10"}, wonDeal{partner: 1, amount: 500, closed: "2026-03-12"})
	prog := w.program(domain.IncentiveRebate, `{"mode":"retroactive","tiers":[{"above":0,"rate_bp":1000}],"second_approval_at":150}`, "2026-03-01")
	id := w.cycle(a, prog, "2026-03-01", "2026-04-01")
	info, err := a.OpenCycle(ctx, incentive.OpenCycleInput{CycleID: id, ProgramID: prog.String(), PeriodStart: "2026-03-01",
		PeriodEnd: "2026-04-01", WorkflowID: contract.CycleWorkflowID(id), StartedBy: "test"})
	if err != nil || info.SecondApprovalAt != 150 {
		t.Fatalf("cycle info %+v %v, want second approval at 150", info, err)
	}
	payout := func() int64 {
		t.Helper()
		p, err := a.CyclePayout(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if got := payout(); got != 150 {
		t.Fatalf("payout %d, want 100 + 50", got)
	}
	lineOf := map[uuid.UUID]string{}
	rows, err := own.Pool.Query(ctx, "SELECT partner_id, id FROM statement_lines WHERE cycle_id = $1", uuid.MustParse(id))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var p, l uuid.UUID
		if err := rows.Scan(&p, &l); err != nil {
			t.Fatal(err)
		}
		lineOf[p] = l.String()
	}
	person := uuid.NewString()
	fin := domain.Actor{ID: uuid.NewString(), Name: "Fin", Role: domain.RoleFinance, PersonID: person}
	adjust := func(seq int, partner int, amount int64) {
		t.Helper()
		if _, err := a.RecordCycleEvent(ctx, incentive.CycleEvent{CycleID: id, Seq: seq, Type: domain.CycleEventAdjusted,
			LineID: lineOf[w.partners[partner]], Amount: &amount, Actor: fin, Reason: "test", OccurredAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	adjust(1, 1, -30) // a partner owing money pays nothing: 100
	if got := payout(); got != 100 {
		t.Fatalf("payout %d after a negative line, want 100", got)
	}
	adjust(2, 0, 120)
	adjust(3, 0, 90) // the latest adjustment counts
	if got := payout(); got != 90 {
		t.Fatalf("payout %d, want 90", got)
	}
	var stored uuid.NullUUID
	if err := own.Pool.QueryRow(ctx, "SELECT actor_person_id FROM cycle_events WHERE cycle_id = $1 AND seq = 3",
		uuid.MustParse(id)).Scan(&stored); err != nil || stored.UUID.String() != person {
		t.Fatalf("the event's actor person %v (%v), want %s", stored, err, person)
	}

	def := w.program(domain.IncentiveRebate, `{"mode":"retroactive","tiers":[{"above":0,"rate_bp":1000}]}`, "2026-03-01")
	did := contract.CycleID(def.String(), "2026-03-01")
	info, err = a.OpenCycle(ctx, incentive.OpenCycleInput{CycleID: did, ProgramID: def.String(), PeriodStart: "2026-03-01",
		PeriodEnd: "2026-04-01", WorkflowID: contract.CycleWorkflowID(did), StartedBy: "test"})
	if err != nil || info.SecondApprovalAt != domain.DefaultPayoutSecondApprovalAt["USD"] {
		t.Fatalf("default threshold: %+v %v", info, err)
	}
}
