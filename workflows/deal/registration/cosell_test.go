package registration

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/cosell"
	"github.com/dealflow/dealflow/workflows/deal"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"
)

// noCoSell answers the deal's signal to a co-sell engagement as the server
// does when none runs on the deal: the signal fails, which the deal ignores.
// A test that wants to see the signals sets coSellSignals (tests in this
// package do not run in parallel).
func noCoSell(env *testsuite.TestWorkflowEnvironment) {
	env.OnSignalExternalWorkflow(mock.Anything, mock.Anything, mock.Anything, mock.Anything, mock.Anything).
		Return(func(_, workflowID, _, signal string, arg any) error {
			if coSellSignals != nil && signal == cosell.SignalDealEnded {
				return coSellSignals(workflowID, arg)
			}
			return errors.New("unknown external workflow execution")
		}).Maybe()
}

var coSellSignals func(workflowID string, arg any) error

// A deal that ends tells the co-sell engagement on it (cosell/<deal>) how
// it ended — once, when it ends, not on later corrections of a win.
func TestDealEndTellsTheCoSellEngagement(t *testing.T) {
	for _, c := range []struct {
		name    string
		steps   func(h *harness)
		outcome domain.CoSellOutcome
	}{
		{"won", func(h *harness) {
			h.do(time.Hour, deal.UpdateApprove, deal.Decision{Actor: managerActor})
			h.do(10*day, deal.UpdateCloseWon, deal.CloseWon{Actor: partnerActor, Amount: 1300000, Currency: "USD",
				ProductLines: []string{"firewall"}, CloseDate: "2026-11-12"})
			h.do(40*day, deal.UpdateCorrectOutcome, deal.OutcomeCorrection{Actor: financeActor, Amount: 1200000, Reason: "credit note"})
		}, domain.OutcomeWon},
		{"withdrawn", func(h *harness) {
			h.do(time.Hour, deal.UpdateApprove, deal.Decision{Actor: managerActor})
			h.do(2*time.Hour, deal.UpdateWithdraw, deal.Decision{Actor: partnerActor, Reason: "customer paused"})
		}, domain.OutcomeWithdrawn},
		{"expired", func(h *harness) {
			h.do(time.Hour, deal.UpdateApprove, deal.Decision{Actor: managerActor})
		}, domain.OutcomeExpired},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, scenario{})
			var mu sync.Mutex
			var got []cosell.DealEnded
			var to []string
			coSellSignals = func(workflowID string, arg any) error {
				mu.Lock()
				defer mu.Unlock()
				got = append(got, arg.(cosell.DealEnded))
				to = append(to, workflowID)
				return nil
			}
			defer func() { coSellSignals = nil }()
			c.steps(h)
			h.run(testInput())
			if len(got) != 1 || got[0].Outcome != c.outcome || to[0] != cosell.WorkflowID(dealID) || got[0].DealID != dealID {
				t.Fatalf("signals %v to %v, want one %s to %s", got, to, c.outcome, cosell.WorkflowID(dealID))
			}
		})
	}
}
