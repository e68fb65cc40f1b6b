package engagement

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/cosell"
	"go.temporal.io/sdk/workflow"
)

// registerSteps registers every human step as an Update through
// workflows.RegisterStep: validate refuses (before anything reaches
// history) what the caller or the state does not allow; apply records it.
func (w *engagementWorkflow) registerSteps(ctx workflow.Context) error {
	steps := &workflows.Steps[cosell.State]{
		Mu:    w.mu,
		State: func() cosell.State { return w.st },
		Accepting: func() error {
			if !w.started {
				return workflows.Refuse(workflows.ErrTypeInvalidTransition, "the request is still being routed; retry in a moment")
			}
			return nil
		},
	}
	regs := []func() error{
		func() error {
			return workflows.RegisterStep(ctx, steps, cosell.UpdateAccept, w.validateAccept, w.accept)
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, cosell.UpdateDecline, w.validateDecline, w.decline)
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, cosell.UpdateReassign, w.validateReassign, w.reassign)
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, cosell.UpdateAddMilestone, w.validateMilestone, w.addMilestone)
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, cosell.UpdateCompleteMilestone, w.validateMilestoneDone, w.completeMilestone)
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, cosell.UpdateAddNote, w.validateNote, w.addNote)
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, cosell.UpdateSetStage, w.validateStage, w.setStage)
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, cosell.UpdateSetNextSteps, w.validateNextSteps, w.setNextSteps)
		},
	}
	for _, reg := range regs {
		if err := reg(); err != nil {
			return err
		}
	}
	return nil
}

// assignedSeller: the seller the request is assigned to, by e-mail.
func (w *engagementWorkflow) assignedSeller(c cosell.Caller) error {
	if c.Actor.Role != domain.RoleSalesRep {
		return workflows.Refuse(workflows.ErrTypeForbidden, "only the seller the request is assigned to answers it")
	}
	if w.st.Assignee.Email == "" || !strings.EqualFold(c.Email, w.st.Assignee.Email) {
		return workflows.Refuse(workflows.ErrTypeForbidden, "this request is assigned to another seller")
	}
	return nil
}

func (w *engagementWorkflow) manager(c cosell.Caller) error {
	if c.Actor.Role != domain.RoleChannelManager && c.Actor.Role != domain.RoleAdmin {
		return workflows.Refuse(workflows.ErrTypeForbidden, "only a channel manager reassigns a request")
	}
	return nil
}

// participant: the requesting partner's people, the assigned seller, or a
// channel manager.
func (w *engagementWorkflow) participant(c cosell.Caller) error {
	switch {
	case c.Actor.Role.IsPartner() && c.Actor.PartnerID == w.st.PartnerID:
		return nil
	case c.Actor.Role == domain.RoleSalesRep:
		return w.assignedSeller(c)
	case c.Actor.Role == domain.RoleChannelManager || c.Actor.Role == domain.RoleAdmin:
		return nil
	}
	return workflows.Refuse(workflows.ErrTypeForbidden, "only the partner, the assigned seller and channel managers work this engagement")
}

func (w *engagementWorkflow) status(want cosell.Status, what string) error {
	if w.st.Status != want {
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, fmt.Sprintf("an engagement that is %s cannot %s", w.st.Status, what))
	}
	return nil
}

func (w *engagementWorkflow) validateAccept(d cosell.Decision) error {
	return workflows.FirstErr(w.assignedSeller(d.Caller), w.status(cosell.StatusRequested, "be accepted"), workflows.ReasonOK(d.Reason, false))
}

func (w *engagementWorkflow) accept(ctx workflow.Context, d cosell.Decision) error {
	return w.record(ctx, "accepted", d.Actor, d.Reason, nil, func(s *cosell.State) {
		s.Status, s.Stage = cosell.StatusAccepted, domain.StageProspect
	})
}

func (w *engagementWorkflow) validateDecline(d cosell.Decision) error {
	return workflows.FirstErr(w.assignedSeller(d.Caller), w.status(cosell.StatusRequested, "be declined"), workflows.ReasonOK(d.Reason, true))
}

func (w *engagementWorkflow) decline(ctx workflow.Context, d cosell.Decision) error {
	return w.record(ctx, "declined", d.Actor, d.Reason, nil, func(s *cosell.State) {
		s.Status, s.DeclineReason = cosell.StatusDeclined, d.Reason
	})
}

func (w *engagementWorkflow) validateReassign(r cosell.Reassignment) error {
	if err := workflows.FirstErr(w.manager(r.Caller), w.status(cosell.StatusRequested, "be reassigned"), workflows.ReasonOK(r.Reason, false)); err != nil {
		return err
	}
	email := strings.ToLower(strings.TrimSpace(r.SellerEmail))
	if local, domainPart, ok := strings.Cut(email, "@"); !ok || local == "" || domainPart == "" || strings.ContainsAny(email, " \t") {
		return workflows.RefuseField("seller_email", "must be the seller's e-mail address")
	}
	if email == w.st.Assignee.Email {
		return workflows.RefuseField("seller_email", "the request is assigned to this seller already")
	}
	return nil
}

func (w *engagementWorkflow) reassign(ctx workflow.Context, r cosell.Reassignment) error {
	to := cosell.Assignment{Email: strings.ToLower(strings.TrimSpace(r.SellerEmail)), Via: cosell.ViaReassigned}
	return w.assign(ctx, "reassigned", r.Actor, to, r.Reason)
}

