package registration

import (
	"context"
	"strings"
	"testing"
	"time"

	dealacts "github.com/dealflow/dealflow/activities/deal"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/deal"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
)

// refusedForGood is what the activities answer when PostgreSQL refuses the
// data of a step in a way no retry can fix (activities.Classify).
func refusedForGood() error {
	return temporal.NewNonRetryableApplicationError("PostgreSQL refused the data (SQLSTATE 22021)", workflows.ErrTypeInvalidData, nil)
}

// A deal's step whose event PostgreSQL refuses for good is refused to its
// caller as invalid, changes nothing (the state is committed only once the
// event is stored), and the deal takes its next steps as before.
func TestDealStaysUsableAfterAStepItCannotStore(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	noCoSell(env)
	rec := &recorder{}
	env.OnActivity(acts.RecordSubmission, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(acts.Screen, mock.Anything, mock.Anything).Return(dealacts.ScreenResult{Policy: domain.DefaultPolicy(),
		Facts: domain.ScreeningFacts{PartnerType: domain.PartnerReseller, Kind: domain.KindResale}}, nil)
	env.OnActivity(acts.RecordEvent, mock.Anything, mock.Anything).Return(
		func(_ context.Context, e dealacts.Event) error {
			if strings.ContainsRune(e.Reason, 0) {
				return refusedForGood()
			}
			rec.add(e)
			return nil
		})
	h := &harness{env: env, rec: rec, t: t}
	bad := h.do(time.Minute, deal.UpdateRequestInfo, deal.InfoRequest{Actor: managerActor, Question: "which\x00 firewall?"})
	ask := h.do(2*time.Minute, deal.UpdateRequestInfo, deal.InfoRequest{Actor: managerActor, Question: "which firewall?"})
	h.do(3*time.Minute, deal.UpdateAnswerInfo, deal.InfoAnswer{Actor: partnerActor, Answer: "the big one"})
	reject := h.do(4*time.Minute, deal.UpdateReject, deal.Decision{Actor: managerActor, Reason: "no budget"})
	final := h.run(testInput())
	mustRefuse(t, "step with a NUL", bad, workflows.ErrTypeInvalidArgument)
	mustOK(t, "request info", ask)
	mustOK(t, "reject", reject)
	h.wantEvents("screening_started:screening review_requested:pending_approval info_requested:info_requested " +
		"info_answered:pending_approval rejected:rejected")
	if final.Status != domain.StatusRejected || final.Seq != 6 {
		t.Fatalf("final %s seq %d", final.Status, final.Seq)
	}
}
