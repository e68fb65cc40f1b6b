package lifecycle

import (
	"fmt"
	"time"

	quoteacts "github.com/dealflow/dealflow/activities/quote"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/quote"
)

// notificationsFor says who must hear of a quote's event of type typ,
// given the quote's state after it — as deal review does: the approvers
// whose turn it is when a quote awaits them, again at the SLA (reminder)
// and, escalated at twice it, with the admins; the partner when its quote
// is decided, before it expires and when it has. RecordQuoteEvent writes
// them to the notifications outbox with the event, so they are e-mailed.
func notificationsFor(typ, reason string, st quote.State) []quoteacts.Notification {
	approvers := "role:" + string(approverRoleOf(st))
	partner := "partner:" + st.PartnerID
	head := fmt.Sprintf("quote v%d, %s %s", st.Version, domain.FormatMinor(st.Priced.NetTotal, st.Currency), st.Currency)
	body := fmt.Sprintf("Quote %s, version %d: net %s %s.\nThe quote's document: /console/quotes/%s/document.html",
		st.QuoteID, st.Version, domain.FormatMinor(st.Priced.NetTotal, st.Currency), st.Currency, st.QuoteID)
	n := func(aud, kind, text string) quoteacts.Notification {
		return quoteacts.Notification{Audience: aud, Kind: kind, Subject: head + ": " + text, Body: body}
	}
	switch typ {
	case "submitted", "approval_recorded":
		if st.Status == quote.StatusPendingApproval {
			return []quoteacts.Notification{n(approvers, "quote_approval_needed", fmt.Sprintf("approval %d of %d awaits you", len(st.Approvals)+1, st.RequiredApprovals))}
		}
	case "approval_reminder":
		return []quoteacts.Notification{n(approvers, "quote_approval_reminder", reason)}
	case "approval_escalated":
		return []quoteacts.Notification{n(approvers, "quote_escalated", reason), n("role:admin", "quote_escalated", reason)}
	case "approved", "rejected":
		return []quoteacts.Notification{n(partner, "quote_"+typ, typ+orReason(reason))}
	case "expiry_reminder":
		return []quoteacts.Notification{n(partner, "quote_expiring", "expires at "+st.ValidUntil.UTC().Format(time.RFC3339)+"; the customer can accept it until then")}
	case "expired":
		return []quoteacts.Notification{n(partner, "quote_expired", "expired unaccepted")}
	}
	return nil
}

func orReason(reason string) string {
	if reason == "" {
		return ""
	}
	return ": " + reason
}

// approverRoleOf is the role the quote's next approval needs: a channel
// manager first; for a quote beyond the manager's threshold, finance
// (deal desk) second.
func approverRoleOf(st quote.State) domain.Role {
	if len(st.Approvals) == 0 {
		return domain.RoleChannelManager
	}
	return domain.RoleFinance
}
