// Package distribution is the lead workflow (LeadDistribution): a lead is
// recorded, routed by its program's rules, offered with an accept
// deadline (and a reminder), accepted — becoming a vendor-sourced
// registration — declined or timed out and offered to the next match, up
// to the policy's number of offers, then back to the vendor's queue; after
// acceptance a first-contact deadline pulls an idle lead back. Every
// deadline is a timer in the lead's history. Its contract and typed client
// are in workflows/lead; the worker registers it.
package distribution

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"

	leadacts "github.com/dealflow/dealflow/activities/lead"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/lead"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// acts names the activities: methods on a nil *Activities, so tests can
// mock them and the worker supplies the real ones.
var acts *leadacts.Activities

// LeadDistribution is the workflow of one lead, from its creation until a
// partner works it (first contact made) or it is back in the vendor's queue.
func LeadDistribution(ctx workflow.Context, in lead.Input) (lead.State, error) {
	w := &leadWorkflow{in: in}
	if err := w.setup(ctx); err != nil {
		return lead.State{}, err
	}
	return w.run(ctx)
}

type leadWorkflow struct {
	in lead.Input
	st lead.State
	mu workflow.Mutex
	// routed turns true once the first offer is made (or the lead queued),
	// which releases the creator's lead.UpdateRouted.
	routed bool
	// managed is whether this run takes the managers' steps
	// (lead.ManagerStepsVersion).
	managed bool
	// stale is a resumed run begun from a lead that has changed since
	// (another manager's step came first): it takes no step.
	stale bool
	// checked is a resumed run that locks in setup and checks the lead's
	// last event (lead.ResumeCheckVersion).
	checked bool
}

func (w *leadWorkflow) setup(ctx workflow.Context) error {
	w.mu = workflow.NewMutex(ctx)
	w.st = lead.State{LeadID: w.in.LeadID, ProgramID: w.in.ProgramID, Status: lead.StatusNew}
	if r := w.in.Resume; r != nil {
		w.st.Status, w.st.Seq, w.st.Round, w.st.OffersFrom = r.Status, r.Seq, r.Round, r.Round
		w.st.Tried, w.st.Conflicts = slices.Clone(r.Tried), r.Conflicts
	}
	w.managed = workflow.GetVersion(ctx, lead.ManagerStepsVersion, workflow.DefaultVersion, 1) >= 1
	if w.in.Resume != nil && workflow.GetVersion(ctx, lead.ResumeCheckVersion, workflow.DefaultVersion, 1) >= 1 {
		// The manager's step that started this run waits, before its
		// handler is even registered, until run has loaded the policy
		// and checked the lead is as the run started from it.
		w.checked = true
		if err := w.mu.Lock(ctx); err != nil {
			return err
		}
	}
	if err := workflow.SetQueryHandler(ctx, lead.QueryState, func() (lead.State, error) { return w.st, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, lead.UpdateRouted, func(ctx workflow.Context) (lead.State, error) {
		if err := workflow.Await(ctx, func() bool { return w.routed }); err != nil {
			return lead.State{}, err
		}
		return w.st, nil
	}); err != nil {
		return err
	}
	return w.registerSteps(ctx)
}

func (w *leadWorkflow) run(ctx workflow.Context) (lead.State, error) {
	if w.in.Resume != nil && !w.checked {
		// (runs begun before lead.ResumeCheckVersion)
		if err := w.mu.Lock(ctx); err != nil {
			return w.st, err
		}
	}
	var prog leadacts.ProgramResult
	if err := workflow.ExecuteLocalActivity(readOptions(ctx), acts.LeadProgram, w.in.ProgramID).Get(ctx, &prog); err != nil {
		return w.st, err
	}
	w.st.ProgramID, w.st.Policy = prog.ProgramID, prog.Policy
	if w.in.Resume != nil {
		if w.checked {
			var seq int32
			if err := workflow.ExecuteLocalActivity(readOptions(ctx), acts.LeadLastSeq, w.in.LeadID).Get(ctx, &seq); err != nil {
				return w.st, err
			}
			w.stale = seq != w.in.Resume.Seq
		}
		w.mu.Unlock()
	}
	if w.in.Resume == nil {
		in := w.in
		in.ProgramID = prog.ProgramID
		if err := w.record(ctx, change{typ: "created", to: lead.StatusNew, actor: w.in.Creator, new: &in}); err != nil {
			return w.st, err
		}
		if w.in.Referred() {
			if err := w.screenReferral(ctx); err != nil {
				return w.st, err
			}
		}
	}
	for {
		for lead.Active(w.st.Status) {
			if err := w.offerRound(ctx); err != nil {
				return w.st, err
			}
		}
		w.routed = true
		if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
			return w.st, err
		}
		// A manager's re-offer or assignment of the queued lead, taken
		// while the run was ending, routes it again.
		if !w.managed || !lead.Active(w.st.Status) {
			return w.st, nil
		}
	}
}

