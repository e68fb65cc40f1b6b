package engagement

import (
	"fmt"

	cosellacts "github.com/dealflow/dealflow/activities/cosell"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/cosell"
)

// notificationsFor says who must hear of event e: the seller a request is
// routed to (or the channel managers when it is in their queue or
// escalated), the partner when its request is answered, a milestone's side
// when it is near or overdue.
func notificationsFor(e cosellacts.Event, s cosell.State) []cosellacts.Notification {
	seller := func() string {
		if s.Assignee.Email == "" {
			return "role:" + string(domain.RoleChannelManager)
		}
		return "email:" + s.Assignee.Email
	}
	partner := "partner:" + s.PartnerID
	managers := "role:" + string(domain.RoleChannelManager)
	subject := fmt.Sprintf("co-sell request (%s) on deal %s", s.Request.Type, s.DealID)
	switch e.Type {
	case "routed", "reassigned":
		return []cosellacts.Notification{{Audience: seller(), Kind: "cosell_request", Subject: "please answer the " + subject}}
	case "response_reminder":
		return []cosellacts.Notification{{Audience: seller(), Kind: "cosell_reminder", Subject: "reminder: answer the " + subject}}
	case "escalated":
		return []cosellacts.Notification{{Audience: managers, Kind: "cosell_escalated", Subject: "unanswered " + subject + ": reassign it"}}
	case "accepted", "declined", "ended":
		return []cosellacts.Notification{{Audience: partner, Kind: "cosell_" + e.Type, Subject: "your " + subject + " was " + e.Type}}
	case "milestone_reminder", "milestone_overdue":
		return []cosellacts.Notification{{Audience: partner, Kind: "cosell_" + e.Type, Subject: e.Reason},
			{Audience: seller(), Kind: "cosell_" + e.Type, Subject: e.Reason}}
	}
	return nil
}
