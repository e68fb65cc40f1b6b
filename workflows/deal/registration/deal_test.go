package registration

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	dealacts "github.com/dealflow/dealflow/activities/deal"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/deal"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
)

const (
	dealID    = "01a21835-9ea4-789f-a7d7-5015b9d77c29"
	partnerID = "a76009f5-9fd9-4679-a99a-4cd9c41ce599"
	otherOrg  = "b0000000-0000-4000-8000-000000000000"
	programID = "33333333-3333-3333-3333-333333333333"
	day       = 24 * time.Hour
)

var (
	partnerActor = domain.Actor{ID: "11111111-1111-1111-1111-111111111111", Name: "Pat Partner", Role: domain.RolePartnerUser, PartnerID: partnerID}
	otherPartner = domain.Actor{ID: "44444444-4444-4444-4444-444444444444", Name: "Bo Other", Role: domain.RolePartnerUser, PartnerID: otherOrg}
	managerActor = domain.Actor{ID: "22222222-2222-2222-2222-222222222222", Name: "Morgan Manager", Role: domain.RoleChannelManager}
	manager2     = domain.Actor{ID: "55555555-5555-5555-5555-555555555555", Name: "Mia Manager", Role: domain.RoleChannelManager}
	financeActor = domain.Actor{ID: "66666666-6666-6666-6666-666666666666", Name: "Fin", Role: domain.RoleFinance}
)

func testInput() deal.Input {
	return deal.Input{
		DealID: dealID, PartnerID: partnerID, Submitter: partnerActor,
		Registration: domain.Registration{
			Kind:              domain.KindResale,
			Customer:          domain.Customer{Name: "Acme Corp", Domain: "acme.com", Country: "US"},
			RegistrableDomain: "acme.com",
			Contact:           domain.Contact{Name: "Jane Doe", Email: "jane@acme.com"},
			ProductLines:      []string{"firewall"}, Amount: 1250000, Currency: "USD", ExpectedCloseDate: "2027-03-31",
		},
	}
}

// recorder stands in for PostgreSQL: it keeps the events the workflow asked
// the activities to record, in order, with the virtual time of each.
type recorder struct {
	mu     sync.Mutex
	start  time.Time
	events []dealacts.Event
}

func (r *recorder) add(e dealacts.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// types lists "type:to" of every event.
func (r *recorder) types() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		out = append(out, e.Type+":"+string(e.To))
	}
	return strings.Join(out, " ")
}

// at returns the offset from the start at which the first event of type typ
// (after skip earlier ones) occurred.
func (r *recorder) at(t *testing.T, typ string, skip int) time.Duration {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.events {
		if e.Type == typ {
			if skip == 0 {
				return e.OccurredAt.Sub(r.start)
			}
			skip--
		}
	}
	t.Fatalf("no event %s (skip %d) in %d events", typ, skip, len(r.events))
	return 0
}

func (r *recorder) last(typ string) dealacts.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.events) - 1; i >= 0; i-- {
		if r.events[i].Type == typ {
			return r.events[i]
		}
	}
	return dealacts.Event{}
}

// scenario configures what screening finds.
type scenario struct {
	policy domain.Policy
	facts  func(*domain.ScreeningFacts)
	input  func(*deal.Input)
}

type harness struct {
	env *testsuite.TestWorkflowEnvironment
	rec *recorder
	t   *testing.T
}

func newHarness(t *testing.T, sc scenario) *harness {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	noCoSell(env)
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	env.SetStartTime(start)
	rec := &recorder{start: start}
	if sc.policy.SLA.ReviewWithin == 0 {
		sc.policy = domain.DefaultPolicy()
	}
	env.OnActivity(acts.RecordSubmission, mock.Anything, mock.Anything).Return(
		func(_ context.Context, sub dealacts.Submission) error { rec.add(sub.Event); return nil })
	env.OnActivity(acts.RecordEvent, mock.Anything, mock.Anything).Return(
		func(_ context.Context, e dealacts.Event) error { rec.add(e); return nil })
	env.OnActivity(acts.Screen, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in dealacts.ScreenInput) (dealacts.ScreenResult, error) {
			f := domain.ScreeningFacts{PartnerType: domain.PartnerReseller, Tier: "silver", Kind: in.Registration.Kind,
				Amount: in.Registration.Amount, Currency: in.Registration.Currency, RegistrableDomain: in.Registration.RegistrableDomain}
			if sc.facts != nil {
				sc.facts(&f)
			}
			return dealacts.ScreenResult{ProgramID: programID, Policy: sc.policy, Facts: f}, nil
		})
	return &harness{env: env, rec: rec, t: t}
}

// outcome is what an update came to: refused by its validator, or
// completed with a state or an error.
type outcome struct {
	rejected error
	state    deal.State
	err      error
	done     bool
}

// refusal is the error that refused the update, by validator or handler.
func (o *outcome) refusal() error {
	if o.rejected != nil {
		return o.rejected
	}
	return o.err
}

// do sends update name with arg at offset at from the start.
func (h *harness) do(at time.Duration, name string, arg any) *outcome {
	out := &outcome{}
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(name, fmt.Sprintf("%s-%d", name, at), &testsuite.TestUpdateCallback{
			OnReject: func(err error) { out.rejected, out.done = err, true },
			OnComplete: func(v any, err error) {
				out.err, out.done = err, true
				if s, ok := v.(deal.State); ok {
					out.state = s
				}
			},
		}, arg)
	}, at)
	return out
}

func (h *harness) run(in deal.Input) deal.State {
	h.t.Helper()
	h.env.ExecuteWorkflow(DealRegistration, in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("workflow did not complete")
	}
	var final deal.State
	if err := h.env.GetWorkflowResult(&final); err != nil {
		h.t.Fatalf("workflow failed: %v", err)
	}
	return final
}

func (h *harness) wantEvents(want string) {
	h.t.Helper()
	if got := h.rec.types(); got != want {
		h.t.Fatalf("events:\n got %s\nwant %s", got, want)
	}
}

func appErrType(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Type()
	}
	return ""
}

func mustOK(t *testing.T, name string, o *outcome) {
	t.Helper()
	if !o.done || o.refusal() != nil {
		t.Fatalf("%s: done=%v refused=%v", name, o.done, o.refusal())
	}
}

func mustRefuse(t *testing.T, name string, o *outcome, typ string) {
	t.Helper()
	if appErrType(o.refusal()) != typ {
		t.Fatalf("%s: want refusal %s, got done=%v err=%v", name, typ, o.done, o.refusal())
	}
}

const intake = "submitted:submitted screening_started:screening review_requested:pending_approval"