func (w *engagementWorkflow) validateMilestone(m cosell.MilestoneInput) error {
	if err := workflows.FirstErr(w.participant(m.Caller), w.status(cosell.StatusAccepted, "plan milestones")); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(m.Title) == "" || len(m.Title) > 200:
		return workflows.RefuseField("title", "is required, at most 200 characters")
	case !m.Side.Valid():
		return workflows.RefuseField("side", "must be partner or vendor")
	case len(m.Owner) > 200:
		return workflows.RefuseField("owner", "must be at most 200 characters")
	case len(w.st.Milestones) >= 100:
		return workflows.Refuse(workflows.ErrTypeLimitReached, "a plan holds at most 100 milestones")
	}
	due, err := time.Parse(time.DateOnly, m.Due)
	if err != nil {
		return workflows.RefuseField("due", "must be a date as YYYY-MM-DD")
	}
	if today := w.now().UTC().Truncate(24 * time.Hour); due.Before(today) {
		return workflows.RefuseField("due", "must not lie in the past")
	}
	return nil
}

func (w *engagementWorkflow) addMilestone(ctx workflow.Context, m cosell.MilestoneInput) error {
	id := fmt.Sprintf("m%d", len(w.st.Milestones)+1)
	owner := strings.TrimSpace(m.Owner)
	if owner == "" {
		owner = m.Actor.Name
	}
	return w.record(ctx, "milestone_added", m.Actor, m.Title, map[string]any{"id": id, "side": m.Side, "owner": owner, "due": m.Due},
		func(s *cosell.State) {
			s.Milestones = append(s.Milestones, cosell.Milestone{ID: id, Title: strings.TrimSpace(m.Title), Side: m.Side, Owner: owner, Due: m.Due})
		})
}

func (w *engagementWorkflow) validateMilestoneDone(m cosell.MilestoneDone) error {
	if err := workflows.FirstErr(w.participant(m.Caller), w.status(cosell.StatusAccepted, "complete milestones")); err != nil {
		return err
	}
	i := slices.IndexFunc(w.st.Milestones, func(x cosell.Milestone) bool { return x.ID == m.ID })
	switch {
	case i < 0:
		return workflows.Refuse(workflows.ErrTypeNotFound, "no such milestone")
	case w.st.Milestones[i].Done:
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, "the milestone is done already")
	}
	return nil
}

func (w *engagementWorkflow) completeMilestone(ctx workflow.Context, m cosell.MilestoneDone) error {
	return w.record(ctx, "milestone_done", m.Actor, "", map[string]any{"id": m.ID}, func(s *cosell.State) {
		for i := range s.Milestones {
			if s.Milestones[i].ID == m.ID {
				s.Milestones[i].Done, s.Milestones[i].Overdue = true, false
			}
		}
	})
}

func (w *engagementWorkflow) validateNote(n cosell.NoteInput) error {
	if err := w.participant(n.Caller); err != nil {
		return err
	}
	if w.st.Status.Final() {
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, "the engagement is "+string(w.st.Status))
	}
	if strings.TrimSpace(n.Body) == "" || len(n.Body) > workflows.MaxReasonLength {
		return workflows.RefuseField("body", fmt.Sprintf("is required, at most %d characters", workflows.MaxReasonLength))
	}
	if len(w.st.Notes) >= 500 {
		return workflows.Refuse(workflows.ErrTypeLimitReached, "an engagement holds at most 500 notes")
	}
	return nil
}

func (w *engagementWorkflow) addNote(ctx workflow.Context, n cosell.NoteInput) error {
	return w.record(ctx, "note_added", n.Actor, n.Body, nil, func(s *cosell.State) {
		s.Notes = append(s.Notes, cosell.Note{Seq: s.Seq, Author: n.Actor, Body: n.Body, At: s.UpdatedAt})
	})
}

func (w *engagementWorkflow) validateStage(st cosell.StageInput) error {
	if err := workflows.FirstErr(w.participant(st.Caller), w.status(cosell.StatusAccepted, "change stage"), workflows.ReasonOK(st.Reason, false)); err != nil {
		return err
	}
	if p := domain.StageMoveProblem(w.st.Stage, st.Stage); p != "" {
		return workflows.RefuseField("stage", p)
	}
	return nil
}

func (w *engagementWorkflow) setStage(ctx workflow.Context, st cosell.StageInput) error {
	return w.record(ctx, "stage_changed", st.Actor, st.Reason, map[string]any{"from": w.st.Stage, "to": st.Stage},
		func(s *cosell.State) { s.Stage = st.Stage })
}

func (w *engagementWorkflow) validateNextSteps(n cosell.NextStepsInput) error {
	if err := workflows.FirstErr(w.participant(n.Caller), w.status(cosell.StatusAccepted, "set next steps")); err != nil {
		return err
	}
	if len(n.NextSteps) > workflows.MaxReasonLength {
		return workflows.RefuseField("next_steps", fmt.Sprintf("must be at most %d characters", workflows.MaxReasonLength))
	}
	return nil
}

func (w *engagementWorkflow) setNextSteps(ctx workflow.Context, n cosell.NextStepsInput) error {
	return w.record(ctx, "next_steps_set", n.Actor, n.NextSteps, nil, func(s *cosell.State) { s.NextSteps = n.NextSteps })
}
