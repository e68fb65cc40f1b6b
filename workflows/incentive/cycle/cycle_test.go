package cycle

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealflow/dealflow/activities"
	incentiveacts "github.com/dealflow/dealflow/activities/incentive"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/incentive"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

var (
	finance2   = domain.Actor{ID: "77777777-7777-7777-7777-777777777777", Name: "Fay Finance", Role: domain.RoleFinance}
	partnerA   = "aaaaaaaa-0000-4000-8000-000000000001"
	partnerB   = "bbbbbbbb-0000-4000-8000-000000000002"
	lineOfA    = "cccccccc-0000-4000-8000-000000000003"
	cycleInput = incentive.CycleInput{ProgramID: programID, PeriodStart: "2026-10-01", PeriodEnd: "2026-11-01", StartedBy: financeActor}
)

// cycleDB stands in for PostgreSQL behind the cycle's activities: two
// partners with lines, payouts in batches of one partner.
type cycleDB struct {
	mu      sync.Mutex
	events  []incentiveacts.CycleEvent
	paid    []string
	batches []incentiveacts.PayBatchInput
	finish  int
	// refuse, when set, is PostgreSQL refusing an event for good.
	refuse func(incentiveacts.CycleEvent) error
}

func (d *cycleDB) eventTypes() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for _, e := range d.events {
		out = append(out, fmt.Sprintf("%d:%s", e.Seq, e.Type))
	}
	return strings.Join(out, " ")
}

type cycleHarness struct {
	env *testsuite.TestWorkflowEnvironment
	db  *cycleDB
	t   *testing.T
}

// newCycleHarness runs a cycle under the default threshold for a second
// approval: its 1500 of payout needs one.
func newCycleHarness(t *testing.T) *cycleHarness {
	return newCycleHarnessAt(t, domain.DefaultPayoutSecondApprovalAt["USD"])
}

// newCycleHarnessAt runs a cycle whose program needs a second approval at
// threshold; the cycle pays 1000 to partner A (lineOfA) and 500 to B, as
// adjusted.
func newCycleHarnessAt(t *testing.T, threshold int64) *cycleHarness {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(time.Date(2026, 11, 8, 2, 0, 0, 0, time.UTC))
	d := &cycleDB{}
	env.OnActivity(acts.OpenCycle, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in incentiveacts.OpenCycleInput) (incentiveacts.CycleInfo, error) {
			return incentiveacts.CycleInfo{CycleID: in.CycleID, ProgramID: in.ProgramID, ProgramVersion: 3, Kind: "rebate", Currency: "USD",
				SecondApprovalAt: threshold}, nil
		})
	env.OnActivity(acts.CyclePayout, mock.Anything, mock.Anything).Return(
		func(_ context.Context, _ string) (int64, error) {
			d.mu.Lock()
			defer d.mu.Unlock()
			a := int64(1000)
			for _, e := range d.events {
				if e.Type == domain.CycleEventAdjusted {
					a = *e.Amount
				}
			}
			return max(a, 0) + 500, nil
		})
	env.OnActivity(acts.FreezeCycle, mock.Anything, mock.Anything).Return(incentiveacts.FreezeResult{Inputs: 12,
		Excluded: []incentiveacts.ExcludedInputs{{Reason: "currency EUR", Deals: 1, Amount: 500}}}, nil)
	env.OnActivity(acts.AccrueCycle, mock.Anything, mock.Anything).Return(incentiveacts.AccrueResult{Lines: 2, Partners: 2, Total: 1500,
		Payout: 1500}, nil)
	env.OnActivity(acts.RecordCycleEvent, mock.Anything, mock.Anything).Return(
		func(_ context.Context, e incentiveacts.CycleEvent) (incentiveacts.CycleEventResult, error) {
			if e.LineID != "" && e.LineID != lineOfA {
				return incentiveacts.CycleEventResult{}, activities.NotFoundError("no line %s in this cycle", e.LineID)
			}
			d.mu.Lock()
			defer d.mu.Unlock()
			if d.refuse != nil {
				if err := d.refuse(e); err != nil {
					return incentiveacts.CycleEventResult{}, err
				}
			}
			d.events = append(d.events, e)
			return incentiveacts.CycleEventResult{PartnerID: partnerA}, nil
		})
	env.OnActivity(acts.PayBatch, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in incentiveacts.PayBatchInput) (incentiveacts.PayBatchResult, error) {
			d.mu.Lock()
			defer d.mu.Unlock()
			d.batches = append(d.batches, in)
			for _, p := range []string{partnerA, partnerB} {
				if p > in.After && !slices.Contains(in.Held, p) && !slices.Contains(d.paid, p) {
					d.paid = append(d.paid, p)
					return incentiveacts.PayBatchResult{Partners: 1, Entries: 4, Last: p}, nil
				}
			}
			return incentiveacts.PayBatchResult{Last: in.After}, nil
		})
	env.OnActivity(acts.FinishPayouts, mock.Anything, mock.Anything).Return(
		func(_ context.Context, _ string) (incentiveacts.FinishResult, error) {
			d.mu.Lock()
			defer d.mu.Unlock()
			d.finish++
			return incentiveacts.FinishResult{Published: 1, Unpaid: 2 - len(d.paid)}, nil
		})
	return &cycleHarness{env: env, db: d, t: t}
}

