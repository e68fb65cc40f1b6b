package api

import "github.com/dealflow/dealflow/internal/steps"

// sharedOpportunityDocs documents the vendor → partner co-selling routes
// (shared opportunities and partners' invitations).
func sharedOpportunityDocs(docs map[string]routeDoc) {
	ov, iv := SharedOpportunityView{}, CoSellInvitationView{}
	docs["POST /v1/cosell/opportunities"] = routeDoc{Summary: "Share one of the vendor's opportunities with the partners the filters (and/or partner_ids) choose; invitations expire (default 5 business days)", Body: steps.ShareRequest{}, Response: ov, Status: 201}
	docs["GET /v1/cosell/opportunities"] = routeDoc{Summary: "Shared opportunities (sellers: those they shared)", Response: map[string]any{"opportunities": []SharedOpportunityView{}}, Query: []string{"status"}}
	docs["GET /v1/cosell/opportunities/:id"] = routeDoc{Summary: "A shared opportunity with its invitations and timeline", Response: ov}
	docs["POST /v1/cosell/opportunities/:id/choose"] = routeDoc{Summary: "seller_chooses mode: pick one interested partner (the others are told no); it becomes a vendor_sourced registration", Body: chooseBody{}, Response: ov}
	docs["POST /v1/cosell/opportunities/:id/withdraw"] = routeDoc{Summary: "Withdraw an open shared opportunity (reason required)", Body: withdrawBody{}, Response: ov}
	docs["GET /v1/cosell/invitations"] = routeDoc{Summary: "The calling partner's invitations to shared opportunities", Response: map[string]any{"invitations": []CoSellInvitationView{}}, Query: []string{"status"}}
	docs["POST /v1/cosell/invitations/:id/accept"] = routeDoc{Summary: "first_to_accept mode: accept the opportunity :id; the first acceptance wins (a vendor_sourced registration), later ones get 409", Body: invitationStepBody{}, Response: iv}
	docs["POST /v1/cosell/invitations/:id/decline"] = routeDoc{Summary: "Decline the invitation to opportunity :id (reason required)", Body: invitationStepBody{}, Response: iv}
	docs["POST /v1/cosell/invitations/:id/interest"] = routeDoc{Summary: "seller_chooses mode: express interest in opportunity :id; the seller chooses", Body: invitationStepBody{}, Response: iv}
}
