package engagement

import (
	"fmt"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/cosell"
	"go.temporal.io/sdk/workflow"
)

// timer is the next thing due by the clock: what, when, and how to do it.
type timer struct {
	name string
	due  time.Time
	fire func(ctx workflow.Context) error
}

// waitForChangeOrTimer sleeps until the state changes (a step was
// recorded), the deal ends, or the next timer is due; then, under the
// steps' lock, it records the deal's end or fires the timer if it still is
// due.
func (w *engagementWorkflow) waitForChangeOrTimer(ctx workflow.Context) error {
	seq := w.st.Seq
	woken := func() bool { return w.st.Seq != seq || w.ended != nil }
	next, ok := w.nextTimer()
	if !ok {
		if err := workflow.Await(ctx, woken); err != nil {
			return err
		}
	} else if wait := next.due.Sub(workflow.Now(ctx)); wait > 0 {
		if _, err := workflow.AwaitWithTimeout(ctx, wait, woken); err != nil {
			return err
		}
	}
	if err := w.mu.Lock(ctx); err != nil {
		return err
	}
	defer w.mu.Unlock()
	if w.st.Status.Final() {
		return nil
	}
	if e := w.ended; e != nil {
		return w.record(ctx, "ended", domain.SystemActor, "the deal ended: "+string(e.Outcome),
			map[string]any{"deal_status": e.Status, "outcome": e.Outcome}, func(s *cosell.State) {
				s.Status, s.Outcome = cosell.StatusEnded, e.Outcome
				if e.Outcome == domain.OutcomeWon && s.Stage != "" && !s.Stage.Final() {
					s.Stage = domain.StageLaunched
				} else if e.Outcome != domain.OutcomeWon && s.Stage != "" && !s.Stage.Final() {
					s.Stage = domain.StageClosedLost
				}
			})
	}
	again, ok := w.nextTimer()
	if !ok || again.name != next.name || again.due.After(workflow.Now(ctx)) {
		return nil
	}
	return again.fire(ctx)
}

// nextTimer returns the earliest timer the state calls for: the response
// SLA's reminder and escalation while requested, the milestones' reminders
// and overdue flags while accepted.
func (w *engagementWorkflow) nextTimer() (timer, bool) {
	var all []timer
	switch w.st.Status {
	case cosell.StatusRequested:
		all = w.responseTimers()
	case cosell.StatusAccepted:
		all = w.milestoneTimers()
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

func (w *engagementWorkflow) responseTimers() []timer {
	s := w.st
	var out []timer
	if !s.Reminded && !s.Escalated && s.Assignee.Email != "" && s.Policy.RemindAfter > 0 && s.Policy.RemindAfter < s.Policy.RespondWithin {
		out = append(out, timer{"response-reminder", domain.AddBusinessDays(s.RoutedAt, s.Policy.RemindAfter, s.Policy.Calendar()), func(ctx workflow.Context) error {
			reason := fmt.Sprintf("answer by %s", s.RespondBy.Format(time.RFC3339))
			return w.record(ctx, "response_reminder", domain.SystemActor, reason, nil, func(n *cosell.State) { n.Reminded = true })
		}})
	}
	if !s.Escalated {
		out = append(out, timer{"response-escalation", s.RespondBy, func(ctx workflow.Context) error {
			reason := fmt.Sprintf("not answered within %d business days; the channel managers may reassign it", s.Policy.RespondWithin)
			return w.record(ctx, "escalated", domain.SystemActor, reason, map[string]any{"assignee": s.Assignee.Email},
				func(n *cosell.State) { n.Escalated, n.Reminded = true, true })
		}})
	}
	return out
}

func (w *engagementWorkflow) milestoneTimers() []timer {
	var out []timer
	for _, m := range w.st.Milestones {
		if m.Done {
			continue
		}
		due, err := time.Parse(time.DateOnly, m.Due)
		if err != nil {
			continue
		}
		id := m.ID
		if !m.Reminded && w.st.Policy.MilestoneReminderDays > 0 {
			out = append(out, timer{"milestone-reminder-" + id, domain.MilestoneReminderAt(due, w.st.Policy.MilestoneReminderDays), func(ctx workflow.Context) error {
				reason := fmt.Sprintf("milestone %q (%s, %s) is due on %s", m.Title, m.Side, m.Owner, m.Due)
				return w.record(ctx, "milestone_reminder", domain.SystemActor, reason, map[string]any{"id": id},
					func(n *cosell.State) { n.Milestones[indexOf(n.Milestones, id)].Reminded = true })
			}})
		}
		if !m.Overdue {
			out = append(out, timer{"milestone-overdue-" + id, domain.MilestoneOverdueAt(due), func(ctx workflow.Context) error {
				reason := fmt.Sprintf("milestone %q (%s, %s) was due on %s", m.Title, m.Side, m.Owner, m.Due)
				return w.record(ctx, "milestone_overdue", domain.SystemActor, reason, map[string]any{"id": id},
					func(n *cosell.State) {
						i := indexOf(n.Milestones, id)
						n.Milestones[i].Overdue, n.Milestones[i].Reminded = true, true
					})
			}})
		}
	}
	return out
}

func indexOf(ms []cosell.Milestone, id string) int {
	for i, m := range ms {
		if m.ID == id {
			return i
		}
	}
	return 0
}
