package distribution

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	leadacts "github.com/dealflow/dealflow/activities/lead"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/lead"
	"go.temporal.io/sdk/testsuite"
)

var manager = domain.Actor{ID: "m-1", Name: "Morgan", Role: domain.RoleChannelManager}

// manage sends a manager's step at offset at; the outcome lands in results.
func (w *world) manage(at time.Duration, name string, m lead.Manage, results chan<- error) {
	w.sent++
	id := fmt.Sprintf("%s-%s-%d-%d", name, m.Actor.ID, at, w.sent)
	w.env.RegisterDelayedCallback(func() {
		w.env.UpdateWorkflow(name, id, &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { results <- err },
			OnAccept:   func() {},
			OnComplete: func(_ interface{}, err error) { results <- err },
		}, m)
	}, at)
}

// resumed runs a new run of a queued lead's workflow (what the API starts
// when a manager acts on a queued lead), from the recorded state r.
func (w *world) resumed(t *testing.T, source string, at *lead.Attribution, r lead.Resume) lead.State {
	t.Helper()
	if w.lastSeq == 0 {
		w.lastSeq = r.Seq
	}
	w.env.ExecuteWorkflow(LeadDistribution, lead.Input{LeadID: leadID, ProgramID: programID, Source: source, Attribution: at,
		Creator: domain.Actor{ID: "m"}, Resume: &r,
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

func expect(t *testing.T, res <-chan error, kinds ...string) {
	t.Helper()
	for i, want := range kinds {
		select {
		case err := <-res:
			if kindOf(err) != want || (want == "" && err != nil) {
				t.Fatalf("step %d: want %q, got %v", i+1, want, err)
			}
		default:
			t.Fatalf("step %d: no answer (want %q)", i+1, want)
		}
	}
}

// A manager's re-offer withdraws the open offer (its partner is not offered
// the lead again) and routes it by the rules at once, with the offer
// budget started over; the event carries the manager, time and reason.
func TestManagerReofferWithdrawsAndReroutes(t *testing.T) {
	w := newWorld(t, domain.DefaultLeadPolicy(), "p-a", "p-b")
	res := make(chan error, 16)
	w.manage(3*time.Hour, lead.UpdateReoffer, lead.Manage{Actor: partner("p-a")}, res)
	w.manage(3*time.Hour+time.Minute, lead.UpdateReoffer, lead.Manage{Actor: manager, Reason: "p-a is on holiday"}, res)
	w.step(4*time.Hour, lead.UpdateAccept, lead.Step{Actor: partner("p-a")}, res)
	w.step(5*time.Hour, lead.UpdateAccept, lead.Step{Actor: partner("p-b")}, res)
	w.step(6*time.Hour, lead.UpdateContacted, lead.Step{Actor: partner("p-b")}, res)
	st := w.run(t)
	expect(t, res, workflows.ErrTypeForbidden, "", workflows.ErrTypeInvalidTransition, "", "")
	want := "created@0s offered@0s[p-a] reoffered@3h1m0s offered@3h1m0s[p-b] accepted@5h0m0s offers_closed@5h0m0s registered@5h0m0s first_contact@6h0m0s"
	if got := w.log(); got != want || st.Status != lead.StatusWorking || st.PartnerID != "p-b" {
		t.Fatalf("changes\n got %s\nwant %s\n%+v", got, want, st)
	}
	c := w.changes[2]
	if c.Actor != manager || c.Reason != "p-a is on holiday" || c.Outcome != "withdrawn" || c.CloseRound != 1 ||
		c.From != lead.StatusOffered || c.State.OffersFrom != 1 || string(c.Payload) != `{"withdrawn":["p-a"]}` {
		t.Fatalf("reoffered %+v payload %s", c, c.Payload)
	}
}

// Assigned to a named partner, the lead is offered to it alone (whatever
// the rules) with the usual accept deadline; when it declines, routing by
// the rules carries on, within a fresh offer budget, until nobody is left.
func TestManagerAssignThenRulesCarryOn(t *testing.T) {
	p := domain.DefaultLeadPolicy()
	p.MaxOffers = 1
	w := newWorld(t, p, "p-a", "p-b")
	res := make(chan error, 16)
	w.manage(time.Hour, lead.UpdateAssign, lead.Manage{Actor: manager}, res)
	w.manage(time.Hour, lead.UpdateAssign, lead.Manage{Actor: manager, PartnerID: "p-a"}, res)
	w.manage(2*time.Hour, lead.UpdateAssign, lead.Manage{Actor: manager, PartnerID: "p-x", Reason: "knows the CIO"}, res)
	w.step(3*time.Hour, lead.UpdateDecline, lead.Step{Actor: partner("p-x"), Reason: "conflict of interest"}, res)
	st := w.run(t)
	expect(t, res, workflows.ErrTypeInvalidArgument, workflows.ErrTypeInvalidTransition, "", "")
	want := "created@0s offered@0s[p-a] assigned@2h0m0s offered@2h0m0s[p-x] declined@3h0m0s queued@3h0m0s"
	if got := w.log(); got != want {
		t.Fatalf("changes\n got %s\nwant %s", got, want)
	}
	// max_offers 1 counts from the assignment: the assignee's offer used
	// it, so the declined lead goes back to the queue.
	offered := w.changes[3]
	if offered.State.Rule != "assigned" || !offered.State.AcceptDueAt.Equal(start.Add(2*time.Hour+48*time.Hour)) || st.Status != lead.StatusQueued ||
		!slices.Equal(st.Tried, []string{"p-a", "p-x"}) {
		t.Fatalf("offered %+v, state %+v", offered.State, st)
	}

	// With a larger budget the rules take over after the assignee declines.
	w = newWorld(t, domain.DefaultLeadPolicy(), "p-a", "p-b")
	w.manage(time.Hour, lead.UpdateAssign, lead.Manage{Actor: manager, PartnerID: "p-x"}, res)
	w.step(3*time.Hour, lead.UpdateDecline, lead.Step{Actor: partner("p-x"), Reason: "busy"}, res)
	w.run(t)
	expect(t, res, "", "")
	want = "created@0s offered@0s[p-a] assigned@1h0m0s offered@1h0m0s[p-x] declined@3h0m0s offered@3h0m0s[p-b] reminder_sent@27h0m0s timed_out@51h0m0s queued@51h0m0s"
	if got := w.log(); got != want {
		t.Fatalf("changes\n got %s\nwant %s", got, want)
	}
	// Routing picks (and counts) rounds 1 and 3 of this lead, and finds
	// nobody left for round 4; the assignee's offer (round 2) is counted
	// when recorded, the picks' offers are not counted again.
	var rounds []int
	for _, in := range w.routes {
		if in.LeadID != leadID {
			t.Fatalf("routed lead %q", in.LeadID)
		}
		rounds = append(rounds, in.Round)
	}
	var counted []string
	for _, c := range w.changes {
		if len(c.Offer) > 0 {
			counted = append(counted, fmt.Sprintf("%d:%t", c.State.Round, c.Counted))
		}
	}
	if !slices.Equal(rounds, []int{1, 3, 4}) || strings.Join(counted, " ") != "1:true 2:false 3:true" {
		t.Fatalf("routed rounds %v, offers counted %v", rounds, counted)
	}
}

// Closing needs a reason code (and a text for "other"); it withdraws the
// open offer and ends the workflow. A lead a partner holds is not closed,
// and an offered lead is not converted.
func TestManagerCloseOffered(t *testing.T) {
	w := newWorld(t, domain.DefaultLeadPolicy(), "p-a")
	res := make(chan error, 16)
	w.manage(time.Hour, lead.UpdateClose, lead.Manage{Actor: manager}, res)
	w.manage(time.Hour, lead.UpdateClose, lead.Manage{Actor: manager, CloseReason: lead.CloseOther}, res)
	w.manage(time.Hour, lead.UpdateClose, lead.Manage{Actor: domain.Actor{ID: "f", Role: domain.RoleFinance}, CloseReason: lead.CloseJunk}, res)
	w.manage(time.Hour, lead.UpdateConvert, lead.Manage{Actor: manager, Kind: domain.KindVendorSourced, PartnerID: "p-a"}, res)
	w.manage(2*time.Hour, lead.UpdateClose, lead.Manage{Actor: manager, CloseReason: lead.CloseDuplicate, Reason: "same as the March lead"}, res)
	w.step(3*time.Hour, lead.UpdateAccept, lead.Step{Actor: partner("p-a")}, res)
	st := w.run(t)
	expect(t, res, workflows.ErrTypeInvalidArgument, workflows.ErrTypeInvalidArgument, workflows.ErrTypeForbidden,
		workflows.ErrTypeInvalidTransition, "")
	want := "created@0s offered@0s[p-a] closed@2h0m0s"
	if got := w.log(); got != want || st.Status != lead.StatusClosed || st.CloseReason != lead.CloseDuplicate {
		t.Fatalf("changes\n got %s\nwant %s\n%+v", got, want, st)
	}
	if c := w.changes[2]; c.Reason != "duplicate: same as the March lead" || c.Outcome != "withdrawn" || c.Actor != manager {
		t.Fatalf("closed %+v", c)
	}

	// Accepted: the partner holds it.
	w = newWorld(t, domain.DefaultLeadPolicy(), "p-a")
	w.step(time.Hour, lead.UpdateAccept, lead.Step{Actor: partner("p-a")}, res)
	w.manage(2*time.Hour, lead.UpdateClose, lead.Manage{Actor: manager, CloseReason: lead.CloseJunk}, res)
	w.manage(2*time.Hour, lead.UpdateReoffer, lead.Manage{Actor: manager}, res)
	w.step(3*time.Hour, lead.UpdateContacted, lead.Step{Actor: partner("p-a")}, res)
	w.run(t)
	expect(t, res, "", workflows.ErrTypeInvalidTransition, workflows.ErrTypeInvalidTransition, "")
}

// A queued lead (its workflow ended) takes a manager's re-offer in a new
// run started from its recorded state: numbering carries on, everyone may
// be offered it again, and the offer budget starts over.
func TestQueuedLeadReofferedInResumedRun(t *testing.T) {
	p := domain.DefaultLeadPolicy()
	p.MaxOffers = 2
	w := newWorld(t, p, "p-a", "p-b")
	res := make(chan error, 16)
	w.manage(0, lead.UpdateReoffer, lead.Manage{Actor: manager, Reason: "new budget this quarter"}, res)
	w.step(time.Hour, lead.UpdateAccept, lead.Step{Actor: partner("p-a")}, res)
	w.step(2*time.Hour, lead.UpdateContacted, lead.Step{Actor: partner("p-a")}, res)
	st := w.resumed(t, lead.SourceVendor, nil, lead.Resume{Status: lead.StatusQueued, Seq: 7, Round: 3, Tried: []string{"p-a", "p-b"}})
	expect(t, res, "", "", "")
	want := "reoffered@0s offered@0s[p-a] accepted@1h0m0s offers_closed@1h0m0s registered@1h0m0s first_contact@2h0m0s"
	if got := w.log(); got != want || st.Status != lead.StatusWorking {
		t.Fatalf("changes\n got %s\nwant %s\n%+v", got, want, st)
	}
	if c := w.changes[0]; c.Seq != 8 || c.From != lead.StatusQueued || c.Outcome != "" || w.changes[1].State.Round != 4 {
		t.Fatalf("reoffered %+v, offered round %d", c, w.changes[1].State.Round)
	}
	if w.registered[0].Round != 4 {
		t.Fatalf("registered %+v", w.registered)
	}
}

// resumedStep is one manager step on a queued lead: what the API's
// Update-with-Start does, a new run from r taking the step at once. It
// returns the run's end state, its world and the step's outcome.
func resumedStep(t *testing.T, name string, m lead.Manage, source string, at *lead.Attribution, r lead.Resume) (lead.State, *world, error) {
	t.Helper()
	w := newWorld(t, domain.DefaultLeadPolicy(), "p-a")
	res := make(chan error, 1)
	w.manage(0, name, m, res)
	st := w.resumed(t, source, at, r)
	select {
	case err := <-res:
		return st, w, err
	default:
		t.Fatalf("%s: no answer", name)
	}
	return st, w, nil
}

// A queued referral converts into a referral-kind registration credited to
// the referring partner (idempotent by lead); the lead links to its deal
// and its workflow ends. A vendor-sourced conversion names its partner;
// a refused conversion leaves the lead queued and records nothing.
func TestQueuedReferralConverted(t *testing.T) {
	ref := &lead.Attribution{PartnerID: "p-ref", Code: "abc123"}
	queued := lead.Resume{Status: lead.StatusQueued, Seq: 2}
	for _, m := range []lead.Manage{
		{Actor: manager, Kind: domain.KindVendorSourced},
		{Actor: manager, Kind: domain.KindReferral, PartnerID: "p-a"},
		{Actor: manager, Kind: "resale", PartnerID: "p-a"},
	} {
		st, w, err := resumedStep(t, lead.UpdateConvert, m, lead.SourceForm, ref, queued)
		if kindOf(err) != workflows.ErrTypeInvalidArgument || st.Status != lead.StatusQueued || len(w.changes) != 0 || len(w.registered) != 0 {
			t.Fatalf("%+v: %v, %+v, %s", m, err, st, w.log())
		}
	}
	st, w, err := resumedStep(t, lead.UpdateConvert, lead.Manage{Actor: manager, Kind: domain.KindReferral, Reason: "qualified by phone",
		Amount: 250000, Currency: "EUR", ExpectedCloseDate: "2026-06-30"}, lead.SourceForm, ref, queued)
	if err != nil || w.log() != "converted@0s" || st.Status != lead.StatusConverted || st.PartnerID != "p-ref" || st.DealID == "" {
		t.Fatalf("%v %s %+v", err, w.log(), st)
	}
	r := w.registered[0]
	if len(w.registered) != 1 || r.Kind != domain.KindReferral || r.PartnerID != "p-ref" || r.Key != "lead:"+leadID+":convert" ||
		r.ReferralCode != "abc123" || r.Lead.Amount != 250000 || r.ExpectedCloseDate != "2026-06-30" || r.Actor != manager {
		t.Fatalf("registered %+v", w.registered)
	}
	if c := w.changes[0]; c.Seq != 3 || c.Reason != "qualified by phone" || c.Actor != manager || c.State.DealID != st.DealID {
		t.Fatalf("converted %+v", c)
	}

	// A vendor lead has no referrer: a referral conversion is refused; a
	// vendor-sourced one goes to the named partner.
	vendorQueued := lead.Resume{Status: lead.StatusQueued, Seq: 4, Round: 3}
	if _, _, err := resumedStep(t, lead.UpdateConvert, lead.Manage{Actor: manager, Kind: domain.KindReferral}, lead.SourceVendor, nil, vendorQueued); kindOf(err) != workflows.ErrTypeInvalidArgument {
		t.Fatalf("referral conversion of a vendor lead: %v", err)
	}
	st, w, err = resumedStep(t, lead.UpdateConvert, lead.Manage{Actor: manager, Kind: domain.KindVendorSourced, PartnerID: "p-b"}, lead.SourceVendor, nil, vendorQueued)
	if err != nil || st.Status != lead.StatusConverted || w.registered[0].Kind != domain.KindVendorSourced || w.registered[0].PartnerID != "p-b" {
		t.Fatalf("%v %+v %+v", err, st, w.registered)
	}

	// Closing a queued lead ends it too.
	st, w, err = resumedStep(t, lead.UpdateClose, lead.Manage{Actor: manager, CloseReason: lead.CloseNoInterest}, lead.SourceForm, ref, queued)
	if err != nil || st.Status != lead.StatusClosed || w.log() != "closed@0s" || w.changes[0].Outcome != "" {
		t.Fatalf("%v %+v %s", err, st, w.log())
	}
}

// The partners' people hear of every offer, reminder, time-out, pullback
// and withdrawal: what each recorded change notifies (the activity writes
// it to the outbox with the change).
func TestStepsNotifyPartners(t *testing.T) {
	p := domain.DefaultLeadPolicy()
	w := newWorld(t, p, "p-a", "p-b", "p-c")
	res := make(chan error, 8)
	w.manage(60*time.Hour, lead.UpdateReoffer, lead.Manage{Actor: manager}, res) // p-b's offer withdrawn
	w.step(61*time.Hour, lead.UpdateAccept, lead.Step{Actor: partner("p-c")}, res)
	w.run(t) // p-c never records first contact: pulled back, then nobody is left
	expect(t, res, "", "")
	var got []string
	for _, c := range w.changes {
		kind, partners, err := leadacts.Notified(c)
		if err != nil {
			t.Fatal(err)
		}
		if kind != "" {
			got = append(got, kind+":"+strings.Join(partners, ","))
		}
	}
	want := "lead_offered:p-a lead_reminder:p-a lead_timed_out:p-a lead_offered:p-b lead_withdrawn:p-b lead_offered:p-c lead_pulled_back:p-c"
	if strings.Join(got, " ") != want {
		t.Fatalf("notified\n got %s\nwant %s\n(%s)", strings.Join(got, " "), want, w.log())
	}
}

// A resumed run begun from a lead another manager's step has changed since
// (its last event is no longer the one the run started from) refuses the
// step and records nothing.
func TestResumedRunFromStaleLeadRefuses(t *testing.T) {
	w := newWorld(t, domain.DefaultLeadPolicy(), "p-a")
	w.lastSeq = 5 // someone closed it meanwhile
	res := make(chan error, 1)
	w.manage(0, lead.UpdateReoffer, lead.Manage{Actor: manager}, res)
	st := w.resumed(t, lead.SourceVendor, nil, lead.Resume{Status: lead.StatusQueued, Seq: 4, Round: 3})
	expect(t, res, workflows.ErrTypeInvalidTransition)
	if len(w.changes) != 0 || st.Status != lead.StatusQueued {
		t.Fatalf("%s %+v", w.log(), st)
	}
}
