package engagement

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
	dealID    = "0b6f7b7e-1d7c-4b53-9b39-6a1f3f2d9c01"
	partnerID = "5d9e2a4c-51a5-4a3c-8f3b-0f1f2a3b4c5d"
	day       = 24 * time.Hour
)

var (
	partner = cosell.Caller{Actor: domain.Actor{ID: "11111111-1111-1111-1111-111111111111", Name: "Pat", Role: domain.RolePartnerUser, PartnerID: partnerID}}
	other   = cosell.Caller{Actor: domain.Actor{ID: "44444444-4444-4444-4444-444444444444", Name: "Bo", Role: domain.RolePartnerUser, PartnerID: "other"}}
	seller  = cosell.Caller{Actor: domain.Actor{ID: "77777777-7777-7777-7777-777777777777", Name: "Sam", Role: domain.RoleSalesRep}, Email: "sam@vendor.example"}
	seller2 = cosell.Caller{Actor: domain.Actor{ID: "88888888-8888-8888-8888-888888888888", Name: "Sue", Role: domain.RoleSalesRep}, Email: "sue@vendor.example"}
	manager = cosell.Caller{Actor: domain.Actor{ID: "22222222-2222-2222-2222-222222222222", Name: "Morgan", Role: domain.RoleChannelManager}, Email: "morgan@vendor.example"}
)

// start is a Monday, 09:00 UTC.
var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

type harness struct {
	t      *testing.T
	env    *testsuite.TestWorkflowEnvironment
	mu     sync.Mutex
	events []cosellacts.Event
	// policy is the engagement's policy (zero: the workflow's default).
	policy domain.CoSellPolicy
}

func newHarness(t *testing.T, at time.Time, route cosell.Assignment) *harness {
	var s testsuite.WorkflowTestSuite
	h := &harness{t: t, env: s.NewTestWorkflowEnvironment()}
	h.env.SetStartTime(at)
	h.env.OnActivity(acts.RecordCoSellRequest, mock.Anything, mock.Anything).Return(
		func(_ context.Context, st cosellacts.Start) error { h.add(st.Event); return nil })
	h.env.OnActivity(acts.RecordCoSellEvent, mock.Anything, mock.Anything).Return(
		func(_ context.Context, e cosellacts.Event) error {
			if strings.ContainsRune(e.Reason, 0) {
				return temporal.NewNonRetryableApplicationError("refused", workflows.ErrTypeInvalidData, nil)
			}
			h.add(e)
			return nil
		})
	h.env.OnActivity(acts.RouteCoSell, mock.Anything, mock.Anything).Return(route, nil)
	return h
}

func (h *harness) add(e cosellacts.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, e)
}

// at returns the virtual time (offset from the run's start) of event typ.
func (h *harness) at(typ string) (time.Time, bool) {
	for _, e := range h.events {
		if e.Type == typ {
			return e.OccurredAt, true
		}
	}
	return time.Time{}, false
}

func (h *harness) types() string {
	var out []string
	for _, e := range h.events {
		out = append(out, e.Type)
	}
	return strings.Join(out, " ")
}

type outcome struct {
	rejected, err error
	state         cosell.State
	done          bool
}

func (o *outcome) refusal() error {
	if o.rejected != nil {
		return o.rejected
	}
	return o.err
}

func (h *harness) do(after time.Duration, name string, arg any) *outcome {
	out := &outcome{}
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(name, fmt.Sprintf("%s-%d", name, after), &testsuite.TestUpdateCallback{
			OnReject: func(err error) { out.rejected, out.done = err, true },
			OnComplete: func(v any, err error) {
				out.err, out.done = err, true
				if s, ok := v.(cosell.State); ok {
					out.state = s
				}
			},
		}, arg)
	}, after)
	return out
}

func (h *harness) end(after time.Duration, status domain.Status) {
	h.env.RegisterDelayedCallback(func() {
		h.env.SignalWorkflow(cosell.SignalDealEnded, cosell.DealEnded{DealID: dealID, Status: status, Outcome: domain.CoSellOutcomeOf(status)})
	}, after)
}

func (h *harness) run() cosell.State {
	h.t.Helper()
	h.env.ExecuteWorkflow(CoSellEngagement, cosell.Input{EngagementID: "9f0e1d2c-3b4a-4958-8776-655443322110", DealID: dealID,
		PartnerID: partnerID, Requester: partner.Actor,
		Request: cosell.Request{Type: domain.CoSellProofOfConcept, NeedBy: "2026-04-01", Message: "POC on site"}, Policy: h.policy})
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("workflow did not complete")
	}
	var st cosell.State
	if err := h.env.GetWorkflowResult(&st); err != nil {
		h.t.Fatalf("workflow failed: %v", err)
	}
	return st
}