func (h *cycleHarness) do(at time.Duration, name string, arg any) *outcome {
	out := &outcome{}
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(name, fmt.Sprintf("%s-%d", name, at), &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { out.rejected, out.done = err, true },
			OnComplete: func(_ any, err error) { out.err, out.done = err, true },
		}, arg)
	}, at)
	return out
}

func (h *cycleHarness) run() incentive.CycleState {
	h.t.Helper()
	h.env.ExecuteWorkflow(IncentiveCycle, cycleInput)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("cycle did not complete")
	}
	var st incentive.CycleState
	if err := h.env.GetWorkflowResult(&st); err != nil {
		h.t.Fatalf("cycle failed: %v", err)
	}
	return st
}

// Finance's review: whoever adjusted a line cannot approve (four-eyes);
// only finance acts; a line not in the cycle is refused; a partner held at
// approval is paid only when released, after everyone else.
func TestCycleReviewFourEyesHoldAndRelease(t *testing.T) {
	h := newCycleHarness(t)
	byManager := h.do(time.Hour, incentive.UpdateCycleApprove, incentive.CycleApproval{Actor: managerActor})
	adjust := h.do(2*time.Hour, incentive.UpdateCycleAdjust, incentive.LineAdjustment{Actor: financeActor, LineID: lineOfA, Amount: 900, Reason: "returned units"})
	noReason := h.do(3*time.Hour, incentive.UpdateCycleAdjust, incentive.LineAdjustment{Actor: financeActor, LineID: lineOfA, Amount: 1})
	strayLine := h.do(4*time.Hour, incentive.UpdateCycleAdjust, incentive.LineAdjustment{Actor: financeActor, LineID: "dddddddd-0000-4000-8000-000000000009",
		Amount: 1, Reason: "typo"})
	hold := h.do(5*time.Hour, incentive.UpdateCycleHold, incentive.PartnerHold{Actor: finance2, PartnerID: partnerB, Reason: "W-9 missing"})
	selfApprove := h.do(6*time.Hour, incentive.UpdateCycleApprove, incentive.CycleApproval{Actor: financeActor})
	approve := h.do(7*time.Hour, incentive.UpdateCycleApprove, incentive.CycleApproval{Actor: finance2, Reason: "checked"})
	lateAdjust := h.do(8*time.Hour, incentive.UpdateCycleAdjust, incentive.LineAdjustment{Actor: finance2, LineID: lineOfA, Amount: 1, Reason: "late"})
	var paidBeforeRelease int
	h.env.RegisterDelayedCallback(func() {
		h.db.mu.Lock()
		paidBeforeRelease = len(h.db.paid)
		h.db.mu.Unlock()
	}, 9*time.Hour)
	release := h.do(3*day, incentive.UpdateCycleRelease, incentive.PartnerHold{Actor: finance2, PartnerID: partnerB, Reason: "W-9 received"})
	st := h.run()

	for name, o := range map[string]*outcome{"manager approve": byManager, "no reason": noReason, "self approve": selfApprove,
		"late adjust": lateAdjust} {
		if o.refusal() == nil {
			t.Errorf("%s: accepted, want refused", name)
		}
	}
	if got := appErrType(byManager.refusal()); got != workflows.ErrTypeForbidden {
		t.Errorf("manager approve: %q", got)
	}
	if got := appErrType(selfApprove.refusal()); got != workflows.ErrTypeFourEyes {
		t.Errorf("self approve: %q", got)
	}
	if got := appErrType(strayLine.refusal()); got != workflows.ErrTypeNotFound {
		t.Errorf("stray line: %q (%v)", got, strayLine.refusal())
	}
	// The refusal carries the activity's message, never its internals
	// (finding 10e: "(type: NotFound, retryable: false)" reached a 404).
	var stray *temporal.ApplicationError
	if errors.As(strayLine.refusal(), &stray) && stray.Message() != "no line dddddddd-0000-4000-8000-000000000009 in this cycle" {
		t.Errorf("stray line message %q", stray.Message())
	}
	for name, o := range map[string]*outcome{"adjust": adjust, "hold": hold, "approve": approve, "release": release} {
		if !o.done || o.refusal() != nil {
			t.Errorf("%s: %v", name, o.refusal())
		}
	}
	if got, want := h.db.eventTypes(), "1:adjusted 2:held 3:approved 4:released"; got != want {
		t.Errorf("events %q, want %q", got, want)
	}
	if paidBeforeRelease != 1 || len(h.db.paid) != 2 || h.db.paid[0] != partnerA {
		t.Errorf("paid before release %d, paid %v", paidBeforeRelease, h.db.paid)
	}
	if len(h.db.batches) == 0 || !slices.Contains(h.db.batches[0].Held, partnerB) {
		t.Errorf("first batch %+v", h.db.batches)
	}
	if st.Stage != incentive.CycleStagePaid || st.ApprovedBy.ID != finance2.ID || st.Version != 3 || st.Inputs != 12 ||
		len(st.Excluded) != 1 || len(st.Held) != 0 || st.Paid != 2 || h.db.finish != 2 {
		t.Errorf("state %+v", st)
	}
}