// offerRound makes the next offer and waits for its outcome: an
// acceptance (then the first contact, or the pullback), declines by every
// offered partner, or the deadline. With no offers left, or nobody to
// offer the lead to, it goes back to the vendor's queue.
func (w *leadWorkflow) offerRound(ctx workflow.Context) error {
	p := w.st.Policy
	if w.st.Round-w.st.OffersFrom >= p.MaxOffers {
		return w.queue(ctx, "no partner took the lead in "+strconv.Itoa(p.MaxOffers)+" offer(s)")
	}
	n := 1
	if p.Mode == domain.RouteBroadcast {
		n = p.BroadcastTo
	}
	// picked: routing's pick for the round, counted for round-robin as it
	// was picked; a manager's assignment is counted when recorded.
	picked := w.st.AssignTo == ""
	var routed leadacts.RouteResult
	if !picked {
		routed = leadacts.RouteResult{Partners: []string{w.st.AssignTo}, Rule: "assigned"}
	} else if err := workflow.ExecuteLocalActivity(readOptions(ctx), acts.LeadRoute, leadacts.RouteInput{
		LeadID: w.st.LeadID, Round: w.st.Round + 1,
		ProgramID: w.st.ProgramID, Facts: w.in.Lead.Facts(), Tried: w.st.Tried, N: n, At: workflow.Now(ctx),
	}).Get(ctx, &routed); err != nil {
		return err
	}
	if len(routed.Partners) == 0 {
		return w.queue(ctx, "no eligible partner with room is left to offer the lead to")
	}
	now := workflow.Now(ctx)
	err := w.record(ctx, change{typ: "offered", to: lead.StatusOffered, actor: domain.SystemActor,
		payload: map[string]any{"partners": routed.Partners, "rule": routed.Rule, "mode": p.Mode},
		offer:   routed.Partners, counted: picked, apply: func(s *lead.State) {
			s.Round++
			s.Offered = slices.Clone(routed.Partners)
			s.Rule = routed.Rule
			s.AssignTo = ""
			s.AcceptDueAt = now.Add(p.AcceptWithin.D())
			s.ReminderSent = false
		}})
	if err != nil {
		return err
	}
	w.routed = true
	decided := func() bool { return w.st.Status != lead.StatusOffered || len(w.st.Offered) == 0 }
	if r := p.ReminderAt.D(); r > 0 {
		ok, err := workflow.AwaitWithTimeout(ctx, r, decided)
		if err != nil {
			return err
		}
		if !ok {
			if err := w.locked(ctx, func() error {
				if decided() {
					return nil
				}
				return w.record(ctx, change{typ: "reminder_sent", to: lead.StatusOffered, actor: domain.SystemActor,
					payload: map[string]any{"partners": w.st.Offered}, apply: func(s *lead.State) { s.ReminderSent = true }})
			}); err != nil {
				return err
			}
		}
	}
	if _, err := workflow.AwaitWithTimeout(ctx, w.st.AcceptDueAt.Sub(workflow.Now(ctx)), decided); err != nil {
		return err
	}
	return w.locked(ctx, func() error {
		switch {
		case w.st.Status == lead.StatusAccepted:
			return w.awaitFirstContact(ctx)
		case len(w.st.Offered) == 0:
			return nil // everyone offered declined: on to the next round
		}
		return w.record(ctx, change{typ: "timed_out", to: lead.StatusNew, actor: domain.SystemActor,
			reason: "not accepted within " + p.AcceptWithin.D().String(), closeRound: w.st.Round, outcome: "timed_out",
			payload: map[string]any{"partners": w.st.Offered}, apply: func(s *lead.State) {
				s.Tried = append(s.Tried, s.Offered...)
				s.Offered = nil
			}})
	})
}

// awaitFirstContact waits (outside the lock) for the holding partner's
// first contact; past the policy's deadline the lead is pulled back, its
// registration withdrawn, and offered to the next match. Called and
// returning with the lock held.
func (w *leadWorkflow) awaitFirstContact(ctx workflow.Context) error {
	w.mu.Unlock()
	ok, err := workflow.AwaitWithTimeout(ctx, w.st.ContactDueAt.Sub(workflow.Now(ctx)), func() bool {
		return w.st.Status != lead.StatusAccepted
	})
	if lerr := w.mu.Lock(ctx); err == nil {
		err = lerr
	}
	if err != nil || ok || w.st.Status != lead.StatusAccepted {
		return err
	}
	holder, dealID := w.st.PartnerID, w.st.DealID
	reason := "no first contact within " + w.st.Policy.FirstContactWithin.D().String()
	if dealID != "" {
		if err := workflow.ExecuteActivity(registerOptions(ctx), acts.LeadRelease, leadacts.ReleaseInput{
			DealID: dealID, Reason: "lead pulled back: " + reason}).Get(ctx, nil); err != nil {
			return err
		}
	}
	return w.record(ctx, change{typ: "pulled_back", to: lead.StatusNew, actor: domain.SystemActor, reason: reason,
		closeRound: w.st.Round, closePartner: holder, outcome: "pulled_back",
		payload: map[string]any{"partner_id": holder, "deal_id": dealID}, apply: func(s *lead.State) {
			s.PartnerID, s.DealID, s.DealStatus = "", "", ""
			s.ContactDueAt = time.Time{}
			if !slices.Contains(s.Tried, holder) {
				s.Tried = append(s.Tried, holder)
			}
		}})
}