func mustOK(t *testing.T, what string, o *outcome) {
	t.Helper()
	if !o.done || o.refusal() != nil {
		t.Fatalf("%s: done %v, refused %v", what, o.done, o.refusal())
	}
}

func mustRefuse(t *testing.T, what string, o *outcome, kind string) {
	t.Helper()
	var app *temporal.ApplicationError
	if !o.done || !errors.As(o.refusal(), &app) || app.Type() != kind {
		t.Fatalf("%s: done %v, refusal %v, want %s", what, o.done, o.refusal(), kind)
	}
}

// A request routed to its account's owner is reminded after one business
// day and escalated after two — over a weekend when it arrives on a
// Thursday — and a channel manager's reassignment restarts the clock for
// the new seller, who accepts; then the deal's end ends the engagement.
func TestResponseSLARemindsEscalatesAndReassigns(t *testing.T) {
	thursday := time.Date(2026, 3, 5, 16, 0, 0, 0, time.UTC)
	h := newHarness(t, thursday, cosell.Assignment{Email: seller.Email, Via: cosell.ViaAccountOwner})
	byOther := h.do(time.Hour, cosell.UpdateAccept, cosell.Decision{Caller: seller2})
	byPartner := h.do(time.Hour, cosell.UpdateReassign, cosell.Reassignment{Caller: partner, SellerEmail: seller2.Email})
	reassign := h.do(5*day, cosell.UpdateReassign, cosell.Reassignment{Caller: manager, SellerEmail: "Sue@Vendor.example", Reason: "Sam is out"})
	oldSeller := h.do(5*day+time.Hour, cosell.UpdateAccept, cosell.Decision{Caller: seller})
	accept := h.do(5*day+2*time.Hour, cosell.UpdateAccept, cosell.Decision{Caller: seller2})
	h.end(20*day, domain.StatusClosedWon)
	final := h.run()

	mustRefuse(t, "another seller accepts", byOther, workflows.ErrTypeForbidden)
	mustRefuse(t, "a partner reassigns", byPartner, workflows.ErrTypeForbidden)
	mustOK(t, "reassign", reassign)
	mustRefuse(t, "the former seller accepts", oldSeller, workflows.ErrTypeForbidden)
	mustOK(t, "accept", accept)
	if got := h.types(); got != "requested routed response_reminder escalated reassigned accepted ended" {
		t.Fatalf("events: %s", got)
	}
	if at, _ := h.at("response_reminder"); !at.Equal(time.Date(2026, 3, 6, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("reminder at %s, want Friday 16:00", at)
	}
	if at, _ := h.at("escalated"); !at.Equal(time.Date(2026, 3, 9, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("escalated at %s, want Monday 16:00 (two business days after Thursday)", at)
	}
	if n := h.events[3].Notify; len(n) != 1 || n[0].Audience != "role:channel_manager" {
		t.Errorf("escalation notifies %+v", n)
	}
	if final.Assignee.Email != seller2.Email || final.Status != cosell.StatusEnded || final.Outcome != domain.OutcomeWon ||
		final.Stage != domain.StageLaunched {
		t.Fatalf("final %+v", final)
	}
}

// A program's policy with holidays: a request on the Thursday before
// Easter (Good Friday and Easter Monday are holidays) is reminded on the
// Tuesday and escalates on the Wednesday; a channel manager's reassignment
// restarts the SLA from its own time, holidays still skipped, and the new
// seller is reminded and escalated in turn. The policy is recorded with the
// request (its event's payload) and kept in the state.
func TestResponseSLASkipsHolidaysAndRestartsOnReassignment(t *testing.T) {
	thursday := time.Date(2026, 4, 2, 10, 0, 0, 0, time.UTC)
	h := newHarness(t, thursday, cosell.Assignment{Email: seller.Email, Via: cosell.ViaTerritory})
	h.policy = domain.CoSellPolicy{RespondWithin: 2, RemindAfter: 1, MilestoneReminderDays: 2, Holidays: []string{"2026-04-03", "2026-04-06", "2026-04-13"}}
	// Wednesday 8 April 12:00: after the escalation (10:00).
	reassign := h.do(6*day+2*time.Hour, cosell.UpdateReassign, cosell.Reassignment{Caller: manager, SellerEmail: seller2.Email, Reason: "Sam is away"})
	h.end(30*day, domain.StatusClosedLost)
	final := h.run()

	mustOK(t, "reassign", reassign)
	if got := h.types(); got != "requested routed response_reminder escalated reassigned response_reminder escalated ended" {
		t.Fatalf("events: %s", got)
	}
	at := func(d, hour int) time.Time { return time.Date(2026, 4, d, hour, 0, 0, 0, time.UTC) }
	var times []time.Time
	for _, e := range h.events[2:7] {
		times = append(times, e.OccurredAt)
	}
	// Reminded Tue 7 (Fri 3 and Mon 6 are holidays), escalated Wed 8;
	// reassigned Wed 8 12:00, reminded Thu 9 12:00, escalated Fri 10 12:00.
	want := []time.Time{at(7, 10), at(8, 10), at(8, 12), at(9, 12), at(10, 12)}
	for i := range want {
		if !times[i].Equal(want[i]) {
			t.Errorf("%s at %s, want %s", h.events[2+i].Type, times[i], want[i])
		}
	}
	if !reassign.state.RespondBy.Equal(at(10, 12)) || reassign.state.Escalated || reassign.state.Reminded {
		t.Errorf("after reassignment: respond by %s, escalated %v, reminded %v", reassign.state.RespondBy, reassign.state.Escalated, reassign.state.Reminded)
	}
	if !strings.Contains(string(h.events[0].Payload), `"holidays":["2026-04-03","2026-04-06","2026-04-13"]`) {
		t.Errorf("the request's event does not record the policy: %s", h.events[0].Payload)
	}
	if len(final.Policy.Holidays) != 3 || final.Policy.RespondWithin != 2 {
		t.Errorf("final policy %+v", final.Policy)
	}
}

// A longer SLA with a later reminder: 3 business days, reminded after 2,
// over Christmas and the new year's holidays.
func TestResponseSLAProgramPolicy(t *testing.T) {
	christmasEve := time.Date(2026, 12, 24, 9, 0, 0, 0, time.UTC) // a Thursday
	h := newHarness(t, christmasEve, cosell.Assignment{Email: seller.Email, Via: cosell.ViaAccountOwner})
	h.policy = domain.CoSellPolicy{RespondWithin: 3, RemindAfter: 2, Holidays: []string{"2026-12-25", "2026-12-28", "2027-01-01"}}
	h.end(20*day, domain.StatusClosedLost)
	h.run()
	if got := h.types(); got != "requested routed response_reminder escalated ended" {
		t.Fatalf("events: %s", got)
	}
	// Business days after Thu 24: Tue 29, Wed 30, Thu 31.
	if at, _ := h.at("response_reminder"); !at.Equal(time.Date(2026, 12, 30, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("reminder at %s, want Wednesday 30 December", at)
	}
	if at, _ := h.at("escalated"); !at.Equal(time.Date(2026, 12, 31, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("escalated at %s, want Thursday 31 December", at)
	}
}

// A request no territory or account covers waits in the channel managers'
// queue (no reminder to a seller), escalates, and a decline needs a reason.
func TestQueueAndDecline(t *testing.T) {
	h := newHarness(t, start, cosell.Assignment{Via: cosell.ViaQueue})
	reassign := h.do(3*day, cosell.UpdateReassign, cosell.Reassignment{Caller: manager, SellerEmail: seller.Email})
	noReason := h.do(3*day+time.Hour, cosell.UpdateDecline, cosell.Decision{Caller: seller})
	badEmail := h.do(3*day+time.Hour, cosell.UpdateReassign, cosell.Reassignment{Caller: manager, SellerEmail: "nobody"})
	decline := h.do(3*day+2*time.Hour, cosell.UpdateDecline, cosell.Decision{Caller: seller, Reason: "no POC capacity this quarter"})
	final := h.run()
	mustOK(t, "reassign", reassign)
	mustRefuse(t, "decline without reason", noReason, workflows.ErrTypeInvalidArgument)
	mustRefuse(t, "reassign to a non-address", badEmail, workflows.ErrTypeInvalidArgument)
	mustOK(t, "decline", decline)
	if got := h.types(); got != "requested routed escalated reassigned declined" {
		t.Fatalf("events: %s", got)
	}
	if final.Status != cosell.StatusDeclined || final.DeclineReason == "" {
		t.Fatalf("final %+v", final)
	}
}

// Once accepted, both sides plan milestones (reminded before, flagged
// overdue after their day), add notes, move the stage forward only, and
// set next steps; the deal's loss ends the engagement as closed lost.
func TestEngagementPlanNotesStage(t *testing.T) {
	h := newHarness(t, start, cosell.Assignment{Email: seller.Email, Via: cosell.ViaTerritory})
	accept := h.do(time.Hour, cosell.UpdateAccept, cosell.Decision{Caller: seller})
	past := h.do(2*time.Hour, cosell.UpdateAddMilestone, cosell.MilestoneInput{Caller: partner, Title: "kickoff", Side: domain.SidePartner, Due: "2026-03-01"})
	outsider := h.do(2*time.Hour, cosell.UpdateAddNote, cosell.NoteInput{Caller: other, Body: "hi"})
	m1 := h.do(3*time.Hour, cosell.UpdateAddMilestone, cosell.MilestoneInput{Caller: partner, Title: "POC environment", Side: domain.SidePartner, Owner: "Pat", Due: "2026-03-10"})
	m2 := h.do(4*time.Hour, cosell.UpdateAddMilestone, cosell.MilestoneInput{Caller: seller, Title: "exec call", Side: domain.SideVendor, Due: "2026-03-20"})
	note := h.do(5*time.Hour, cosell.UpdateAddNote, cosell.NoteInput{Caller: seller, Body: "customer wants SSO"})
	stage := h.do(6*time.Hour, cosell.UpdateSetStage, cosell.StageInput{Caller: partner, Stage: domain.StageTechnicalValidation})
	back := h.do(7*time.Hour, cosell.UpdateSetStage, cosell.StageInput{Caller: seller, Stage: domain.StageQualified})
	next := h.do(8*time.Hour, cosell.UpdateSetNextSteps, cosell.NextStepsInput{Caller: seller, NextSteps: "book the exec call"})
	done := h.do(15*day, cosell.UpdateCompleteMilestone, cosell.MilestoneDone{Caller: seller, ID: "m2"})
	again := h.do(15*day+time.Hour, cosell.UpdateCompleteMilestone, cosell.MilestoneDone{Caller: seller, ID: "m2"})
	h.end(30*day, domain.StatusClosedLost)
	final := h.run()
	mustOK(t, "accept", accept)
	mustRefuse(t, "milestone in the past", past, workflows.ErrTypeInvalidArgument)
	mustRefuse(t, "another organization's note", outsider, workflows.ErrTypeForbidden)
	for name, o := range map[string]*outcome{"m1": m1, "m2": m2, "note": note, "stage": stage, "next": next, "done": done} {
		mustOK(t, name, o)
	}
	mustRefuse(t, "stage backwards", back, workflows.ErrTypeInvalidArgument)
	mustRefuse(t, "done twice", again, workflows.ErrTypeInvalidTransition)
	want := "requested routed accepted milestone_added milestone_added note_added stage_changed next_steps_set " +
		"milestone_reminder milestone_overdue milestone_done ended" // m2 is done before its reminder
	if got := h.types(); got != want {
		t.Fatalf("events:\n got %s\nwant %s", got, want)
	}
	if at, _ := h.at("milestone_reminder"); !at.Equal(time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("m1 reminded at %s, want two days before 10 March", at)
	}
	if at, _ := h.at("milestone_overdue"); !at.Equal(time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("m1 overdue at %s, want the start of 11 March", at)
	}
	if !final.Milestones[0].Overdue || final.Milestones[1].Overdue || !final.Milestones[1].Done {
		t.Errorf("milestones %+v", final.Milestones)
	}
	if final.Stage != domain.StageClosedLost || final.Outcome != domain.OutcomeLost || len(final.Notes) != 1 || final.NextSteps == "" {
		t.Fatalf("final %+v", final)
	}
}

// A deal that ends while its request still waits ends the engagement, and
// no step is taken after.
func TestDealEndWhileRequested(t *testing.T) {
	h := newHarness(t, start, cosell.Assignment{Email: seller.Email, Via: cosell.ViaAccountOwner})
	h.end(time.Hour, domain.StatusWithdrawn)
	final := h.run()
	if got := h.types(); got != "requested routed ended" || final.Outcome != domain.OutcomeWithdrawn {
		t.Fatalf("events %s, final %+v", got, final)
	}
}

// A step whose text PostgreSQL refuses is refused as invalid and changes
// nothing.
func TestUnstorableNoteRefused(t *testing.T) {
	h := newHarness(t, start, cosell.Assignment{Email: seller.Email, Via: cosell.ViaAccountOwner})
	bad := h.do(time.Hour, cosell.UpdateAddNote, cosell.NoteInput{Caller: partner, Body: "a\x00b"})
	h.end(2*time.Hour, domain.StatusWithdrawn)
	final := h.run()
	mustRefuse(t, "NUL note", bad, workflows.ErrTypeInvalidArgument)
	if len(final.Notes) != 0 {
		t.Fatalf("notes %+v", final.Notes)
	}
}
