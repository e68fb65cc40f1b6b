package api

// peopleDocs documents the people routes (peopleRoutes) for the OpenAPI
// document.
func peopleDocs(docs map[string]routeDoc) {
	list := func(key string, v any) map[string]any { return map[string]any{key: v} }
	docs["GET /v1/users"] = routeDoc{Summary: "Users of an organization (partner admins: their own; vendor admins: the vendor's, or partner_id's)", Response: list("users", []UserView{}), Query: []string{"partner_id"}}
	docs["POST /v1/users/invitations"] = routeDoc{Summary: "Invite a person (single-use link, e-mailed and returned once)", Body: inviteRequest{}, Response: InvitationView{}, Status: 201}
	docs["POST /v1/users/:id/deactivate"] = routeDoc{Summary: "Deactivate a user: its tokens and console sessions stop at once", Response: map[string]any{}}
	docs["PUT /v1/users/:id/role"] = routeDoc{Summary: "Change a user's role (within the roles the caller may grant)", Body: roleRequest{}, Response: map[string]string{}}
	docs["PATCH /v1/partners/:id"] = routeDoc{Summary: "Change a partner's type, tier or program (each change an event with actor and reason)", Body: partnerUpdateRequest{}, Response: map[string]string{}}
	docs["GET /v1/partners/:id/events"] = routeDoc{Summary: "A partner's changes, oldest first (its tier history)", Response: list("events", []PartnerEventView{})}
}
