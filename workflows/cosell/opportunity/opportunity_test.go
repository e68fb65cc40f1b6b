package opportunity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	cosellacts "github.com/dealflow/dealflow/activities/cosell"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/cosell"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
)

const (
	oppID = "3c1f0a9e-6b2d-4e8f-9a7c-5d4e3f2a1b0c"
	day   = 24 * time.Hour
)

var (
	seller  = cosell.Caller{Actor: domain.Actor{ID: "77777777-7777-7777-7777-777777777777", Name: "Sam", Role: domain.RoleSalesRep}, Email: "sam@vendor.example"}
	seller2 = cosell.Caller{Actor: domain.Actor{ID: "88888888-8888-8888-8888-888888888888", Name: "Sue", Role: domain.RoleSalesRep}, Email: "sue@vendor.example"}
	// start is a Monday, 09:00 UTC; invitations expire 5 business days later.
	start   = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	expires = domain.InvitationExpiry(start, time.Time{})
)

func partner(id string) domain.Actor {
	return domain.Actor{ID: "u-" + id, Name: "User of " + id, Role: domain.RolePartnerUser, PartnerID: id}
}

func partnerIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("p-%02d", i+1)
	}
	return out
}

type harness struct {
	t          *testing.T
	env        *testsuite.TestWorkflowEnvironment
	mu         sync.Mutex
	events     []cosellacts.OpportunityEvent
	registered []cosellacts.OpportunityRegisterInput
}

func newHarness(t *testing.T) *harness {
	var s testsuite.WorkflowTestSuite
	h := &harness{t: t, env: s.NewTestWorkflowEnvironment()}
	h.env.SetStartTime(start)
	h.env.OnActivity(acts.RecordSharedOpportunity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, st cosellacts.OpportunityStart) error { h.add(st.Event); return nil })
	h.env.OnActivity(acts.RecordSharedOpportunityEvent, mock.Anything, mock.Anything).Return(
		func(_ context.Context, e cosellacts.OpportunityEvent) error { h.add(e); return nil })
	h.env.OnActivity(acts.RegisterSharedOpportunity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in cosellacts.OpportunityRegisterInput) (cosellacts.OpportunityRegistration, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.registered = append(h.registered, in)
			return cosellacts.OpportunityRegistration{DealID: "deal-of-" + in.PartnerID, Status: string(domain.StatusApproved)}, nil
		})
	return h
}

func (h *harness) add(e cosellacts.OpportunityEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, e)
}

// log is the events as type[partner]@offset.
func (h *harness) log() string {
	var out []string
	for _, e := range h.events {
		s := e.Type
		if e.PartnerID != "" {
			s += "[" + e.PartnerID + "]"
		}
		out = append(out, s+"@"+e.OccurredAt.Sub(start).String())
	}
	return strings.Join(out, " ")
}

// step sends an update after a delay; its outcome (nil: done) goes to res.
func (h *harness) step(after time.Duration, name string, arg any, res chan<- error) {
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { res <- err },
			OnComplete: func(_ any, err error) { res <- err },
		}, arg)
	}, after)
}

func (h *harness) run(mode domain.ShareMode, partners []string) cosell.OpportunityState {
	h.t.Helper()
	h.env.ExecuteWorkflow(SharedOpportunity, cosell.OpportunityInput{OpportunityID: oppID, Seller: seller, Mode: mode,
		Opportunity: cosell.Opportunity{CustomerName: "Globex", RegistrableDomain: "globex.example", Country: "DE",
			ProductLines: []string{"firewall"}, Amount: 5_000_000, Currency: "EUR", ExpectedCloseDate: "2026-06-30"},
		Partners: partners, ExpiresAt: expires})
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("workflow did not complete")
	}
	var st cosell.OpportunityState
	if err := h.env.GetWorkflowResult(&st); err != nil {
		h.t.Fatalf("workflow failed: %v", err)
	}
	return st
}

func kindOf(err error) string {
	if r, ok := workflows.AsRefusal(err); ok {
		return r.Kind
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Type()
	}
	return ""
}

func drain(n int, res chan error) (ok int, kinds []string) {
	for i := 0; i < n; i++ {
		if err := <-res; err == nil {
			ok++
		} else {
			kinds = append(kinds, kindOf(err))
		}
	}
	return ok, kinds
}

