package registration

import (
	"fmt"
	"slices"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/deal"
	"go.temporal.io/sdk/workflow"
)

// timer is the next thing due by the clock: what, when, and how to do it.
type timer struct {
	name string
	due  time.Time
	fire func(ctx workflow.Context) error
}

// waitForChangeOrTimer sleeps until the deal's state changes (a step was
// recorded) or the next timer is due, then fires that timer if it still is.
func (w *dealWorkflow) waitForChangeOrTimer(ctx workflow.Context) error {
	seq := w.st.Seq
	changed := func() bool { return w.st.Seq != seq }
	next, ok := w.nextTimer()
	if !ok {
		return workflow.Await(ctx, changed)
	}
	wait := next.due.Sub(workflow.Now(ctx))
	if wait > 0 {
		stateChanged, err := workflow.AwaitWithTimeout(ctx, wait, changed)
		if err != nil || stateChanged {
			return err
		}
	}
	// Take the lock a step holds while it records, then check the timer is
	// still the one due: a step may have changed everything meanwhile.
	if err := w.mu.Lock(ctx); err != nil {
		return err
	}
	defer w.mu.Unlock()
	again, ok := w.nextTimer()
	if !ok || again.name != next.name || again.due.After(workflow.Now(ctx)) {
		return nil
	}
	return again.fire(ctx)
}

// nextTimer returns the earliest timer the deal's state calls for.
func (w *dealWorkflow) nextTimer() (timer, bool) {
	var all []timer
	s := w.st
	switch {
	case s.Status.AwaitsManager():
		all = w.slaTimers()
	case s.Status == domain.StatusApproved && !s.ExpiresAt.IsZero():
		all = w.protectionTimers()
	case s.Status == domain.StatusClosedWon:
		if !s.CorrectionsClosed {
			all = append(all, timer{name: "corrections-close", due: s.ClosedAt.AddDate(0, 0, s.Policy.CorrectionWindowDays),
				fire: func(workflow.Context) error { w.st.CorrectionsClosed = true; return nil }})
		}
		all = append(all, w.correctionTimers()...)
	}
	if len(all) == 0 {
		return timer{}, false
	}
	best := all[0]
	for _, t := range all[1:] {
		if t.due.Before(best.due) {
			best = t
		}
	}
	return best, true
}

// slaTimers are the review's reminder, escalation and auto-action, on the
// SLA clock (which does not run while information is requested).
func (w *dealWorkflow) slaTimers() []timer {
	s, sla := w.st, w.st.Policy.SLA
	var out []timer
	if sla.ReminderAt > 0 && !s.ReminderSent && !s.Escalated {
		out = append(out, timer{"sla-reminder", s.SLA.DueAt(sla.ReminderAt.D()), func(ctx workflow.Context) error {
			reason := fmt.Sprintf("review due within %s; %s left", sla.ReviewWithin.D(), (sla.ReviewWithin.D() - sla.ReminderAt.D()))
			return w.record(ctx, "sla_reminder", s.Status, domain.SystemActor, reason, nil,
				func(n *deal.State) { n.ReminderSent = true })
		}})
	}
	if !s.Escalated {
		out = append(out, timer{"sla-escalation", s.SLA.DueAt(sla.ReviewWithin.D()), func(ctx workflow.Context) error {
			reason := fmt.Sprintf("not reviewed within the %s SLA", sla.ReviewWithin.D())
			return w.record(ctx, "escalated", s.Status, domain.SystemActor, reason,
				map[string]any{"escalation_contact": sla.EscalationContact},
				func(n *deal.State) { n.Escalated, n.ReminderSent = true, true })
		}})
	}
	act := sla.AutoAction
	if act.After > 0 && act.Action != "wait" && !s.AutoActed {
		out = append(out, timer{"sla-auto-action", s.SLA.DueAt(act.After.D()), func(ctx workflow.Context) error {
			return w.autoAct(ctx, act)
		}})
	}
	return out
}

// autoAct takes the program's automatic decision on a review that waited
// too long, recorded as the system's decision with the rule that fired.
func (w *dealWorkflow) autoAct(ctx workflow.Context, act domain.AutoAction) error {
	reason := fmt.Sprintf("no decision after %s: the program's rule %s", act.After.D(), act.Action)
	to, typ, rule := domain.StatusRejected, "auto_rejected", domain.RuleSLAAutoReject
	if act.Action == "approve" {
		to, typ, rule = domain.StatusApproved, "auto_approved", domain.RuleSLAAutoApprove
	}
	if !w.st.Status.CanMoveTo(to) {
		// e.g. a conflict review cannot be approved by the clock: it keeps
		// waiting for a person.
		w.st.AutoActed = true
		return nil
	}
	return w.record(ctx, typ, to, domain.SystemActor, reason, map[string]any{"rule": rule}, func(n *deal.State) {
		n.AutoActed = true
		if to == domain.StatusApproved {
			n.Approvals = append(n.Approvals, deal.Approval{Actor: domain.SystemActor, At: workflow.Now(ctx)})
		}
	})
}

// protectionTimers are the reminders before expiry and the expiry itself.
func (w *dealWorkflow) protectionTimers() []timer {
	s := w.st
	out := []timer{{name: "expiry", due: s.ExpiresAt, fire: func(ctx workflow.Context) error {
		reason := "the protection period ended; the customer is released"
		payload := map[string]any{"expires_at": s.ExpiresAt}
		if s.Extension != nil {
			payload["unanswered_extension_request"] = s.Extension.Reason
			payload["rule"] = domain.RuleExpiredUnanswer
		}
		return w.record(ctx, "expired", domain.StatusExpired, domain.SystemActor, reason, payload, nil)
	}}}
	for _, days := range s.Policy.Protection.ReminderDaysBefore {
		if slices.Contains(s.ExpiryReminders, days) {
			continue
		}
		days := days
		due := s.ExpiresAt.AddDate(0, 0, -days)
		out = append(out, timer{name: fmt.Sprintf("expiry-reminder-%d", days), due: due, fire: func(ctx workflow.Context) error {
			reason := fmt.Sprintf("protection ends in %d days, on %s", days, s.ExpiresAt.Format(time.DateOnly))
			return w.record(ctx, "expiry_reminder", domain.StatusApproved, domain.SystemActor, reason,
				map[string]any{"days_before": days, "expires_at": s.ExpiresAt},
				func(n *deal.State) { n.ExpiryReminders = append(n.ExpiryReminders, days) })
		}})
	}
	return out
}
