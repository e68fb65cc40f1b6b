package registration

import (
	dealacts "github.com/dealflow/dealflow/activities/deal"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/deal"
)

// Audiences of notifications.
const (
	audienceManagers = "role:channel_manager"
	audienceFinance  = "role:finance"
)

func audiencePartner(id string) string { return "partner:" + id }

// notificationsFor says who must hear of event e, given the deal's state
// after it: people who must act, and the partner when its deal moves.
func notificationsFor(e dealacts.Event, s deal.State) []dealacts.Notification {
	partner := audiencePartner(s.PartnerID)
	subject := s.Registration.Customer.Name + ": "
	n := func(aud, kind, text string) dealacts.Notification {
		return dealacts.Notification{Audience: aud, Kind: kind, Subject: subject + text}
	}
	// reviewers are those who may decide a partner's correction.
	reviewers := func(kind, text string) []dealacts.Notification {
		return []dealacts.Notification{n(audienceManagers, kind, text), n(audienceFinance, kind, text)}
	}
	switch e.Type {
	case "review_requested":
		return []dealacts.Notification{n(audienceManagers, "review_needed", "registration awaits review")}
	case "conflict_cleared", "conflict_awarded", "conflict_rejected", "handed_to_direct_sales":
		return conflictResolved(e, s, n)
	case "conflict_detected":
		return []dealacts.Notification{n(audienceManagers, "conflict_review_needed", "registration conflicts with another partner's")}
	case "approval_recorded":
		return []dealacts.Notification{n(audienceManagers, "second_approval_needed", "a second approval by another channel manager is needed")}
	case "sla_reminder":
		return []dealacts.Notification{n(audienceManagers, "sla_reminder", "review due soon")}
	case "escalated":
		out := []dealacts.Notification{n(audienceManagers, "escalated", "review SLA missed")}
		if c := s.Policy.SLA.EscalationContact; c != "" {
			out = append(out, n("email:"+c, "escalated", "review SLA missed"))
		}
		return out
	case "info_requested":
		return []dealacts.Notification{n(partner, "info_requested", "the channel manager asks: "+e.Reason)}
	case "info_answered":
		return []dealacts.Notification{n(audienceManagers, "info_answered", "the partner answered; review again")}
	case "approved", "auto_approved":
		return []dealacts.Notification{n(partner, "approved", "registration approved; protected until "+s.ExpiresAt.Format("2006-01-02"))}
	case "rejected", "auto_rejected":
		return []dealacts.Notification{n(partner, "rejected", "registration rejected: "+e.Reason)}
	case "withdrawn":
		return []dealacts.Notification{n(audienceManagers, "withdrawn", "the partner withdrew the registration")}
	case "extension_requested":
		return []dealacts.Notification{n(audienceManagers, "extension_requested", "the partner asks for a protection extension")}
	case "extension_granted", "extension_denied":
		return []dealacts.Notification{n(partner, e.Type, "extension "+map[bool]string{true: "granted", false: "denied"}[e.Type == "extension_granted"])}
	case "expiry_reminder":
		return []dealacts.Notification{n(partner, "expiry_reminder", e.Reason)}
	case "expired":
		return []dealacts.Notification{n(partner, "expired", "protection ended")}
	case "closed_won", "outcome_corrected", "outcome_reversed":
		out := []dealacts.Notification{n(audienceFinance, e.Type, "closed-won figures recorded")}
		if !e.Actor.Role.IsPartner() && e.Type != "closed_won" {
			out = append(out, n(partner, e.Type, "closed-won amount corrected by "+e.Actor.Name))
		}
		return out
	case "approvals_cleared":
		return []dealacts.Notification{n(audienceManagers, "approvals_cleared", "the partner changed the figures; earlier approvals no longer count")}
	case "correction_requested":
		return reviewers("correction_review_needed", "the partner asks to raise its won amount; approve or deny")
	case "correction_reminder":
		return reviewers("correction_sla_reminder", "a correction awaits a decision; due soon")
	case "correction_escalated":
		out := reviewers("correction_escalated", "correction review SLA missed")
		if c := s.Policy.SLA.EscalationContact; c != "" {
			out = append(out, n("email:"+c, "correction_escalated", "correction review SLA missed"))
		}
		return out
	case "correction_denied":
		return []dealacts.Notification{n(partner, "correction_denied", "correction denied: "+e.Reason)}
	}
	return nil
}

// conflictResolved tells managers (when the deal moves on to review), the
// deal's partner, and each other partner whose registration was involved —
// without naming anyone to anyone.
func conflictResolved(e dealacts.Event, s deal.State, n func(aud, kind, text string) dealacts.Notification) []dealacts.Notification {
	var out []dealacts.Notification
	if e.To == domain.StatusPendingApproval {
		out = append(out, n(audienceManagers, "review_needed", "conflict resolved; registration awaits review"))
	}
	out = append(out, n(audiencePartner(s.PartnerID), e.Type, "conflict review outcome: "+e.Reason))
	seen := map[string]bool{s.PartnerID: true}
	for _, c := range s.Conflicts {
		if c.PartnerID == "" || seen[c.PartnerID] || (c.Source != "" && c.Source != domain.SourceRegistration) {
			continue
		}
		seen[c.PartnerID] = true
		out = append(out, n(audiencePartner(c.PartnerID), "conflict_resolved", "a conflict involving your registration of this customer was resolved"))
	}
	return out
}