// A cycle not approved within its review time is flagged overdue once, as
// an event by dealflow, and still waits for finance.
func TestCycleReviewOverdue(t *testing.T) {
	h := newCycleHarness(t)
	approve := h.do(10*day, incentive.UpdateCycleApprove, incentive.CycleApproval{Actor: finance2})
	st := h.run()
	if approve.refusal() != nil {
		t.Fatal(approve.refusal())
	}
	if got, want := h.db.eventTypes(), "1:review_overdue 2:approved"; got != want {
		t.Errorf("events %q, want %q", got, want)
	}
	h.db.mu.Lock()
	overdueAt := h.db.events[0].OccurredAt
	h.db.mu.Unlock()
	if want := time.Date(2026, 11, 15, 2, 0, 0, 0, time.UTC); !overdueAt.Equal(want) || !st.Overdue {
		t.Errorf("overdue at %v (want %v), state overdue %v", overdueAt, want, st.Overdue)
	}
}

// The program's schedule fires grace days after a period ends; the
// scheduler starts the cycle of the period that ended, under the cycle's
// own workflow ID.
func TestCycleSchedulerStartsTheDuePeriod(t *testing.T) {
	for _, tc := range []struct {
		period     string
		firesAt    time.Time
		start, end string
	}{
		{domain.PeriodMonth, time.Date(2026, 2, 8, 2, 0, 0, 0, time.UTC), "2026-01-01", "2026-02-01"},
		{domain.PeriodQuarter, time.Date(2026, 10, 8, 2, 0, 0, 0, time.UTC), "2026-07-01", "2026-10-01"},
	} {
		var s testsuite.WorkflowTestSuite
		env := s.NewTestWorkflowEnvironment()
		env.SetStartTime(tc.firesAt)
		env.RegisterWorkflow(IncentiveCycle)
		var got incentive.CycleInput
		var gotID string
		env.OnWorkflow(IncentiveCycle, mock.Anything, mock.Anything).Return(
			func(ctx workflow.Context, in incentive.CycleInput) (incentive.CycleState, error) {
				got, gotID = in, workflow.GetInfo(ctx).WorkflowExecution.ID
				return incentive.CycleState{}, nil
			})
		env.ExecuteWorkflow(CycleScheduler, incentive.SchedulerInput{ProgramID: programID, Period: tc.period, GraceDays: 7})
		var cycleID string
		if err := env.GetWorkflowResult(&cycleID); err != nil {
			t.Fatal(err)
		}
		if got.PeriodStart != tc.start || got.PeriodEnd != tc.end || cycleID != incentive.CycleID(programID, tc.start) ||
			gotID != incentive.CycleWorkflowID(cycleID) {
			t.Errorf("%s: started %+v as %s, result %s", tc.period, got, gotID, cycleID)
		}
	}
}