// Ten partners accept one first_to_accept opportunity at the same instant:
// exactly one wins (one registration), the nine others are refused as an
// invalid transition (HTTP 409). Repeated, since the order simultaneous
// updates arrive in must not matter.
func TestSharedOpportunityAcceptRaceExactlyOneWinner(t *testing.T) {
	for run := 0; run < 20; run++ {
		h := newHarness(t)
		ids := partnerIDs(10)
		res := make(chan error, 10)
		for _, id := range ids {
			h.step(time.Hour, cosell.UpdateInvitationAccept, cosell.InvitationStep{Actor: partner(id)}, res)
		}
		st := h.run(domain.ShareFirstToAccept, ids)
		wins, kinds := drain(10, res)
		if wins != 1 || len(h.registered) != 1 || st.Status != cosell.OpportunityAwarded || st.WinnerPartnerID != h.registered[0].PartnerID {
			t.Fatalf("run %d: %d wins, registered %+v, state %+v", run, wins, h.registered, st)
		}
		for _, k := range kinds {
			if k != workflows.ErrTypeInvalidTransition {
				t.Fatalf("run %d: a later accept was refused as %q, want %q", run, k, workflows.ErrTypeInvalidTransition)
			}
		}
		accepted, lost := 0, 0
		for _, inv := range st.Invitations {
			switch inv.Status {
			case cosell.InvitationAccepted:
				accepted++
				if inv.DealID != "deal-of-"+inv.PartnerID {
					t.Fatalf("run %d: winner's invitation has deal %q", run, inv.DealID)
				}
			case cosell.InvitationLost:
				lost++
			}
		}
		if accepted != 1 || lost != 9 || st.DealStatus != string(domain.StatusApproved) {
			t.Fatalf("run %d: %d accepted, %d lost, %+v", run, accepted, lost, st)
		}
		if reg := h.registered[0]; reg.SellerEmail != seller.Email || reg.Actor.PartnerID != reg.PartnerID || reg.OpportunityID != oppID {
			t.Fatalf("run %d: registration %+v", run, reg)
		}
	}
}

// Nobody answers: each invitation expires at its time (5 business days:
// the next Monday) and the opportunity returns to the seller, who is told.
func TestSharedOpportunityExpiresAndReturnsToSeller(t *testing.T) {
	h := newHarness(t)
	res := make(chan error, 2)
	h.step(time.Hour, cosell.UpdateInvitationDecline, cosell.InvitationStep{Actor: partner("p-01"), Reason: "no capacity"}, res)
	st := h.run(domain.ShareFirstToAccept, partnerIDs(2))
	if ok, _ := drain(1, res); ok != 1 {
		t.Fatal("decline refused")
	}
	want := "shared@0s declined[p-01]@1h0m0s invitation_expired[p-02]@168h0m0s returned@168h0m0s"
	if h.log() != want || st.Status != cosell.OpportunityReturned {
		t.Fatalf("got %s (%s), want %s", h.log(), st.Status, want)
	}
	last := h.events[len(h.events)-1]
	if len(last.Notify) != 1 || last.Notify[0].Audience != "email:"+seller.Email || last.Notify[0].Kind != "cosell_opportunity_returned" {
		t.Fatalf("returned notifies %+v", last.Notify)
	}
	if inv, _ := st.Invitation("p-01"); inv.Reason != "no capacity" || inv.Status != cosell.InvitationDeclined {
		t.Fatalf("declined invitation %+v", inv)
	}
	if len(h.registered) != 0 {
		t.Fatalf("registered %+v", h.registered)
	}
}

// A decline needs a reason; a partner not invited, vendor staff, interest
// in first_to_accept mode and an accept after one's own decline are refused.
func TestSharedOpportunityRefusals(t *testing.T) {
	h := newHarness(t)
	res := make(chan error, 8)
	h.step(time.Hour, cosell.UpdateInvitationDecline, cosell.InvitationStep{Actor: partner("p-01"), Reason: "  "}, res)
	h.step(2*time.Hour, cosell.UpdateInvitationAccept, cosell.InvitationStep{Actor: partner("p-99")}, res)
	h.step(3*time.Hour, cosell.UpdateInvitationAccept, cosell.InvitationStep{Actor: seller.Actor}, res)
	h.step(4*time.Hour, cosell.UpdateInvitationInterest, cosell.InvitationStep{Actor: partner("p-01")}, res)
	h.step(5*time.Hour, cosell.UpdateInvitationDecline, cosell.InvitationStep{Actor: partner("p-01"), Reason: "not our region"}, res)
	h.step(6*time.Hour, cosell.UpdateInvitationAccept, cosell.InvitationStep{Actor: partner("p-01")}, res)
	st := h.run(domain.ShareFirstToAccept, partnerIDs(2))
	var got []string
	for i := 0; i < 6; i++ {
		got = append(got, kindOf(<-res))
	}
	want := []string{workflows.ErrTypeInvalidArgument, workflows.ErrTypeNotFound, workflows.ErrTypeForbidden,
		workflows.ErrTypeInvalidTransition, "", workflows.ErrTypeInvalidTransition}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("outcomes %q, want %q", got, want)
	}
	if st.Status != cosell.OpportunityReturned || h.log() != "shared@0s declined[p-01]@5h0m0s invitation_expired[p-02]@168h0m0s returned@168h0m0s" {
		t.Fatalf("%s: %s", st.Status, h.log())
	}
}

