package opportunity

import (
	cosellacts "github.com/dealflow/dealflow/activities/cosell"
	"github.com/dealflow/dealflow/workflows/cosell"
)

// notificationsFor says who must hear of event e: every invited partner
// when the opportunity is shared, the seller of each answer and of its
// return, the partners told no, the winner once registered.
func notificationsFor(e cosellacts.OpportunityEvent, s cosell.OpportunityState, o cosell.Opportunity) []cosellacts.Notification {
	seller := "email:" + s.SellerEmail
	subject := "shared opportunity " + o.CustomerName + " (" + s.OpportunityID + ")"
	one := func(aud, kind, subj string) []cosellacts.Notification {
		return []cosellacts.Notification{{Audience: aud, Kind: kind, Subject: subj}}
	}
	switch e.Type {
	case "shared":
		var out []cosellacts.Notification
		for _, inv := range s.Invitations {
			out = append(out, cosellacts.Notification{Audience: "partner:" + inv.PartnerID, Kind: "cosell_invitation",
				Subject: "you are invited to the " + subject})
		}
		return out
	case "accepted", "declined", "interested", "invitation_expired":
		return one(seller, "cosell_invitation_"+e.Type, "an invitation to the "+subject+" was "+e.Type)
	case "chosen":
		return one("partner:"+e.PartnerID, "cosell_invitation_chosen", "you were chosen for the "+subject)
	case "others_told_no":
		var out []cosellacts.Notification
		for _, inv := range s.Invitations {
			if inv.Status == cosell.InvitationLost {
				out = append(out, cosellacts.Notification{Audience: "partner:" + inv.PartnerID, Kind: "cosell_invitation_lost",
					Subject: "the " + subject + " went to another partner"})
			}
		}
		return out
	case "registered":
		return one("partner:"+e.PartnerID, "cosell_invitation_registered", "your registration of the "+subject+" is "+s.DealStatus)
	case "returned":
		return one(seller, "cosell_opportunity_returned", "the "+subject+" returned to you: no partner took it")
	case "withdrawn":
		var out []cosellacts.Notification
		for _, inv := range s.Invitations {
			if inv.Status == cosell.InvitationWithdrawn {
				out = append(out, cosellacts.Notification{Audience: "partner:" + inv.PartnerID, Kind: "cosell_invitation_withdrawn",
					Subject: "the " + subject + " was withdrawn"})
			}
		}
		return out
	}
	return nil
}