// screenReferral screens a referred lead for conflicts (the conflict
// engine registrations use) and puts it in the vendor's queue, attributed
// to its partner: the vendor works referrals; they are not routed.
func (w *leadWorkflow) screenReferral(ctx workflow.Context) error {
	partner := ""
	if a := w.in.Attribution; a != nil {
		partner = a.PartnerID
	}
	var found []domain.Conflict
	if err := workflow.ExecuteLocalActivity(readOptions(ctx), acts.LeadScreen, leadacts.ScreenInput{
		LeadID: w.in.LeadID, PartnerID: partner, Lead: w.in.Lead}).Get(ctx, &found); err != nil {
		return err
	}
	reason := "a referral: the vendor works it"
	if len(found) > 0 {
		reason = "a referral with possible conflicts: the vendor reviews it"
	}
	return w.record(ctx, change{typ: "screened", to: lead.StatusQueued, actor: domain.SystemActor, reason: reason,
		payload: map[string]any{"conflicts": found, "partner_id": partner},
		apply:   func(s *lead.State) { s.Conflicts = found }})
}

// queue sends the lead back to the vendor's queue: the workflow ends.
func (w *leadWorkflow) queue(ctx workflow.Context, reason string) error {
	return w.record(ctx, change{typ: "queued", to: lead.StatusQueued, actor: domain.SystemActor, reason: reason,
		apply: func(s *lead.State) { s.Offered = nil }})
}

// locked runs fn holding the lock that steps take, so a timer's outcome and
// a partner's step never interleave.
func (w *leadWorkflow) locked(ctx workflow.Context, fn func() error) error {
	if err := w.mu.Lock(ctx); err != nil {
		return err
	}
	defer w.mu.Unlock()
	return fn()
}

// change is one step to record.
type change struct {
	typ, to, reason string
	actor           domain.Actor
	payload         any
	new             *lead.Input
	offer           []string
	counted         bool // offer counted by routing's pick (leadacts.Change.Counted)
	closeRound      int
	closePartner    string
	outcome         string
	apply           func(*lead.State)
}

// record writes the change (its event, the projection, the offers) and
// only then moves the state: a change PostgreSQL refuses for good leaves
// the state as it was.
func (w *leadWorkflow) record(ctx workflow.Context, c change) error {
	next := w.st
	next.Offered = slices.Clone(w.st.Offered)
	next.Tried = slices.Clone(w.st.Tried)
	if c.apply != nil {
		c.apply(&next)
	}
	now := workflow.Now(ctx)
	next.Status, next.Seq, next.UpdatedAt = c.to, w.st.Seq+1, now
	rec := leadacts.Change{LeadID: w.st.LeadID, Seq: next.Seq, Type: c.typ, From: w.st.Status, To: c.to,
		Actor: c.actor, Reason: c.reason, OccurredAt: now, New: c.new, State: next, Offer: c.offer,
		Counted: c.counted, CloseRound: c.closeRound, ClosePartner: c.closePartner, Outcome: c.outcome}
	if c.new != nil {
		rec.From = ""
	}
	if c.payload != nil {
		b, err := json.Marshal(c.payload)
		if err != nil {
			return err
		}
		rec.Payload = b
	}
	if err := workflow.ExecuteLocalActivity(recordOptions(ctx), acts.LeadRecord, rec).Get(ctx, nil); err != nil {
		return workflows.Unstorable(err)
	}
	w.st = next
	return nil
}

// recordPatience is how long recording a step is retried through
// transient failures: an accepted step is never lost.
const recordPatience = 7 * 24 * time.Hour

func recordOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second, ScheduleToCloseTimeout: recordPatience,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 200 * time.Millisecond, BackoffCoefficient: 2, MaximumInterval: 30 * time.Second},
	})
}

func readOptions(ctx workflow.Context) workflow.Context { return recordOptions(ctx) }

// registerOptions are for the steps that go through the deal context
// (registering an accepted lead, withdrawing a pulled-back one): regular
// activities, retried until the deal's workflow answers.
func registerOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second, ScheduleToCloseTimeout: recordPatience,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	})
}