// seller_chooses: partners express interest (accepting is refused), the
// seller picks one, the others are told no; another seller cannot choose.
func TestSharedOpportunitySellerChooses(t *testing.T) {
	h := newHarness(t)
	res := make(chan error, 8)
	h.step(time.Hour, cosell.UpdateInvitationInterest, cosell.InvitationStep{Actor: partner("p-01"), Reason: "we know them"}, res)
	h.step(2*time.Hour, cosell.UpdateInvitationInterest, cosell.InvitationStep{Actor: partner("p-02")}, res)
	h.step(3*time.Hour, cosell.UpdateInvitationAccept, cosell.InvitationStep{Actor: partner("p-03")}, res)
	h.step(4*time.Hour, cosell.UpdateChoose, cosell.Choice{Caller: seller, PartnerID: "p-03"}, res)
	h.step(5*time.Hour, cosell.UpdateChoose, cosell.Choice{Caller: seller2, PartnerID: "p-02"}, res)
	h.step(6*time.Hour, cosell.UpdateChoose, cosell.Choice{Caller: seller, PartnerID: "p-02", Reason: "closest to the customer"}, res)
	st := h.run(domain.ShareSellerChooses, partnerIDs(3))
	var got []string
	for i := 0; i < 6; i++ {
		got = append(got, kindOf(<-res))
	}
	want := []string{"", "", workflows.ErrTypeInvalidTransition, workflows.ErrTypeInvalidArgument, workflows.ErrTypeForbidden, ""}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("outcomes %q, want %q", got, want)
	}
	if st.Status != cosell.OpportunityAwarded || st.WinnerPartnerID != "p-02" || len(h.registered) != 1 ||
		h.registered[0].Actor.PartnerID != "p-02" || st.DealID != "deal-of-p-02" {
		t.Fatalf("state %+v, registered %+v", st, h.registered)
	}
	for id, want := range map[string]cosell.InvitationStatus{"p-01": cosell.InvitationLost, "p-02": cosell.InvitationAccepted, "p-03": cosell.InvitationLost} {
		if inv, _ := st.Invitation(id); inv.Status != want {
			t.Fatalf("%s: %s, want %s", id, inv.Status, want)
		}
	}
	if !strings.HasSuffix(h.log(), "chosen[p-02]@6h0m0s others_told_no@6h0m0s registered[p-02]@6h0m0s") {
		t.Fatal(h.log())
	}
	told := h.events[len(h.events)-2].Notify
	if len(told) != 2 || told[0].Audience != "partner:p-01" || told[1].Audience != "partner:p-03" {
		t.Fatalf("told no: %+v", told)
	}
}

// The seller withdraws (reason required); pending invitations end
// withdrawn (the e2e test sees a later accept refused: the run has ended).
func TestSharedOpportunityWithdraw(t *testing.T) {
	h := newHarness(t)
	res := make(chan error, 4)
	h.step(time.Hour, cosell.UpdateWithdraw, cosell.Decision{Caller: seller}, res)
	h.step(2*time.Hour, cosell.UpdateWithdraw, cosell.Decision{Caller: seller, Reason: "the customer went direct"}, res)
	st := h.run(domain.ShareFirstToAccept, partnerIDs(2))
	var got []string
	for i := 0; i < 2; i++ {
		got = append(got, kindOf(<-res))
	}
	if strings.Join(got, ",") != workflows.ErrTypeInvalidArgument+"," || st.Status != cosell.OpportunityWithdrawn {
		t.Fatalf("outcomes %q, state %s", got, st.Status)
	}
	for _, inv := range st.Invitations {
		if inv.Status != cosell.InvitationWithdrawn {
			t.Fatalf("%+v", inv)
		}
	}
}
