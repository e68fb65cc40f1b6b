package lead

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dealflow/dealflow/activities"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/google/uuid"
)

// notice is what one kind of lead event tells the partners it concerns.
type notice struct {
	kind, headline, body string
}

// notices are the lead events the partners' people hear of (by e-mail,
// under their notification preference, and in the console's feed).
var notices = map[string]notice{
	"offered":       {"lead_offered", "A lead is offered to your organization", "Accept or decline it by %s in the console under Leads."},
	"reminder_sent": {"lead_reminder", "A lead offer awaits your answer", "Accept or decline it by %s in the console under Leads."},
	"timed_out":     {"lead_timed_out", "A lead offer timed out", "It was not accepted in time and is offered elsewhere."},
	"pulled_back":   {"lead_pulled_back", "A lead was pulled back", "No first contact was recorded in time; its registration was withdrawn."},
	"withdrawn":     {"lead_withdrawn", "A lead offer was withdrawn", "A channel manager took the lead back; no action is needed."},
}

// Notified is the notification kind change c gives rise to and the
// partners it goes to (none: no notification).
func Notified(c Change) (string, []string, error) {
	n, partners, err := leadNotices(c)
	if len(partners) == 0 {
		return "", nil, err
	}
	return n.kind, partners, err
}

// leadNotices are the notifications change c gives rise to, one per
// partner it concerns: offers and reminders to the offered partners,
// time-outs to those whose offer lapsed, a pullback to the holder, and a
// withdrawal (a manager's re-offer, assignment or close) to those whose
// offer was taken back.
func leadNotices(c Change) (notice, []string, error) {
	var p struct {
		Partners  []string `json:"partners"`
		PartnerID string   `json:"partner_id"`
		Withdrawn []string `json:"withdrawn"`
	}
	if len(c.Payload) > 0 {
		if err := json.Unmarshal(c.Payload, &p); err != nil {
			return notice{}, nil, activities.InvalidDataError("lead event payload: %v", err)
		}
	}
	switch c.Type {
	case "offered":
		return notices[c.Type], c.Offer, nil
	case "reminder_sent", "timed_out":
		return notices[c.Type], p.Partners, nil
	case "pulled_back":
		if p.PartnerID == "" {
			return notice{}, nil, nil
		}
		return notices[c.Type], []string{p.PartnerID}, nil
	}
	return notices["withdrawn"], p.Withdrawn, nil
}

// notifyLead writes change c's notifications to the outbox, in the
// change's transaction (so once: only with the event's first insertion).
func notifyLead(ctx context.Context, q *dbq.Queries, id uuid.UUID, c Change) error {
	n, partners, err := leadNotices(c)
	if err != nil || len(partners) == 0 {
		return err
	}
	body := n.body
	if !c.State.AcceptDueAt.IsZero() && (c.Type == "offered" || c.Type == "reminder_sent") {
		body = fmtDue(n.body, c.State.AcceptDueAt)
	}
	for i, p := range partners {
		if err := q.LeadNotificationInsert(ctx, dbq.LeadNotificationInsertParams{
			Ordinal: int32(i + 1), Audience: "partner:" + p, Kind: n.kind, Headline: n.headline,
			Body: body, CreatedAt: c.OccurredAt, LeadID: id,
		}); err != nil {
			return err
		}
	}
	return nil
}

func fmtDue(format string, due time.Time) string {
	return fmt.Sprintf(format, due.UTC().Format("2006-01-02 15:04 UTC"))
}
