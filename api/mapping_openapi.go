package api

import "github.com/dealflow/dealflow/internal/crm"

// mappingDocs documents account mapping's routes (mappingRoutes) for the
// OpenAPI document.
func mappingDocs(docs map[string]routeDoc) {
	list := func(key string, v any) map[string]any { return map[string]any{key: v} }
	filters := []string{"partner_relation", "vendor_category", "min_score", "q", "partner_id"}
	docs["POST /v1/mapping/accounts"] = routeDoc{Summary: "Upload the organization's accounts for account mapping (JSON or text/csv: external_id,name,domain,country,relation), all or nothing; changes re-map at once",
		Body: list("accounts", []crm.PartnerAccount{}), Response: crm.Result{}}
	docs["GET /v1/mapping/opt-ins"] = routeDoc{Summary: "The account-mapping categories the organization shares, with its consent history", Response: OptInsView{}}
	docs["PUT /v1/mapping/opt-ins"] = routeDoc{Summary: "Replace the categories the organization shares (partner admins); each change joins the consent history", Body: optInsRequest{}, Response: OptInsView{}}
	docs["GET /v1/mapping/overlaps"] = routeDoc{Summary: "The overlap report: a partner's own accounts with the vendor's category; sellers their accounts; managers all (opted-in categories only)",
		Response: list("overlaps", []VendorOverlapView{}), Query: filters}
	docs["GET /v1/mapping/overlaps.csv"] = routeDoc{Summary: "The overlap report as CSV, with the same filters and scope", Media: "text/csv", Query: filters}
	docs["GET /v1/cosell/account-partners"] = routeDoc{Summary: "A seller's accounts with the opted-in partners that know the customer, and where to invite them to co-sell",
		Response: list("accounts", []AccountPartnerView{})}
}
