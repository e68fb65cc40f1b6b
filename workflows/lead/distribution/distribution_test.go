package distribution

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	leadacts "github.com/dealflow/dealflow/activities/lead"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/lead"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
)

const (
	leadID    = "0193a000-0000-7000-8000-000000000001"
	programID = "33333333-3333-3333-3333-333333333333"
	day       = 24 * time.Hour
)

var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func partner(id string) domain.Actor {
	return domain.Actor{ID: "user-" + id, Name: "rep of " + id, Role: domain.RolePartnerUser, PartnerID: id}
}

// world stands in for PostgreSQL and the deal context: it keeps the
// changes the workflow recorded, routes among a fixed list of partners in
// order (minus those tried), and counts registrations and releases.
type world struct {
	mu         sync.Mutex
	env        *testsuite.TestWorkflowEnvironment
	policy     domain.LeadPolicy
	partners   []string
	changes    []leadacts.Change
	routes     []leadacts.RouteInput
	registered []leadacts.RegisterInput
	released   []leadacts.ReleaseInput
	sent       int // manager steps sent: each update's own id
	// lastSeq is the lead's last recorded event as PostgreSQL has it.
	lastSeq int32
}

func newWorld(t *testing.T, policy domain.LeadPolicy, partners ...string) *world {
	var s testsuite.WorkflowTestSuite
	w := &world{env: s.NewTestWorkflowEnvironment(), policy: policy, partners: partners}
	w.env.SetStartTime(start)
	w.env.RegisterWorkflow(LeadDistribution)
	w.env.OnActivity(acts.LeadProgram, mock.Anything, mock.Anything).Return(
		func(context.Context, string) (leadacts.ProgramResult, error) {
			return leadacts.ProgramResult{ProgramID: programID, Policy: w.policy}, nil
		})
	w.env.OnActivity(acts.LeadRoute, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in leadacts.RouteInput) (leadacts.RouteResult, error) {
			w.mu.Lock()
			w.routes = append(w.routes, in)
			w.mu.Unlock()
			var out []string
			for _, p := range w.partners {
				if !slices.Contains(in.Tried, p) && len(out) < in.N {
					out = append(out, p)
				}
			}
			return leadacts.RouteResult{Partners: out, Rule: "all"}, nil
		})
	w.env.OnActivity(acts.LeadRecord, mock.Anything, mock.Anything).Return(
		func(_ context.Context, c leadacts.Change) error {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.changes = append(w.changes, c)
			return nil
		})
	w.env.OnActivity(acts.LeadRegister, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in leadacts.RegisterInput) (leadacts.RegisterResult, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.registered = append(w.registered, in)
			return leadacts.RegisterResult{DealID: fmt.Sprintf("deal-%s-%d", in.PartnerID, in.Round), Status: "approved"}, nil
		})
	w.env.OnActivity(acts.LeadScreen, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in leadacts.ScreenInput) ([]domain.Conflict, error) {
			if in.PartnerID != "p-ref" {
				return nil, fmt.Errorf("screened without the referring partner: %+v", in)
			}
			return []domain.Conflict{{Source: domain.SourceRegistration, ID: "d-1", Class: domain.MatchLikely}}, nil
		})
	w.env.OnActivity(acts.LeadLastSeq, mock.Anything, mock.Anything).Return(
		func(context.Context, string) (int32, error) { return w.lastSeq, nil })
	w.env.OnActivity(acts.LeadRelease, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in leadacts.ReleaseInput) error {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.released = append(w.released, in)
			return nil
		})
	return w
}

// log lists "type@offset[detail]" for every recorded change.
func (w *world) log() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, c := range w.changes {
		s := fmt.Sprintf("%s@%s", c.Type, c.OccurredAt.Sub(start))
		if len(c.Offer) > 0 {
			s += "[" + strings.Join(c.Offer, ",") + "]"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

// step sends a partner's step at offset at; the outcome lands in results.
func (w *world) step(at time.Duration, name string, s lead.Step, results chan<- error) {
	w.env.RegisterDelayedCallback(func() {
		w.env.UpdateWorkflow(name, fmt.Sprintf("%s-%s-%d", name, s.Actor.PartnerID, at), &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { results <- err },
			OnAccept:   func() {},
			OnComplete: func(_ interface{}, err error) { results <- err },
		}, s)
	}, at)
}

func (w *world) run(t *testing.T) lead.State {
	t.Helper()
	return w.runFrom(t, lead.SourceVendor, nil)
}

func (w *world) runFrom(t *testing.T, source string, at *lead.Attribution) lead.State {
	t.Helper()
	w.env.ExecuteWorkflow(LeadDistribution, lead.Input{LeadID: leadID, Source: source, Attribution: at,
		Creator: domain.Actor{ID: "m", Name: "Morgan", Role: domain.RoleChannelManager},
		Lead: lead.Lead{Company: domain.Customer{Name: "Acme", Domain: "acme.com", Country: "DE"}, RegistrableDomain: "acme.com",
			ProductLines: []string{"firewall"}, Amount: 100000, Currency: "EUR"}})
	if !w.env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := w.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var st lead.State
	if err := w.env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// kindOf is the kind of error a refused step came back with ("" for none).
func kindOf(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Type()
	}
	return ""
}

// Accepted within the deadline, the lead becomes a registration; first
// contact within five days ends the workflow with the lead being worked.
func TestAcceptThenFirstContact(t *testing.T) {
	w := newWorld(t, domain.DefaultLeadPolicy(), "p-a", "p-b")
	res := make(chan error, 4)
	w.step(3*time.Hour, lead.UpdateAccept, lead.Step{Actor: partner("p-a")}, res)
	w.step(2*day, lead.UpdateContacted, lead.Step{Actor: partner("p-a"), Reason: "called the CIO"}, res)
	st := w.run(t)
	if err := <-res; err != nil {
		t.Fatalf("accept: %v", err)
	}
	if err := <-res; err != nil {
		t.Fatalf("contacted: %v", err)
	}
	if st.Status != lead.StatusWorking || st.PartnerID != "p-a" || st.DealID != "deal-p-a-1" {
		t.Fatalf("state %+v", st)
	}
	want := "created@0s offered@0s[p-a] accepted@3h0m0s offers_closed@3h0m0s registered@3h0m0s first_contact@48h0m0s"
	if got := w.log(); got != want {
		t.Fatalf("changes\n got %s\nwant %s", got, want)
	}
	if len(w.registered) != 1 || w.registered[0].Actor.PartnerID != "p-a" || w.registered[0].Lead.Company.Name != "Acme" {
		t.Fatalf("registered %+v", w.registered)
	}
}

// Nobody accepts: a reminder halfway, the deadline pulls the offer back
// and the next match gets it, up to max_offers; then the vendor's queue.
func TestTimeoutsRerouteThenQueue(t *testing.T) {
	p := domain.DefaultLeadPolicy()
	p.MaxOffers = 2
	w := newWorld(t, p, "p-a", "p-b", "p-c")
	st := w.run(t)
	want := "created@0s offered@0s[p-a] reminder_sent@24h0m0s timed_out@48h0m0s offered@48h0m0s[p-b] reminder_sent@72h0m0s timed_out@96h0m0s queued@96h0m0s"
	if got := w.log(); got != want {
		t.Fatalf("changes\n got %s\nwant %s", got, want)
	}
	if st.Status != lead.StatusQueued || !slices.Equal(st.Tried, []string{"p-a", "p-b"}) {
		t.Fatalf("state %+v", st)
	}
}

// A decline (with its reason) moves the lead on at once; with nobody
// left, it goes to the queue.
func TestDeclineMovesOnThenNobodyLeft(t *testing.T) {
	w := newWorld(t, domain.DefaultLeadPolicy(), "p-a", "p-b")
	res := make(chan error, 4)
	w.step(time.Hour, lead.UpdateDecline, lead.Step{Actor: partner("p-a")}, res) // no reason
	w.step(2*time.Hour, lead.UpdateDecline, lead.Step{Actor: partner("p-a"), Reason: "no capacity in Bavaria"}, res)
	w.step(3*time.Hour, lead.UpdateDecline, lead.Step{Actor: partner("p-b"), Reason: "not our segment"}, res)
	st := w.run(t)
	if err := <-res; kindOf(err) != workflows.ErrTypeInvalidArgument {
		t.Fatalf("a decline without a reason: %v", err)
	}
	for i := 0; i < 2; i++ {
		if err := <-res; err != nil {
			t.Fatal(err)
		}
	}
	want := "created@0s offered@0s[p-a] declined@2h0m0s offered@2h0m0s[p-b] declined@3h0m0s queued@3h0m0s"
	if got := w.log(); got != want || st.Status != lead.StatusQueued {
		t.Fatalf("changes\n got %s\nwant %s (%s)", got, want, st.Status)
	}
}

// An accepted lead without first contact in five days is pulled back: its
// registration withdrawn, the lead offered to the next match.
func TestIdleLeadPulledBack(t *testing.T) {
	w := newWorld(t, domain.DefaultLeadPolicy(), "p-a", "p-b")
	res := make(chan error, 4)
	w.step(time.Hour, lead.UpdateAccept, lead.Step{Actor: partner("p-a")}, res)
	w.step(5*day+2*time.Hour, lead.UpdateAccept, lead.Step{Actor: partner("p-b")}, res)
	w.step(5*day+3*time.Hour, lead.UpdateContacted, lead.Step{Actor: partner("p-a")}, res)
	w.step(5*day+4*time.Hour, lead.UpdateContacted, lead.Step{Actor: partner("p-b")}, res)
	st := w.run(t)
	for i := 0; i < 2; i++ {
		if err := <-res; err != nil {
			t.Fatal(err)
		}
	}
	if err := <-res; kindOf(err) != workflows.ErrTypeForbidden {
		t.Fatalf("the partner it was pulled from recorded contact: %v", err)
	}
	if err := <-res; err != nil {
		t.Fatal(err)
	}
	want := "created@0s offered@0s[p-a] accepted@1h0m0s offers_closed@1h0m0s registered@1h0m0s pulled_back@121h0m0s offered@121h0m0s[p-b] accepted@122h0m0s offers_closed@122h0m0s registered@122h0m0s first_contact@124h0m0s"
	if got := w.log(); got != want {
		t.Fatalf("changes\n got %s\nwant %s", got, want)
	}
	if len(w.released) != 1 || w.released[0].DealID != "deal-p-a-1" || st.PartnerID != "p-b" || st.DealID != "deal-p-b-2" {
		t.Fatalf("released %+v, state %+v", w.released, st)
	}
}

// Broadcast: three partners accept at the same instant; exactly one wins,
// the others are refused, one registration is made. Repeated, since the
// order in which simultaneous updates arrive must not matter.
func TestBroadcastRaceExactlyOneWinner(t *testing.T) {
	for i := 0; i < 25; i++ {
		p := domain.DefaultLeadPolicy()
		p.Mode, p.BroadcastTo = domain.RouteBroadcast, 3
		w := newWorld(t, p, "p-a", "p-b", "p-c", "p-d")
		res := make(chan error, 8)
		for _, id := range []string{"p-c", "p-a", "p-b"} {
			w.step(time.Hour, lead.UpdateAccept, lead.Step{Actor: partner(id)}, res)
		}
		w.step(2*time.Hour, lead.UpdateAccept, lead.Step{Actor: partner("p-d")}, res)
		w.step(day, lead.UpdateContacted, lead.Step{Actor: partner("p-x")}, res)
		st := w.run(t)
		wins, lost := 0, 0
		for j := 0; j < 5; j++ {
			switch err := <-res; {
			case err == nil:
				wins++
			case kindOf(err) == workflows.ErrTypeInvalidTransition:
				lost++
			}
		}
		if wins != 1 || lost != 3 || len(w.registered) != 1 || w.registered[0].PartnerID == "p-d" || st.Status != lead.StatusQueued {
			t.Fatalf("run %d: %d wins, %d refused, registered %+v, state %+v", i, wins, lost, w.registered, st)
		}
		if !strings.HasPrefix(w.log(), "created@0s offered@0s[p-a,p-b,p-c] accepted@1h0m0s offers_closed@1h0m0s registered@1h0m0s pulled_back@121h0m0s offered@121h0m0s[p-d]") {
			t.Fatalf("run %d: %s", i, w.log())
		}
	}
}

// Only partners the lead is offered to may act; vendor staff may not
// accept for them.
func TestOnlyOfferedPartnersAct(t *testing.T) {
	w := newWorld(t, domain.DefaultLeadPolicy(), "p-a")
	res := make(chan error, 4)
	w.step(time.Hour, lead.UpdateAccept, lead.Step{Actor: partner("p-z")}, res)
	w.step(time.Hour, lead.UpdateAccept, lead.Step{Actor: domain.Actor{ID: "m", Role: domain.RoleChannelManager}}, res)
	w.step(time.Hour, lead.UpdateContacted, lead.Step{Actor: partner("p-a")}, res)
	st := w.run(t)
	for _, want := range []string{workflows.ErrTypeInvalidTransition, workflows.ErrTypeForbidden, workflows.ErrTypeForbidden} {
		if err := <-res; kindOf(err) != want {
			t.Fatalf("want %s, got %v", want, err)
		}
	}
	if st.Status != lead.StatusQueued {
		t.Fatalf("state %+v", st)
	}
}

// With nobody eligible the lead goes straight to the vendor's queue.
func TestNoEligiblePartnerQueues(t *testing.T) {
	w := newWorld(t, domain.DefaultLeadPolicy())
	st := w.run(t)
	if got := w.log(); got != "created@0s queued@0s" || st.Status != lead.StatusQueued {
		t.Fatalf("%s %+v", got, st)
	}
}

// A partner's referral (or a form lead through its link) is screened for
// conflicts, leaving out the referring partner's own claims, and goes to
// the vendor's queue: it is not routed to partners.
func TestReferralScreenedThenQueued(t *testing.T) {
	w := newWorld(t, domain.DefaultLeadPolicy(), "p-a")
	st := w.runFrom(t, lead.SourcePartnerReferral, &lead.Attribution{PartnerID: "p-ref"})
	if got := w.log(); got != "created@0s screened@0s" || st.Status != lead.StatusQueued || len(st.Conflicts) != 1 {
		t.Fatalf("%s %+v", got, st)
	}
}
